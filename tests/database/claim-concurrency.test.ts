// Claiming is the heart of "sent once": concurrent claimers must never get the same job.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Sql } from "../support/database.ts";

const sql = connect({ max: 8 });
const workspace = "ws_demo";

async function clearJobs(db: Sql): Promise<void> {
  await db`delete from public.scheduled_sms_jobs where workspace_id = ${workspace}`;
}

beforeAll(() => clearJobs(sql));
afterAll(async () => {
  await clearJobs(sql);
  await sql`delete from public.workspace_senders where sender = '+15005550401'`;
  await sql.end();
});

describe("claim_due_jobs under concurrency", () => {
  it("four workers claiming 2,000 due jobs at once each get distinct jobs and together get all", async () => {
    const total = 2000;
    await sql`
      insert into public.scheduled_sms_jobs (workspace_id, to_phone, body)
      select ${workspace}, '+614' || lpad(g::text, 8, '0'), 'hello ' || g
      from generate_series(1, ${total}) g`;

    const workers = ["w1", "w2", "w3", "w4"];
    const claimedBy = new Map<string, string[]>();
    await Promise.all(workers.map(async (worker) => {
      const mine: string[] = [];
      for (;;) {
        const rows = await sql<{ id: string }[]>`select id from private.claim_due_jobs(${worker}, 50, 60)`;
        if (rows.length === 0) break;
        mine.push(...rows.map((r) => r.id));
      }
      claimedBy.set(worker, mine);
    }));

    const all = [...claimedBy.values()].flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(total);
    // Work was actually shared, not taken by one worker while the others waited.
    expect([...claimedBy.values()].filter((ids) => ids.length > 0).length).toBeGreaterThan(1);

    const [state] = await sql<{ processing: number; attempts_one: number; claimed_events: number }[]>`
      select count(*) filter (where status = 'processing')::int as processing,
             count(*) filter (where attempts = 1)::int as attempts_one,
             (select count(*)::int from public.sms_job_events e
              where e.workspace_id = ${workspace} and e.event_type = 'claimed') as claimed_events
      from public.scheduled_sms_jobs where workspace_id = ${workspace}`;
    expect(state).toEqual({ processing: total, attempts_one: total, claimed_events: total });
  });

  it("a claimer holding rows in an open transaction does not block another, which skips them", async () => {
    await clearJobs(sql);
    // Six due jobs of the demo line; the four others (inserted once the first claimer holds the six)
    // are of a second sender. A claim also locks the pacing row of each sender it gives send slots
    // (20261130001000_sender_pacing.sql): a second claimer with free jobs of the SAME sender waits
    // for the first claim's commit, by design (one statement in the runners). Here it only meets the
    // six held job rows, which it skips without waiting.
    await sql`
      insert into public.workspace_senders (sender, workspace_id, label, messages_per_second)
      values ('+15005550401', ${workspace}, 'claim test line', 1000) on conflict (sender) do nothing`;
    await sql`
      insert into public.scheduled_sms_jobs (workspace_id, to_phone, body)
      select ${workspace}, '+614' || lpad(g::text, 8, '0'), 'hi' from generate_series(1, 6) g`;

    let releaseFirst: () => void = () => undefined;
    const firstHolds = new Promise<void>((resolve) => { releaseFirst = resolve; });
    let firstClaimed: string[] = [];
    let signalClaimed: () => void = () => undefined;
    const firstHasClaimed = new Promise<void>((resolve) => { signalClaimed = resolve; });

    const first = sql.begin(async (tx) => {
      firstClaimed = (await tx<{ id: string }[]>`select id from private.claim_due_jobs('holder', 6, 60)`).map((r) => r.id);
      signalClaimed();
      await firstHolds;
    });
    await firstHasClaimed;
    await sql`
      insert into public.scheduled_sms_jobs (workspace_id, to_phone, from_number, body)
      select ${workspace}, '+614' || lpad(g::text, 8, '0'), '+15005550401', 'hi' from generate_series(7, 10) g`;
    const second = (await sql<{ id: string }[]>`select id from private.claim_due_jobs('other', 10, 60)`).map((r) => r.id);
    releaseFirst();
    await first;

    expect(firstClaimed).toHaveLength(6);
    expect(second).toHaveLength(4);
    expect(second.filter((id) => firstClaimed.includes(id))).toEqual([]);
  });

  it("a runner renewing its leases while a batch of its completions is recorded: no deadlock, no wait", async () => {
    await clearJobs(sql);
    await sql`
      insert into public.scheduled_sms_jobs (workspace_id, to_phone, body)
      select ${workspace}, '+614' || lpad(g::text, 8, '0'), 'hi' from generate_series(1, 2) g`;
    const [a, b] = (await sql<{ id: string }[]>`select id from private.claim_due_jobs('runner', 2, 60)`).map((r) => r.id).sort();
    if (!a || !b) throw new Error("two jobs expected");

    // The renewal holds `a`; the completion batch names `b` first, then `a`, and must wait for `a`
    // without holding `b`, so the renewal's next statement on `b` goes through.
    let completionPid = 0;
    let releaseRenewal: () => void = () => undefined;
    const renewalMayFinish = new Promise<void>((resolve) => { releaseRenewal = resolve; });
    let signalHeld: () => void = () => undefined;
    const renewalHoldsA = new Promise<void>((resolve) => { signalHeld = resolve; });
    const renewal = sql.begin(async (tx) => {
      await tx`set local lock_timeout = '2s'`;
      const [first] = await tx<{ n: number }[]>`select private.renew_leases('runner', ${[a]}, 60) as n`;
      signalHeld();
      await renewalMayFinish;
      const [second] = await tx<{ n: number }[]>`select private.renew_leases('runner', ${[b]}, 60) as n`;
      return [first?.n, second?.n];
    });
    await renewalHoldsA;
    const completion = sql.begin(async (tx) => {
      completionPid = (await tx<{ pid: number }[]>`select pg_backend_pid() as pid`)[0]?.pid ?? 0;
      const [row] = await tx<{ n: number }[]>`
        select private.complete_jobs('runner', ${[b, a]}, ${["SMb", "SMa"]}, ${["queued", "queued"]}) as n`;
      return row?.n;
    });
    // Let the completion reach its lock wait on `a`.
    for (let i = 0; i < 200; i += 1) {
      const [waiting] = await sql<{ n: number }[]>`
        select count(*)::int as n from pg_stat_activity where pid = ${completionPid} and wait_event_type = 'Lock'`;
      if (completionPid !== 0 && waiting?.n === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    releaseRenewal();
    expect(await renewal).toEqual([1, 1]);
    expect(await completion).toBe(2);

    // A renewal never waits for rows a completion holds: it renews the others and skips those.
    await clearJobs(sql);
    await sql`
      insert into public.scheduled_sms_jobs (workspace_id, to_phone, body)
      select ${workspace}, '+614' || lpad(g::text, 8, '0'), 'hi' from generate_series(1, 2) g`;
    const [c, d] = (await sql<{ id: string }[]>`select id from private.claim_due_jobs('runner', 2, 60)`).map((r) => r.id).sort();
    if (!c || !d) throw new Error("two jobs expected");
    let releaseCompletion: () => void = () => undefined;
    const completionMayCommit = new Promise<void>((resolve) => { releaseCompletion = resolve; });
    let signalCompleted: () => void = () => undefined;
    const completionHoldsC = new Promise<void>((resolve) => { signalCompleted = resolve; });
    const holding = sql.begin(async (tx) => {
      await tx`select private.complete_jobs('runner', ${[c]}, ${["SMc"]}, ${["queued"]})`;
      signalCompleted();
      await completionMayCommit;
    });
    await completionHoldsC;
    const renewed = await sql.begin(async (tx) => {
      await tx`set local lock_timeout = '500ms'`;
      return (await tx<{ n: number }[]>`select private.renew_leases('runner', ${[c, d]}, 60) as n`)[0]?.n;
    });
    releaseCompletion();
    await holding;
    expect(renewed).toBe(1);
    const states = await sql<{ id: string; status: string }[]>`
      select id, status from public.scheduled_sms_jobs where id = any(${[c, d]}) order by id`;
    expect(states).toEqual([{ id: c, status: "completed" }, { id: d, status: "processing" }]);
  });
});
