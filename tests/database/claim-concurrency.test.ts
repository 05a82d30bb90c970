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
    await sql`
      insert into public.scheduled_sms_jobs (workspace_id, to_phone, body)
      select ${workspace}, '+614' || lpad(g::text, 8, '0'), 'hi' from generate_series(1, 10) g`;

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
    const second = (await sql<{ id: string }[]>`select id from private.claim_due_jobs('other', 10, 60)`).map((r) => r.id);
    releaseFirst();
    await first;

    expect(firstClaimed).toHaveLength(6);
    expect(second).toHaveLength(4);
    expect(second.filter((id) => firstClaimed.includes(id))).toEqual([]);
  });
});
