// Senders' rates and the daily cap over the API (issue 14): GET senders shows each sender's rate,
// backlog and time to drain it; owners and admins change a rate and the daily cap, members cannot;
// GET sending-limits shows the cap and today's usage in the workspace's local day.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseLimits } from "../../supabase/functions/_shared/limits.ts";
import { connect } from "../support/database.ts";
import { type ApiServer, call, startApiServer, tokens } from "./support/api-server.ts";

/** The share of a sender's rate that send slots are given at (the pacing headroom taken off). */
const slotShare = 1 - databaseLimits.sender_pacing_headroom_percent / 100;

const sql = connect();
let api: ApiServer;
let owner: string;
let member: string;
let viewer: string;
const sender = "+15005550301";

beforeAll(async () => {
  api = await startApiServer();
  [owner, member, viewer] = await Promise.all([tokens.owner(), tokens.member(), tokens.viewer()]);
  await sql`insert into public.workspace_senders (sender, workspace_id, label) values (${sender}, 'ws_demo', 'api test line')`;
});
afterAll(async () => {
  await sql`delete from public.scheduled_sms_jobs where from_number = ${sender}`;
  await sql`delete from public.workspace_senders where sender = ${sender}`;
  await sql`update public.workspace_settings set daily_message_cap = null where workspace_id = 'ws_demo'`;
  await api.stop();
  await sql.end();
});

interface SenderLine { sender: string }
/** A sender's line of a senders answer. */
function lineOf(body: { data?: Record<string, unknown> }, of: string): unknown {
  return (body.data?.senders as SenderLine[] | undefined)?.find((s) => s.sender === of);
}

const get = (route: string, token = owner) => call(api.baseUrls.spec, route, { token, query: { workspaceId: "ws_demo" } });
const post = (route: string, json: unknown, token = owner) => call(api.baseUrls.spec, route, { token, json });

describe("GET senders / POST update-sender", () => {
  it("shows the default rate of the sender's kind, its backlog due now and the time to drain it", async () => {
    // Ten due messages of two segments each wait for the sender (not claimed: no runner here).
    await sql`
      insert into public.scheduled_sms_jobs (workspace_id, to_phone, from_number, body, segments)
      select 'ws_demo', '+6141234' || lpad(g::text, 4, '0'), ${sender}, 'backlog ' || g, 2 from generate_series(1, 10) g`;
    const answer = await get("senders", viewer);
    expect(answer.status).toBe(200);
    // 20 segments at 1/s less the pacing headroom (slots are 5% wider than the rate): 21.1 s, to a tenth.
    expect(lineOf(answer.body, sender)).toMatchObject({ kind: "long_code", messagesPerSecond: 1, defaultRate: true,
      backlog: { messages: 10, segments: 20 }, drainSeconds: Math.round((20 / slotShare) * 10) / 10, nextSlotTime: null });
    expect(lineOf(answer.body, "+15005550006")).toMatchObject({ messagesPerSecond: 1000, defaultRate: false });
  });

  it("lets an owner set a rate and restore the default; a member is refused", async () => {
    expect((await post("update-sender", { workspaceId: "ws_demo", sender, messagesPerSecond: 5 }, member)).status).toBe(403);
    const set = await post("update-sender", { workspaceId: "ws_demo", sender, messagesPerSecond: 5 });
    expect(set.status).toBe(200);
    expect(lineOf(set.body, sender))
      .toMatchObject({ messagesPerSecond: 5, defaultRate: false, drainSeconds: Math.round((20 / (5 * slotShare)) * 10) / 10 });
    const back = await post("update-sender", { workspaceId: "ws_demo", sender, messagesPerSecond: null });
    expect(lineOf(back.body, sender))
      .toMatchObject({ messagesPerSecond: 1, defaultRate: true });
  });

  it("refuses a rate out of range and a sender of another workspace", async () => {
    const tooFast = await post("update-sender", { workspaceId: "ws_demo", sender, messagesPerSecond: 1001 });
    expect(tooFast.status).toBe(400);
    expect(tooFast.body.error?.code).toBe("validation_failed");
    const foreign = await post("update-sender", { workspaceId: "ws_demo", sender: "+15017122661", messagesPerSecond: 5 });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error?.code).toBe("sender_not_allowed");
  });
});

describe("GET sending-limits / POST update-sending-limits", () => {
  it("shows no cap by default, and today's usage in the workspace's local day", async () => {
    const answer = await get("sending-limits", viewer);
    expect(answer.status).toBe(200);
    const [today] = await sql<{ day: string }[]>`select ((now() at time zone 'Australia/Brisbane')::date)::text as day`;
    expect(answer.body.data).toMatchObject({ dailyMessageCap: null, timezone: "Australia/Brisbane", localDay: today?.day });
    expect(answer.body.data?.usedToday).toBeGreaterThanOrEqual(0);
  });

  it("lets an owner set and clear the cap; a member is refused; out of range is a validation error", async () => {
    expect((await post("update-sending-limits", { workspaceId: "ws_demo", dailyMessageCap: 100 }, member)).status).toBe(403);
    const set = await post("update-sending-limits", { workspaceId: "ws_demo", dailyMessageCap: 100 });
    expect(set.status).toBe(200);
    expect(set.body.data?.dailyMessageCap).toBe(100);
    expect((await post("update-sending-limits", { workspaceId: "ws_demo", dailyMessageCap: 0 })).status).toBe(400);
    const cleared = await post("update-sending-limits", { workspaceId: "ws_demo", dailyMessageCap: null });
    expect(cleared.body.data?.dailyMessageCap).toBeNull();
  });
});
