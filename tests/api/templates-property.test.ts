// Property test over HTTP: whatever `variables` a request carries — any JSON, Liquid syntax, NUL,
// huge strings, keys such as __proto__ and constructor — preview-message and send-sms answer 200 or
// a documented 4xx (call() checks each answer, code included, against the route's OpenAPI entry),
// never a 5xx, and a refused send creates nothing.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../support/database.ts";
import { type ApiServer, call, startApiServer, tokens } from "./support/api-server.ts";

const sql = connect();
let api: ApiServer;
let templateId: string;
const started = new Date();
beforeAll(async () => {
  api = await startApiServer();
  const created = await call(api.baseUrls.spec, "create-template", {
    token: await tokens.owner(),
    json: {
      workspaceId: "ws_demo", name: `Property ${Date.now()}`,
      body: "Hi {{ first_name | default: 'there' | capitalize }}, {% if constructor %}{{ constructor }}{% else %}see you{% endif %} at {{ time | truncate: 20 }}.",
      variables: [{ name: "first_name" }, { name: "constructor" }, { name: "time", required: true }],
    },
  });
  templateId = String(created.body.data?.templateId);
});
afterAll(async () => {
  await api.stop();
  await sql`delete from public.message_templates where created_at >= ${started}`;
  await sql.end();
});

const key = fc.oneof(fc.constantFrom("__proto__", "constructor", "prototype", "toString", "first_name", "time", ""),
  fc.string({ maxLength: 12 }));
const liquid = fc.array(fc.constantFrom("{{ time }}", "{%", "%}", "{{", "}}", "| date", "\\u0000", "'", "\""), { maxLength: 6 })
  .map((parts) => parts.join(""));
const jsonValue = fc.oneof(fc.string({ maxLength: 30 }), liquid, fc.nat({ max: 3000 }).map((n) => "é".repeat(n)),
  fc.jsonValue({ maxDepth: 2 }));

/** A JSON object text with exactly these members, `__proto__` included as an own key. */
function objectText(members: [string, unknown][]): string {
  return `{${members.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? "null"}`).join(",")}}`;
}

describe("arbitrary template variables over HTTP", () => {
  it("answer 200 or a documented 4xx, never 5xx, and refused sends create nothing", async () => {
    const owner = await tokens.owner();
    const [before] = await sql<{ n: number }[]>`select count(*)::int as n from public.scheduled_sms_jobs`;
    let sent = 0;
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(key, jsonValue), { maxLength: 6 }), async (members) => {
      const variables = objectText(members);
      for (const route of ["preview-message", "send-sms"] as const) {
        const body = route === "send-sms"
          ? `{"workspaceId":"ws_demo","to":"+61412345678","templateId":${JSON.stringify(templateId)},"variables":${variables}}`
          : `{"workspaceId":"ws_demo","templateId":${JSON.stringify(templateId)},"variables":${variables}}`;
        const answer = await call(api.baseUrls.spec, route, { token: owner, rawBody: body, headers: { "content-type": "application/json" } });
        expect(answer.status === 200 || (answer.status >= 400 && answer.status < 500), JSON.stringify(answer.body)).toBe(true);
        if (route === "send-sms" && answer.status === 200) sent += 1;
      }
    }), { numRuns: 60 });
    const [after] = await sql<{ n: number }[]>`select count(*)::int as n from public.scheduled_sms_jobs`;
    expect((after?.n ?? 0) - (before?.n ?? 0)).toBe(sent);
  });
});
