// Message templates over the API: create, update, archive, list, preview, and messages made from a
// template (send-sms, schedule-delay, schedule-until, schedule-recurring). Every answer is checked
// against the OpenAPI document by `call`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../support/database.ts";
import { type ApiServer, call, startApiServer, tokens } from "./support/api-server.ts";

const sql = connect();
let api: ApiServer;
let base: string;
const started = new Date();
beforeAll(async () => {
  api = await startApiServer();
  base = api.baseUrls.spec;
});
afterAll(async () => {
  await api.stop();
  await sql`delete from public.message_templates where created_at >= ${started}`;
  await sql.end();
});

const reminder = {
  body: "Hi {{ first_name | default: 'there' }}, see you at {{ time }}.",
  variables: [{ name: "first_name" }, { name: "time", required: true }],
};
let nameCounter = 0;
const uniqueName = (what: string) => `${what} ${Date.now()}-${++nameCounter}`;

async function createTemplate(overrides: Record<string, unknown> = {}): Promise<{ templateId: string; version: number }> {
  const answer = await call(base, "create-template", {
    token: await tokens.owner(),
    json: { workspaceId: "ws_demo", name: uniqueName("Reminder"), ...reminder, ...overrides },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.data as { templateId: string; version: number };
}

describe("templates", () => {
  it("creates a template with its declared variables, version 1", async () => {
    const name = uniqueName("Appointment");
    const answer = await call(base, "create-template", { token: await tokens.member(), json: { workspaceId: "ws_demo", name, ...reminder } });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({
      name, body: reminder.body, version: 1, archived: false, workspaceId: "ws_demo",
      variables: [{ name: "first_name", required: false, default: null }, { name: "time", required: true, default: null }],
    });
    expect(answer.body.data?.templateId).toMatch(/^tpl_/);
  });

  it.each([
    ["an undeclared variable", "Hi {{ first_name }} {{ last_name }}", "template_invalid", /`last_name`/],
    ["an unknown filter", "Hi {{ first_name | date }}", "template_invalid", /filter `date`/],
    ["a tag templates do not have", "{% include 'x' %}", "template_invalid", /tag `include`/],
    ["a property of a variable", "{{ first_name.size }}", "template_invalid", /plain names/],
    ["broken syntax", "Hi {{ first_name", "template_invalid", /not a valid template/],
  ])("refuses %s when saved, naming it", async (_what, body, code, message) => {
    const answer = await call(base, "create-template", {
      token: await tokens.owner(), json: { workspaceId: "ws_demo", name: uniqueName("Bad"), body, variables: reminder.variables },
    });
    expect([answer.status, answer.body.error?.code]).toEqual([400, code]);
    expect(answer.body.error?.message).toMatch(message);
    expect(answer.body.error?.details?.fields?.[0]?.field).toBe("body");
  });

  it("refuses a name in use (409), bad variable declarations (400), and a viewer (403)", async () => {
    const name = uniqueName("Taken");
    await createTemplate({ name });
    const taken = await call(base, "create-template", { token: await tokens.owner(), json: { workspaceId: "ws_demo", name: name.toUpperCase(), ...reminder } });
    expect([taken.status, taken.body.error?.code]).toEqual([409, "template_name_taken"]);
    for (const variables of [[{ name: "__proto__" }], [{ name: "a" }, { name: "a" }], [{ name: "a", required: "yes" }]]) {
      const bad = await call(base, "create-template", { token: await tokens.owner(), json: { workspaceId: "ws_demo", name: uniqueName("V"), body: "Hi", variables } });
      expect([bad.status, bad.body.error?.code]).toEqual([400, "validation_failed"]);
    }
    const viewer = await call(base, "create-template", { token: await tokens.viewer(), json: { workspaceId: "ws_demo", name: uniqueName("V"), ...reminder } });
    expect([viewer.status, viewer.body.error?.code]).toEqual([403, "forbidden"]);
  });

  it("makes every change a new version, and archiving freezes it and frees its name", async () => {
    const { templateId } = await createTemplate();
    const updated = await call(base, "update-template", {
      token: await tokens.owner(), json: { workspaceId: "ws_demo", templateId, body: "Hello {{ first_name | upcase }}, at {{ time }}." },
    });
    expect(updated.body.data).toMatchObject({ version: 2, body: "Hello {{ first_name | upcase }}, at {{ time }}." });
    const invalid = await call(base, "update-template", {
      token: await tokens.owner(), json: { workspaceId: "ws_demo", templateId, variables: [{ name: "time" }] },
    });
    expect([invalid.status, invalid.body.error?.code]).toEqual([400, "template_invalid"]);
    const archived = await call(base, "archive-template", { token: await tokens.owner(), json: { workspaceId: "ws_demo", templateId } });
    expect(archived.body.data).toMatchObject({ archived: true, version: 2 });
    const again = await call(base, "archive-template", { token: await tokens.owner(), json: { workspaceId: "ws_demo", templateId } });
    expect(again.status).toBe(200);
    const frozen = await call(base, "update-template", { token: await tokens.owner(), json: { workspaceId: "ws_demo", templateId, body: "x" } });
    expect([frozen.status, frozen.body.error?.code]).toEqual([404, "template_not_found"]);
  });

  it("lists a workspace's templates by name, archived ones only when asked", async () => {
    const kept = await createTemplate({ name: uniqueName("AAA listed") });
    const gone = await createTemplate({ name: uniqueName("AAA archived") });
    await call(base, "archive-template", { token: await tokens.owner(), json: { workspaceId: "ws_demo", templateId: gone.templateId } });
    const list = async (archived?: string) => ((await call(base, "templates", {
      token: await tokens.viewer(), query: { workspaceId: "ws_demo", ...(archived === undefined ? {} : { archived }) },
    })).body.data?.templates as { templateId: string }[]).map((t) => t.templateId);
    expect(await list()).toContain(kept.templateId);
    expect(await list()).not.toContain(gone.templateId);
    expect(await list("true")).toEqual(expect.arrayContaining([gone.templateId]));
    expect(await list("all")).toEqual(expect.arrayContaining([kept.templateId, gone.templateId]));
    const other = await call(base, "templates", { token: await tokens.otherOwner(), query: { workspaceId: "ws_other" } });
    expect((other.body.data?.templates as { templateId: string }[]).map((t) => t.templateId)).not.toContain(kept.templateId);
  });
});

describe("preview-message", () => {
  it("renders with and without an optional variable, counting characters, encoding and segments", async () => {
    const { templateId } = await createTemplate();
    const without = await call(base, "preview-message", {
      token: await tokens.viewer(), json: { workspaceId: "ws_demo", templateId, variables: { time: "5pm" } },
    });
    expect(without.body.data).toMatchObject({
      body: "Hi there, see you at 5pm.", characters: 25, encoding: "GSM-7", segments: 1, nonGsmCharacters: [],
      missingVariables: [], warnings: [], template: { templateId, version: 1, variables: { first_name: null, time: "5pm" } },
    });
    const named = await call(base, "preview-message", {
      token: await tokens.viewer(), json: { workspaceId: "ws_demo", templateId, variables: { first_name: "Zoë", time: "5pm" } },
    });
    // ë is not in the GSM-7 alphabet (é is): one name makes the whole message UCS-2.
    expect(named.body.data).toMatchObject({ body: "Hi Zoë, see you at 5pm.", encoding: "UCS-2", segments: 1, nonGsmCharacters: ["ë"] });
  });

  it("shows what is missing instead of refusing, and which characters force UCS-2", async () => {
    const { templateId } = await createTemplate();
    const missing = await call(base, "preview-message", {
      token: await tokens.owner(), json: { workspaceId: "ws_demo", templateId, variables: { first_name: "Ann", time: "   " } },
    });
    expect(missing.body.data).toMatchObject({ body: "Hi Ann, see you at .", missingVariables: ["time"] });
    expect(missing.body.data?.warnings).toEqual([expect.stringMatching(/^time has no value/)]);
    const emoji = await call(base, "preview-message", { token: await tokens.owner(), json: { workspaceId: "ws_demo", body: "See you 😀 “soon”" } });
    expect(emoji.body.data).toMatchObject({ encoding: "UCS-2", segments: 1, nonGsmCharacters: ["😀", "“", "”"], template: null });
    expect(emoji.body.data?.warnings).toEqual([expect.stringMatching(/UCS-2/)]);
    const long = await call(base, "preview-message", { token: await tokens.owner(), json: { workspaceId: "ws_demo", body: "€".repeat(81) } });
    expect(long.body.data).toMatchObject({ characters: 81, encoding: "GSM-7", segments: 2 });
  });

  it("warns about an opted-out recipient, and refuses an unknown template and unknown variables", async () => {
    await sql`insert into public.sms_opt_outs (workspace_id, phone) values ('ws_demo', '+61412000999') on conflict do nothing`;
    const optedOut = await call(base, "preview-message", { token: await tokens.owner(), json: { workspaceId: "ws_demo", body: "Hi", to: "+61412000999" } });
    expect(optedOut.body.data?.warnings).toEqual([expect.stringMatching(/opted out/)]);
    await sql`delete from public.sms_opt_outs where workspace_id = 'ws_demo' and phone = '+61412000999'`;
    const unknown = await call(base, "preview-message", { token: await tokens.owner(), json: { workspaceId: "ws_demo", templateId: "tpl_nope" } });
    expect([unknown.status, unknown.body.error?.code]).toEqual([404, "template_not_found"]);
    const { templateId } = await createTemplate();
    const misspelt = await call(base, "preview-message", {
      token: await tokens.owner(), json: { workspaceId: "ws_demo", templateId, variables: { frist_name: "Ann", time: "5pm" } },
    });
    expect([misspelt.status, misspelt.body.error?.details?.fields]).toEqual([400, [{ field: "variables.frist_name", message: "is not a variable of the template" }]]);
  });
});

describe("preview-message with a draft (the editor's live preview)", () => {
  it("renders a template not saved yet, creating nothing, and refuses it as saving would", async () => {
    const [before] = await sql<{ n: number }[]>`select count(*)::int as n from public.message_templates`;
    const draft = await call(base, "preview-message", {
      token: await tokens.viewer(), json: { workspaceId: "ws_demo", draft: reminder, variables: { time: "5pm" } },
    });
    expect(draft.body.data).toMatchObject({ body: "Hi there, see you at 5pm.", segments: 1, missingVariables: [], template: null });
    const unsaved = await call(base, "preview-message", {
      token: await tokens.owner(), json: { workspaceId: "ws_demo", draft: { body: "Hi {{ frist_name }}", variables: [{ name: "first_name" }] } },
    });
    expect([unsaved.status, unsaved.body.error?.code]).toEqual([400, "template_invalid"]);
    expect(unsaved.body.error?.details?.fields).toEqual([{ field: "draft.body", message: expect.stringContaining("frist_name") }]);
    const both = await call(base, "preview-message", {
      token: await tokens.owner(), json: { workspaceId: "ws_demo", body: "Hi", draft: reminder },
    });
    expect([both.status, both.body.error?.code]).toEqual([400, "validation_failed"]);
    const [after] = await sql<{ n: number }[]>`select count(*)::int as n from public.message_templates`;
    expect(after?.n).toBe(before?.n);
  });
});

describe("messages from a template", () => {
  it("schedules a rendered message, and job-status shows the body, the template version and the segments", async () => {
    const { templateId } = await createTemplate();
    const scheduled = await call(base, "schedule-delay", {
      token: await tokens.member(),
      json: { to: "+61412345678", workspaceId: "ws_demo", templateId, variables: { first_name: "Ann", time: "5pm" }, delayMinutes: 60 },
    });
    expect(scheduled.status).toBe(200);
    const status = await call(base, "job-status", { token: await tokens.viewer(), query: { jobId: String(scheduled.body.data?.jobId), workspaceId: "ws_demo" } });
    expect(status.body.data).toMatchObject({
      body: "Hi Ann, see you at 5pm.", encoding: "GSM-7", segments: 1, twilioSegments: null,
      template: { templateId, version: 1, variables: { first_name: "Ann", time: "5pm" } },
    });
  });

  it("refuses a missing required variable (naming it, whitespace counting as missing) and changes nothing", async () => {
    const { templateId } = await createTemplate();
    const [before] = await sql<{ n: number }[]>`select count(*)::int as n from public.scheduled_sms_jobs`;
    for (const variables of [{ first_name: "Ann" }, { first_name: "Ann", time: " \t " }, undefined]) {
      const answer = await call(base, "send-sms", {
        token: await tokens.owner(), json: { to: "+61412345678", workspaceId: "ws_demo", templateId, ...(variables === undefined ? {} : { variables }) },
      });
      expect([answer.status, answer.body.error?.code]).toEqual([400, "template_variable_missing"]);
      expect(answer.body.error?.message).toMatch(/`time`/);
      expect(answer.body.error?.details?.fields?.[0]?.field).toBe("variables");
    }
    const [after] = await sql<{ n: number }[]>`select count(*)::int as n from public.scheduled_sms_jobs`;
    expect(after?.n).toBe(before?.n);
  });

  it("refuses an unknown or archived template (404), a body too long once rendered, and both body and template", async () => {
    const { templateId } = await createTemplate({ body: "{{ time }}{{ time }}{{ time }}{{ time }}", variables: [{ name: "time", required: true }] });
    const tooLong = await call(base, "send-sms", {
      token: await tokens.owner(), json: { to: "+61412345678", workspaceId: "ws_demo", templateId, variables: { time: "x".repeat(401) } },
    });
    expect([tooLong.status, tooLong.body.error?.code]).toEqual([400, "invalid_body"]);
    await call(base, "archive-template", { token: await tokens.owner(), json: { workspaceId: "ws_demo", templateId } });
    const archived = await call(base, "send-sms", { token: await tokens.owner(), json: { to: "+61412345678", workspaceId: "ws_demo", templateId, variables: { time: "5pm" } } });
    expect([archived.status, archived.body.error?.code]).toEqual([404, "template_not_found"]);
    const [foreign] = await sql<{ id: string }[]>`
      insert into public.message_templates (workspace_id, name, body) values ('ws_other', ${uniqueName("Theirs")}, 'Hello') returning id`;
    const theirs = await call(base, "send-sms", { token: await tokens.owner(), json: { to: "+61412345678", workspaceId: "ws_demo", templateId: foreign?.id } });
    expect([theirs.status, theirs.body.error?.code]).toEqual([404, "template_not_found"]);
    const both = await call(base, "send-sms", { token: await tokens.owner(), json: { to: "+61412345678", workspaceId: "ws_demo", body: "Hi", templateId } });
    expect([both.status, both.body.error?.details?.fields?.[0]?.field]).toEqual([400, "templateId"]);
    const neither = await call(base, "send-sms", { token: await tokens.owner(), json: { to: "+61412345678", workspaceId: "ws_demo" } });
    expect([neither.status, neither.body.error?.details?.fields?.[0]?.field]).toEqual([400, "body"]);
    const stray = await call(base, "send-sms", { token: await tokens.owner(), json: { to: "+61412345678", workspaceId: "ws_demo", body: "Hi", variables: { a: "b" } } });
    expect([stray.status, stray.body.error?.details?.fields?.[0]?.field]).toEqual([400, "variables"]);
  });

  it("counts segments for plain bodies too, and a recurring schedule's occurrences carry its template", async () => {
    const plain = await call(base, "schedule-until", {
      token: await tokens.owner(),
      json: { to: "+61412345678", workspaceId: "ws_demo", body: "ж".repeat(71), scheduledTime: new Date(Date.now() + 3600_000).toISOString() },
    });
    const plainStatus = await call(base, "job-status", { token: await tokens.owner(), query: { jobId: String(plain.body.data?.jobId), workspaceId: "ws_demo" } });
    expect(plainStatus.body.data).toMatchObject({ encoding: "UCS-2", segments: 2, template: null });

    const { templateId } = await createTemplate();
    const schedule = await call(base, "schedule-recurring", {
      token: await tokens.owner(),
      json: { to: "+61412345678", workspaceId: "ws_demo", templateId, variables: { time: "9am" }, cron: "* * * * *" },
    });
    expect(schedule.status).toBe(200);
    const scheduleId = String(schedule.body.data?.jobId);
    const scheduleStatus = await call(base, "job-status", { token: await tokens.owner(), query: { jobId: scheduleId, workspaceId: "ws_demo" } });
    expect(scheduleStatus.body.data).toMatchObject({ body: "Hi there, see you at 9am.", template: { templateId, version: 1 }, segments: 1 });
    // A newer version of the template does not change what the schedule sends.
    await call(base, "update-template", { token: await tokens.owner(), json: { workspaceId: "ws_demo", templateId, body: "Changed {{ time }} {{ first_name }}" } });
    await sql`select private.materialise_recurring(now())`;
    const [occurrence] = await sql<{ body: string; template_version: number; segments: number }[]>`
      select body, template_version, segments from public.scheduled_sms_jobs where recurring_schedule_id = ${scheduleId} limit 1`;
    expect(occurrence).toEqual({ body: "Hi there, see you at 9am.", template_version: 1, segments: 1 });
    await call(base, "cancel-job", { token: await tokens.owner(), json: { jobId: scheduleId, workspaceId: "ws_demo" } });
  });
});
