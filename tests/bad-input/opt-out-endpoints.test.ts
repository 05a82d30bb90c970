// Generated invalid requests to the opt-out and inbound-message endpoints (add-opt-out,
// remove-opt-out, opt-outs, inbound-messages): a valid request with one field replaced by a bad
// value, an unknown field added or a required one dropped; forged cursors; another workspace; a
// member or viewer removing an opt-out. Each answers a documented 4xx in the error envelope and
// leaves the database (opt-outs, their history and inbound messages included) exactly as it was.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseLimits } from "../../supabase/functions/_shared/limits.ts";
import { type ApiServer, call, type CallOptions, startApiServer, tokens } from "../api/support/api-server.ts";
import { connect } from "../support/database.ts";
import {
  applyMutation, checkParameters, databaseChecksum, expectDocumentedRefusal, invalidPhone, invalidWorkspaceId, logSeed,
  mutationOf, poisonCharacters, RequestCounter, sqlLooking,
} from "./support.ts";

const sql = connect();
const counter = new RequestCounter();
let api: ApiServer;
let owner: string;
const optedOut = "+61414000201";

beforeAll(async () => {
  logSeed("opt-out-endpoints");
  api = await startApiServer();
  owner = await tokens.owner();
  await sql`select private.add_opt_out('ws_demo', ${optedOut}, 'manual', 'bad-input fixture')`;
});

afterAll(async () => {
  const counts = counter.report("opt-out endpoints");
  await sql`select private.remove_opt_out('ws_demo', ${optedOut}, 'manual', 'bad-input cleanup')`;
  await api.stop();
  await sql.end();
  expect(Object.keys(counts).sort()).toEqual(["add-opt-out", "inbound-messages", "opt-outs", "remove-opt-out"]);
});

/** The tables these routes touch, besides the jobs and opt-outs databaseChecksum covers. */
async function checksum(): Promise<unknown> {
  const [row] = await sql<{ inbound: string; history: string }[]>`
    select (select count(*) || ':' || coalesce(sum(hashtextextended(t::text, 0)), 0) from public.inbound_messages t) as inbound,
           (select count(*) || ':' || coalesce(sum(hashtextextended(t::text, 0)), 0) from public.sms_opt_out_events t) as history`;
  return { ...(await databaseChecksum(sql)), ...row };
}

async function refuse(route: string, options: CallOptions, context: unknown = options.json ?? options.query): Promise<void> {
  counter.add(route);
  const before = await checksum();
  const answer = await call(api.baseUrls.spec, route, { token: owner, ...options });
  expectDocumentedRefusal(answer, { route, context });
  expect(await checksum(), JSON.stringify({ route, context })).toEqual(before);
}

const invalidReason: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>("", "   ", "\n\t", null, 42, true, [], {}, "x".repeat(databaseLimits.opt_out_reason_max_chars + 1),
    ...poisonCharacters.map((c) => `reason ${c}`)),
);

describe("POST add-opt-out and remove-opt-out", () => {
  it("one bad, unknown or missing field", async () => {
    // The number of add-opt-out is already opted out: a request that slipped through would still change nothing visible
    // but the checksum of its history; remove-opt-out's valid request would remove it.
    await fc.assert(fc.asyncProperty(
      fc.constantFrom("add-opt-out", "remove-opt-out"),
      mutationOf({ workspaceId: invalidWorkspaceId, phone: invalidPhone, reason: invalidReason }, ["workspaceId", "phone", "reason"]),
      async (route, mutation) => {
        if (route === "add-opt-out" && mutation.kind === "drop" && mutation.field === "reason") return; // optional there
        const valid = { workspaceId: "ws_demo", phone: "+61414000299", reason: "valid reason" };
        await refuse(route, { json: applyMutation(valid, mutation) }, { route, mutation });
      }), checkParameters(60));
  });

  it("malformed JSON, another workspace, members and viewers removing, an unknown opt-out", async () => {
    await refuse("add-opt-out", { rawBody: "{\"workspaceId\": \"ws_demo\",", headers: { "Content-Type": "application/json" } });
    await refuse("add-opt-out", { json: { workspaceId: "ws_other", phone: "+61414000298" } });
    await refuse("remove-opt-out", { json: { workspaceId: "ws_demo", phone: optedOut, reason: "member" }, token: await tokens.member() });
    await refuse("remove-opt-out", { json: { workspaceId: "ws_demo", phone: optedOut, reason: "viewer" }, token: await tokens.viewer() });
    await refuse("remove-opt-out", { json: { workspaceId: "ws_demo", phone: "+61414000297", reason: "never opted out" } });
    await refuse("remove-opt-out", { json: { workspaceId: "ws_demo", phone: optedOut, reason: "no token" }, token: null });
  });
});

describe("GET opt-outs and inbound-messages", () => {
  it("bad, unknown or foreign parameters and forged cursors", async () => {
    const badValue = fc.oneof(
      fc.record({ name: fc.constant("workspaceId"), value: fc.constantFrom("ws_other", "", "ws demo", `ws_${"a".repeat(65)}`, ...sqlLooking) }),
      fc.record({ name: fc.constant("phone"), value: fc.constantFrom("", "0412", "+1234567890", "phone", ...sqlLooking) }),
      fc.record({ name: fc.constant("limit"), value: fc.constantFrom("0", "-1", "201", "1.5", "ten", "") }),
      fc.record({ name: fc.constant("cursor"), value: fc.constantFrom("x", "0", "-5", "bm90IGEgY3Vyc29y", "WyJ4IiwieSJd", "9".repeat(30), ...sqlLooking) }),
      fc.record({ name: fc.constantFrom("status", "kind", "ids"), value: fc.constant("x") }),
    );
    await fc.assert(fc.asyncProperty(fc.constantFrom("opt-outs", "inbound-messages"), badValue, async (route, { name, value }) => {
      await refuse(route, { query: { workspaceId: "ws_demo", [name]: value } });
    }), checkParameters(60));
  });
});
