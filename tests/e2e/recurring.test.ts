// Issue 5's "Done when", tried as a new user would over the whole local stack: a schedule with
// cron "* * * * *" created through the API (real Deno) sends one message a minute to the Twilio
// simulator, each within seconds after its minute boundary, and cancel-job stops it with no
// further message. Nothing is driven by hand: the database's own pg_cron sweep (every minute, as
// in production) materialises the occurrences and the local runner sends them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUserToken } from "../../dev/access-token.ts";
import { seededUsers } from "../support/database.ts";
import { startLocalStack, waitFor, type ApiAnswer, type LocalStack } from "../support/local-stack.ts";

let stack: LocalStack;
let token: string;

function api(method: "GET" | "POST", route: string, body?: unknown): Promise<ApiAnswer> {
  return stack.api(token, method, route, body);
}

beforeAll(async () => {
  stack = await startLocalStack({ callbacks: { statusDelayMs: 20 } });
  await stack.startRunner();
  token = await signUserToken({ userId: seededUsers.demoOwner.id, email: seededUsers.demoOwner.email });
}, 60_000);

afterAll(async () => {
  await stack.stop();
});

const minute = 60_000;
/** How late after its minute boundary a message may reach Twilio. */
const allowedLatenessMs = 5_000;

describe("a recurring schedule over the whole local stack", () => {
  it('cron "* * * * *": one message a minute, on time; cancel-job stops it with no further message', async () => {
    // A recipient of its own, so the simulator's messages for this schedule can be told apart.
    const to = `+61413${String(Date.now() % 1_000_000).padStart(6, "0")}`;
    const body = `Every minute ${Date.now()}`;
    const created = await api("POST", "schedule-recurring", { to, body, workspaceId: "ws_demo", cron: "* * * * *" });
    expect(created.status).toBe(200);
    expect(created.json.data).toMatchObject({ kind: "recurring", status: "active", cron: "* * * * *", timezone: "Australia/Brisbane" });
    const scheduleId: string = created.json.data.jobId;
    const runs = (created.json.data.nextRuns as string[]).map((run) => Date.parse(run));
    expect(runs).toHaveLength(5);
    // The next five minute boundaries after the schedule was created.
    expect(runs[0]).toBe(Math.floor(Date.parse(created.json.data.createdTime) / minute) * minute + minute);
    runs.forEach((run, i) => expect(run - (runs[0] ?? 0)).toBe(i * minute));
    const [first = 0, second = 0, third = 0] = runs;

    const sentTwice = await waitFor("two messages", async () => {
      const sent = stack.simulator.messages({ to });
      return sent.length >= 2 ? sent : undefined;
    }, second - Date.now() + 15_000, 100);
    expect(sentTwice.map((m) => m.body)).toEqual([body, body]);
    // Each within a few seconds after its minute boundary, never before it.
    const lateness = sentTwice.map((m, i) => m.receivedAt - (i === 0 ? first : second));
    console.log(`recurring e2e: sent ${lateness.join(" ms and ")} ms after their minute boundaries`);
    for (const ms of lateness) {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThan(allowedLatenessMs);
    }

    const cancelled = await api("POST", "cancel-job", { jobId: scheduleId, workspaceId: "ws_demo" });
    expect(cancelled.json).toEqual({ success: true, data: { jobId: scheduleId, status: "cancelled" } });

    // Past the next minute boundary (and its sweep): nothing more is sent.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, third + allowedLatenessMs - Date.now())));
    expect(stack.simulator.requests().filter((r) => r.to === to)).toHaveLength(2);

    const status = await api("GET", `job-status?jobId=${scheduleId}&workspaceId=ws_demo`);
    expect(status.json.data).toMatchObject({
      kind: "recurring", status: "cancelled", nextRun: null, counts: { sent: 2, failed: 0, pending: 0 },
    });
    // Occurrences materialised ahead of time were cancelled with the schedule, none sent.
    expect(status.json.data.counts.cancelled).toBe(status.json.data.counts.occurrences - 2);
    const [late] = await stack.sql<{ n: number }[]>`
      select count(*)::int as n from public.scheduled_sms_jobs
      where recurring_schedule_id = ${scheduleId} and status <> 'cancelled' and occurrence_at > ${new Date(second)}`;
    expect(late?.n).toBe(0);
  }, 210_000);
});
