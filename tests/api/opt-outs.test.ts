// Opt-out management and inbound messages over the API (issue 15): writers add an opt-out (pending
// messages to the number are cancelled, later sends refused); owners and admins remove one with a
// reason, members and viewers cannot; every change is in the history; GET opt-outs and GET
// inbound-messages list newest first in pages.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../support/database.ts";
import { type ApiServer, call, startApiServer, tokens } from "./support/api-server.ts";

const sql = connect();
let api: ApiServer;
let owner: string;
let member: string;
let viewer: string;
let service: string;
let otherOwner: string;
const phones = ["+61414000101", "+61414000102", "+61414000103", "+61414000104"] as const;

beforeAll(async () => {
  api = await startApiServer();
  [owner, member, viewer, service, otherOwner] = await Promise.all([tokens.owner(), tokens.member(), tokens.viewer(),
    tokens.service(), tokens.otherOwner()]);
});
afterAll(async () => {
  await sql`select private.remove_opt_out(o.workspace_id, o.phone, 'manual', 'test cleanup')
    from public.sms_opt_outs o where o.phone = any (${[...phones]})`;
  await api.stop();
  await sql.end();
});

const post = (route: string, json: unknown, token = owner, headers: Record<string, string> = {}) =>
  call(api.baseUrls.spec, route, { token, json, headers });
const get = (route: string, query: Record<string, string>, token = owner) =>
  call(api.baseUrls.spec, route, { token, query: { workspaceId: "ws_demo", ...query } });

describe("POST add-opt-out", () => {
  it("cancels the number's pending messages, refuses later sends, and is idempotent", async () => {
    const [phone] = phones;
    const jobs = await sql<{ id: string }[]>`
      insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, scheduled_time)
      select 'ws_demo', ${phone}, 'reminder ' || g, now() + g * interval '1 day' from generate_series(1, 2) g returning id`;
    const added = await post("add-opt-out", { workspaceId: "ws_demo", phone: "+61 414 000 101", reason: " Asked at the front desk " }, member);
    expect(added.status).toBe(200);
    expect(added.body.data).toMatchObject({ created: true, cancelledJobs: 2,
      optOut: { phone, source: "api", reason: "Asked at the front desk", createdBy: "00000000-0000-4000-8000-000000000004" } });
    const statuses = await sql<{ status: string; status_reason: string }[]>`
      select status, status_reason from public.scheduled_sms_jobs where id = any (${jobs.map((j) => j.id)})`;
    expect(statuses).toEqual([{ status: "cancelled", status_reason: "recipient_opted_out" }, { status: "cancelled", status_reason: "recipient_opted_out" }]);

    const send = await post("send-sms", { workspaceId: "ws_demo", to: phone, body: "Hello?" });
    expect(send.status).toBe(409);
    expect(send.body.error?.code).toBe("recipient_opted_out");

    const again = await post("add-opt-out", { workspaceId: "ws_demo", phone }, owner);
    expect(again.body.data).toMatchObject({ created: false, cancelledJobs: 0, optOut: { source: "api", reason: "Asked at the front desk" } });
  });

  it("replays the first answer for a repeated Idempotency-Key", async () => {
    const phone = phones[1];
    const headers = { "Idempotency-Key": `opt-out-${Date.now()}` };
    const first = await post("add-opt-out", { workspaceId: "ws_demo", phone }, owner, headers);
    const second = await post("add-opt-out", { workspaceId: "ws_demo", phone }, owner, headers);
    expect(first.body.data?.created).toBe(true);
    expect(second.body).toEqual(first.body);
  });

  it("refuses a viewer and another workspace's owner", async () => {
    const viewerAnswer = await post("add-opt-out", { workspaceId: "ws_demo", phone: phones[2] }, viewer);
    expect([viewerAnswer.status, viewerAnswer.body.error?.code]).toEqual([403, "forbidden"]);
    const stranger = await post("add-opt-out", { workspaceId: "ws_demo", phone: phones[2] }, otherOwner);
    expect([stranger.status, stranger.body.error?.code]).toEqual([403, "forbidden"]);
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from public.sms_opt_outs where phone = ${phones[2]}`;
    expect(row?.n).toBe(0);
  });
});

describe("POST remove-opt-out", () => {
  it("only owners, admins and the service role remove one, with a reason, kept in the history", async () => {
    const [phone] = phones;
    const byMember = await post("remove-opt-out", { workspaceId: "ws_demo", phone, reason: "They asked again" }, member);
    expect([byMember.status, byMember.body.error?.code]).toEqual([403, "forbidden"]);
    const byViewer = await post("remove-opt-out", { workspaceId: "ws_demo", phone, reason: "They asked again" }, viewer);
    expect([byViewer.status, byViewer.body.error?.code]).toEqual([403, "forbidden"]);
    const noReason = await post("remove-opt-out", { workspaceId: "ws_demo", phone }, owner);
    expect([noReason.status, noReason.body.error?.details?.fields?.[0]?.field]).toEqual([400, "reason"]);
    const blank = await post("remove-opt-out", { workspaceId: "ws_demo", phone, reason: "   " }, owner);
    expect(blank.status).toBe(400);

    const removed = await post("remove-opt-out", { workspaceId: "ws_demo", phone, reason: "Texted us to resume reminders" }, owner);
    expect(removed.status).toBe(200);
    expect(removed.body.data).toMatchObject({ phone, reason: "Texted us to resume reminders", removed: { source: "api" } });
    expect((await post("send-sms", { workspaceId: "ws_demo", to: phone, body: "Welcome back" })).status).toBe(200);

    const missing = await post("remove-opt-out", { workspaceId: "ws_demo", phone, reason: "Twice" }, owner);
    expect([missing.status, missing.body.error?.code]).toEqual([404, "opt_out_not_found"]);

    const history = await get("opt-outs", { phone }, viewer);
    expect(history.body.data?.history).toMatchObject([
      { action: "removed", source: "api", reason: "Texted us to resume reminders", actor: "00000000-0000-4000-8000-000000000001" },
      { action: "added", source: "api", reason: "Asked at the front desk", actor: "00000000-0000-4000-8000-000000000004" },
    ]);

    const byService = await post("remove-opt-out", { workspaceId: "ws_demo", phone: phones[1], reason: "Imported from CRM" }, service);
    expect(byService.status).toBe(200);
  });
});

describe("GET opt-outs", () => {
  it("lists newest first in pages that never repeat a row; any member reads; strangers are refused", async () => {
    await post("add-opt-out", { workspaceId: "ws_demo", phone: phones[2], reason: "first" });
    await post("add-opt-out", { workspaceId: "ws_demo", phone: phones[3], reason: "second" });
    const first = await get("opt-outs", { limit: "1" }, viewer);
    expect(first.status).toBe(200);
    const page1 = first.body.data?.optOuts as { phone: string }[];
    expect(page1.map((o) => o.phone)).toEqual([phones[3]]);
    const second = await get("opt-outs", { limit: "1", cursor: String(first.body.data?.nextCursor) }, viewer);
    expect((second.body.data?.optOuts as { phone: string }[]).map((o) => o.phone)).toEqual([phones[2]]);
    const filtered = await get("opt-outs", { phone: phones[2] }, member);
    expect(filtered.body.data?.optOuts).toMatchObject([{ phone: phones[2], source: "api", reason: "first" }]);
    expect(filtered.body.data?.nextCursor).toBeNull();

    const badCursor = await get("opt-outs", { cursor: "bm90IGEgY3Vyc29y" });
    expect([badCursor.status, badCursor.body.error?.details?.fields?.[0]?.field]).toEqual([400, "cursor"]);
    expect((await get("opt-outs", {}, otherOwner)).status).toBe(403);
  });
});

describe("GET inbound-messages", () => {
  it("lists what recipients sent, newest first, with the action taken; pages and a number filter", async () => {
    for (const [label, body] of [["a", "Thanks!"], ["b", "HELP"], ["c", "See you then"]] as const) {
      await sql`select * from private.record_inbound_message('ws_demo', ${`SM${label.repeat(32)}`}, ${`AC${"de".repeat(16)}`},
        ${phones[3]}, '+15005550006', null, ${body}, 0)`;
    }
    const first = await get("inbound-messages", { limit: "2", phone: phones[3] }, viewer);
    expect(first.status).toBe(200);
    expect(first.body.data?.messages).toMatchObject([
      { body: "See you then", action: "none", effect: "logged", from: phones[3], to: "+15005550006" },
      { body: "HELP", action: "help", keyword: "HELP", effect: "logged" },
    ]);
    const rest = await get("inbound-messages", { limit: "2", phone: phones[3], cursor: String(first.body.data?.nextCursor) }, viewer);
    expect(rest.body.data?.messages).toMatchObject([{ body: "Thanks!" }]);
    expect(rest.body.data?.nextCursor).toBeNull();
    expect((await get("inbound-messages", {}, otherOwner)).status).toBe(403);
  });
});
