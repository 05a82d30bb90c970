// Sender routing and quiet hours over the API (issue 15), as a new user would try them: a message to a
// UK number leaves from the workspace's UK sender and says why; a recipient's last sender is kept;
// an explicit sender always wins and a foreign one is still refused; senders show (and owners set)
// their country; with quiet hours on and the window closed, a marketing send-sms is scheduled for
// the window's opening and says why, a transactional one is not held, and bulk sends are marketing
// unless they say otherwise.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, seededUsers } from "../support/database.ts";
import { type ApiServer, call, startApiServer, tokens } from "./support/api-server.ts";

const sql = connect();
const workspaceId = "ws_routing";
const usSender = "+15005550711";
const ukSender = "+447700900711";
const auSender = "+61480000711";
const messagingService = "MG" + "71".repeat(16);
let api: ApiServer;
let owner: string;
let member: string;

beforeAll(async () => {
  await sql`insert into public.workspaces (id, name) values (${workspaceId}, 'Routing Test') on conflict do nothing`;
  await sql`insert into public.workspace_members (workspace_id, user_id, role) values
    (${workspaceId}, ${seededUsers.demoOwner.id}, 'owner'), (${workspaceId}, ${seededUsers.demoMember.id}, 'member')
    on conflict do nothing`;
  await sql`insert into public.workspace_senders (sender, workspace_id, label) values
    (${usSender}, ${workspaceId}, 'US line'), (${ukSender}, ${workspaceId}, 'UK line'),
    (${auSender}, ${workspaceId}, 'AU line'), (${messagingService}, ${workspaceId}, 'Messaging Service')`;
  await sql`update public.workspace_settings set timezone = 'America/New_York', default_sender = ${usSender}
    where workspace_id = ${workspaceId}`;
  api = await startApiServer({}, { generousRateLimits: true });
  [owner, member] = await Promise.all([tokens.owner(), tokens.member()]);
});
afterAll(async () => {
  await sql`delete from public.workspaces where id = ${workspaceId}`;
  await api.stop();
  await sql.end();
});

const post = (route: string, json: Record<string, unknown>, token = owner) =>
  call(api.baseUrls.spec, route, { token, json: { workspaceId, ...json } });
const get = (route: string, query: Record<string, string> = {}, token = owner) =>
  call(api.baseUrls.spec, route, { token, query: { workspaceId, ...query } });

/** HH:MM of an instant in a timezone. */
function localTime(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(at);
}

describe("sender routing", () => {
  it("sends a message to a UK number from the workspace's UK sender, and says why", async () => {
    const answer = await post("send-sms", { to: "+447911100001", body: "Your session is booked" });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ fromNumber: ukSender, senderSelection: "geo_match", category: "transactional" });
    const status = await get("job-status", { jobId: String(answer.body.data?.jobId) });
    expect(status.body.data).toMatchObject({ fromNumber: ukSender, senderSelection: "geo_match" });
  });

  it("keeps a recipient's last sender when no sender is of their country (sticky), else uses the default", async () => {
    const first = await post("send-sms", { to: "+4915112340001", body: "Hallo", fromNumber: auSender });
    expect(first.body.data).toMatchObject({ fromNumber: auSender, senderSelection: "explicit" });
    const second = await post("schedule-delay", { to: "+4915112340001", body: "Hallo again", delayMinutes: 10 });
    expect(second.body.data).toMatchObject({ fromNumber: auSender, senderSelection: "sticky" });
    const stranger = await post("send-sms", { to: "+819012340001", body: "Konnichiwa" });
    expect(stranger.body.data).toMatchObject({ fromNumber: usSender, senderSelection: "default" });
  });

  it("always takes an explicit sender, and still refuses one of another workspace", async () => {
    const explicit = await post("send-sms", { to: "+447911100002", body: "From the US line", fromNumber: usSender });
    expect(explicit.body.data).toMatchObject({ fromNumber: usSender, senderSelection: "explicit" });
    const before = await sql`select count(*)::int as n from public.scheduled_sms_jobs where workspace_id = ${workspaceId}`;
    const foreign = await post("send-sms", { to: "+447911100002", body: "Not ours", fromNumber: "+15017122661" });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error?.code).toBe("sender_not_allowed");
    expect(await sql`select count(*)::int as n from public.scheduled_sms_jobs where workspace_id = ${workspaceId}`).toEqual(before);
  });

  it("routes a recurring schedule once and shows its sender, reason and category", async () => {
    const answer = await post("schedule-recurring", { to: "+447911100003", body: "Weekly tip", cron: "0 9 * * MON", category: "marketing" });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ fromNumber: ukSender, senderSelection: "geo_match", category: "marketing" });
  });
});

describe("senders' countries", () => {
  interface Line { sender: string; country: string | null }
  const lineOf = (body: { data?: Record<string, unknown> }, sender: string) =>
    (body.data?.senders as Line[] | undefined)?.find((s) => s.sender === sender);

  it("shows each sender's country, derived from its number (none for a Messaging Service)", async () => {
    const answer = await get("senders", {}, member);
    expect(answer.status).toBe(200);
    expect([ukSender, usSender, auSender, messagingService].map((s) => lineOf(answer.body, s)?.country))
      .toEqual(["GB", "US", "AU", null]);
  });

  it("lets an owner set a Messaging Service's country, which then takes part in geo-match; a member is refused", async () => {
    expect((await post("update-sender", { sender: messagingService, country: "FR" }, member)).status).toBe(403);
    const set = await post("update-sender", { sender: messagingService, country: "FR" });
    expect(set.status).toBe(200);
    expect(lineOf(set.body, messagingService)?.country).toBe("FR");
    const french = await post("send-sms", { to: "+33612340001", body: "Bonjour" });
    expect(french.body.data).toMatchObject({ fromNumber: messagingService, senderSelection: "geo_match" });
  });

  it("refuses a country it does not know, a malformed one and an empty update", async () => {
    const unknown = await post("update-sender", { sender: messagingService, country: "XX" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error?.code).toBe("invalid_country");
    const lower = await post("update-sender", { sender: messagingService, country: "fr" });
    expect(lower.status).toBe(400);
    expect(lower.body.error?.code).toBe("validation_failed");
    const empty = await post("update-sender", { sender: messagingService });
    expect(empty.status).toBe(400);
    expect(empty.body.error?.code).toBe("validation_failed");
    expect(lineOf((await get("senders")).body, messagingService)?.country).toBe("FR");
  });
});

describe("quiet hours", () => {
  it("are off by default, 08:00-21:00; only owners and admins change them", async () => {
    const answer = await get("quiet-hours", {}, member);
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual({ workspaceId, enabled: false, start: "08:00", end: "21:00",
      workspaceTimezone: "America/New_York", heldMessages: 0 });
    const refused = await post("update-quiet-hours", { enabled: true }, member);
    expect(refused.status).toBe(403);
    expect(refused.body.error?.code).toBe("forbidden");
  });

  it("refuse a window that opens when it closes, however it is asked", async () => {
    const same = await post("update-quiet-hours", { start: "09:00", end: "09:00" });
    expect(same.status).toBe(400);
    expect(same.body.error?.code).toBe("validation_failed");
    // Only the start, equal to the end in force: the database's check.
    const againstStored = await post("update-quiet-hours", { start: "21:00" });
    expect(againstStored.status).toBe(400);
    expect(againstStored.body.error?.code).toBe("invalid_quiet_hours");
    const badTime = await post("update-quiet-hours", { start: "25:00" });
    expect(badTime.body.error?.code).toBe("validation_failed");
    expect((await get("quiet-hours")).body.data).toMatchObject({ enabled: false, start: "08:00", end: "21:00" });
  });

  it("schedule a marketing send-sms outside the window for its opening, and say why; transactional is never held", async () => {
    // A window that is closed now in London, opening within the hour.
    const now = new Date();
    const start = localTime(new Date(now.getTime() + 60 * 60_000), "Europe/London");
    const end = localTime(new Date(now.getTime() + 120 * 60_000), "Europe/London");
    const on = await post("update-quiet-hours", { enabled: true, start, end });
    expect(on.status).toBe(200);
    expect(on.body.data).toMatchObject({ enabled: true, start, end });

    const marketing = await post("send-sms", { to: "+447911100010", body: "20% off this week", category: "marketing" });
    expect(marketing.status).toBe(200);
    const data = marketing.body.data as Record<string, string>;
    expect(data).toMatchObject({ status: "scheduled", statusReason: "quiet_hours", category: "marketing" });
    const opening = new Date(data.scheduledTime ?? "");
    expect(localTime(opening, "Europe/London")).toBe(start);
    expect(opening.getTime() - now.getTime()).toBeGreaterThan(58 * 60_000);
    expect(opening.getTime() - now.getTime()).toBeLessThanOrEqual(60 * 60_000);
    expect(Math.abs(new Date(data.requestedTime ?? "").getTime() - now.getTime())).toBeLessThan(60_000);
    const events = await get("job-events", { jobId: data.jobId ?? "" });
    expect((events.body.data?.events as { type: string }[]).map((e) => e.type)).toContain("quiet_hours");

    const transactional = await post("send-sms", { to: "+447911100011", body: "Your code is 1234" });
    expect(transactional.body.data).toMatchObject({ status: "queued", statusReason: null, requestedTime: null, category: "transactional" });

    expect((await get("quiet-hours")).body.data).toMatchObject({ heldMessages: 1 });
  });

  it("hold bulk sends, marketing by default, unless they say they are transactional", async () => {
    const recipients = [{ to: "+447911100020" }, { to: "+447911100021" }];
    const bulk = await post("schedule-bulk", { body: "Spring sale", recipients });
    expect(bulk.status).toBe(200);
    const bulkJobs = await sql<{ category: string; status_reason: string | null; from_number: string }[]>`
      select category, status_reason, from_number from public.scheduled_sms_jobs where batch_id = ${String(bulk.body.data?.batchId)}`;
    expect(bulkJobs).toEqual([
      { category: "marketing", status_reason: "quiet_hours", from_number: ukSender },
      { category: "marketing", status_reason: "quiet_hours", from_number: ukSender },
    ]);
    const urgent = await post("schedule-bulk", { body: "Class cancelled today", recipients, category: "transactional" });
    const urgentJobs = await sql<{ category: string; status_reason: string | null }[]>`
      select category, status_reason from public.scheduled_sms_jobs where batch_id = ${String(urgent.body.data?.batchId)}`;
    expect(urgentJobs).toEqual([
      { category: "transactional", status_reason: null },
      { category: "transactional", status_reason: null },
    ]);
  });

  it("read a US recipient's window on the workspace's clock (the US has several timezones)", async () => {
    const now = new Date();
    const start = localTime(new Date(now.getTime() + 60 * 60_000), "America/New_York");
    const end = localTime(new Date(now.getTime() + 120 * 60_000), "America/New_York");
    await post("update-quiet-hours", { start, end });
    const answer = await post("send-sms", { to: "+12125550710", body: "Deals near you", category: "marketing" });
    const data = answer.body.data as Record<string, string>;
    expect(data.statusReason).toBe("quiet_hours");
    expect(localTime(new Date(data.scheduledTime ?? ""), "America/New_York")).toBe(start);
  });
});
