// Issue 15, regions: what a workspace's regions cost the service itself (the latency a far Twilio
// region or a far database adds is the network's, not measurable here: docs/operations.md).
//  * The dispatch statement: private.dispatch_jobs building and queueing 10,000 batch trigger items
//    (20 requests of 500) for a workspace with a Trigger.dev region and for one without; and the item
//    builder alone, today's (the workspace's region looked up per item) against the released one
//    without the lookup (a pg_temp copy of 20261128001000's definition). Each run is its own
//    rolled-back transaction in 'trigger' mode; variants alternate, the median counts.
//  * Claim + send: 10,000 due messages through one runner process to the simulator, ws_demo set to
//    au1 through sydney (each send carries api.sydney.au1.twilio.com) against ws_demo at the
//    defaults, alternating, best of three each.
import type postgres from "postgres";
import type { BenchStack } from "../bench-stack.ts";
import { measureDispatch, type DispatchResult } from "./dispatch.ts";
import { round } from "../stats.ts";

export interface RegionsResult {
  items: number;
  runs: number;
  /** Median ms of dispatch_jobs for the items: workspace with a Trigger.dev region / without. */
  dispatchMs: { withRegion: number; withoutRegion: number; ratio: number };
  /** Median ms of building the items alone: today's builder / the released one (no region lookup). */
  buildMs: { current: number; released: number; ratio: number };
  /** Best of `runs` each, alternating: au1/sydney / defaults. */
  send: { regional: DispatchResult; plain: DispatchResult; ratio: number; hosts: string[]; runs: number; failed: number };
}

class RollBack extends Error {}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** Runs `fn` in a transaction that is rolled back, with `items` pending ws_demo jobs due in an hour (beyond the horizon: inserting dispatches nothing). */
async function inScratch<T>(sql: postgres.Sql, items: number, region: string | null, fn: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  let result: T | undefined;
  try {
    await sql.begin(async (tx) => {
      await tx`update private.settings set value = 'trigger' where key = 'dispatch_mode'`;
      await tx`select private.set_secret('trigger_secret_key', 'tr_bench_regions_0000000000')`;
      await tx`update public.workspace_settings set trigger_region = ${region} where workspace_id = 'ws_demo'`;
      await tx`
        insert into public.scheduled_sms_jobs (workspace_id, to_phone, from_number, body, scheduled_time)
        select 'ws_demo', '+614' || lpad(g::text, 8, '0'), '+15005550006', 'region bench ' || g, now() + interval '1 hour'
        from generate_series(1, ${items}) g`;
      result = await fn(tx);
      throw new RollBack();
    });
  } catch (error) {
    if (!(error instanceof RollBack)) throw error;
  }
  if (result === undefined) throw new Error("the scratch transaction returned nothing");
  return result;
}

async function timed(tx: postgres.TransactionSql, statement: () => Promise<unknown>): Promise<number> {
  await tx`select 1`;
  const started = process.hrtime.bigint();
  await statement();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export async function measureRegions(stack: BenchStack, items = 10_000, runs = 5, messages = 10_000, sendRuns = 3): Promise<RegionsResult> {
  await stack.clearJobs();
  const withRegion: number[] = [];
  const withoutRegion: number[] = [];
  const current: number[] = [];
  const released: number[] = [];
  for (let run = 0; run < runs; run++) {
    for (const region of run % 2 === 0 ? ["eu-central-1", null] : [null, "eu-central-1"]) {
      const ms = await inScratch(stack.sql, items, region, (tx) => timed(tx, () => tx`
        select * from private.dispatch_jobs((select array_agg(id order by next_attempt_at, id) from public.scheduled_sms_jobs where is_pending))`));
      (region === null ? withoutRegion : withRegion).push(ms);
    }
    await inScratch(stack.sql, items, "eu-central-1", async (tx) => {
      // The builder as released (20261128001000_trigger_dispatch.sql), without the region lookup.
      await tx.unsafe(`
        create function pg_temp.trigger_batch_item_released(p_job_id text, p_workspace_id text, p_attempt integer,
          p_dispatch_count integer, p_due timestamptz) returns jsonb language sql stable set search_path = '' as $$
          select pg_catalog.jsonb_build_object('task', 'send-sms', 'payload', pg_catalog.jsonb_build_object('jobId', p_job_id),
            'options', pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('payloadType', 'application/json',
              'delay', case when p_due > pg_catalog.now() then pg_catalog.to_char(pg_catalog.date_trunc('milliseconds',
                p_due + interval '999 microseconds') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') end,
              'idempotencyKey', private.dispatch_idempotency_key(p_job_id, p_attempt, p_dispatch_count),
              'concurrencyKey', p_workspace_id, 'tags', pg_catalog.jsonb_build_array('workspace:' || p_workspace_id))))
        $$`);
      const order = run % 2 === 0 ? ["current", "released"] : ["released", "current"];
      for (const which of order) {
        const ms = await timed(tx, () => which === "current"
          ? tx`select pg_catalog.jsonb_agg(private.trigger_batch_item(id, workspace_id, attempts + 1, dispatch_count, next_attempt_at))
               from public.scheduled_sms_jobs where is_pending`
          : tx`select pg_catalog.jsonb_agg(pg_temp.trigger_batch_item_released(id, workspace_id, attempts + 1, dispatch_count, next_attempt_at))
               from public.scheduled_sms_jobs where is_pending`);
        (which === "current" ? current : released).push(ms);
      }
      return true;
    });
  }

  // Claim + send, au1 through sydney against the defaults (fresh runner processes each: no cached
  // account), alternating, best of `sendRuns` each: on a shared machine the spread between runs is
  // larger than anything the region could cost.
  const regionalRuns: DispatchResult[] = [];
  const plainRuns: DispatchResult[] = [];
  const hosts = new Set<string>();
  for (let run = 0; run < sendRuns; run++) {
    for (const regional of run % 2 === 0 ? [true, false] : [false, true]) {
      if (regional) await stack.sql`update public.workspace_settings set twilio_region = 'au1', twilio_edge = 'sydney' where workspace_id = 'ws_demo'`;
      try {
        const result = await measureDispatch(stack, messages, 1, 0);
        (regional ? regionalRuns : plainRuns).push(result);
        for (const m of stack.simulator.messages()) hosts.add(m.apiHost);
      } finally {
        await stack.sql`update public.workspace_settings set twilio_region = null, twilio_edge = null where workspace_id = 'ws_demo'`;
      }
    }
  }
  const best = (runs: DispatchResult[]): DispatchResult =>
    runs.reduce((a, b) => (b.sendsPerSecond > a.sendsPerSecond ? b : a));
  const regional = best(regionalRuns);
  const plain = best(plainRuns);

  const dispatchMs = { withRegion: round(median(withRegion), 1), withoutRegion: round(median(withoutRegion), 1), ratio: 0 };
  dispatchMs.ratio = round(dispatchMs.withRegion / dispatchMs.withoutRegion, 2);
  const buildMs = { current: round(median(current), 1), released: round(median(released), 1), ratio: 0 };
  buildMs.ratio = round(buildMs.current / buildMs.released, 2);
  return {
    items, runs, dispatchMs, buildMs,
    send: {
      regional, plain, ratio: round(regional.sendsPerSecond / plain.sendsPerSecond, 2), hosts: [...hosts], runs: sendRuns,
      failed: [...regionalRuns, ...plainRuns].reduce((n, r) => n + r.failed, 0),
    },
  };
}
