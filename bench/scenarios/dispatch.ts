// End-to-end sends per second: 10,000 due messages through runner processes to the simulator.
import { benchSenders, type BenchStack } from "../bench-stack.ts";
import { round } from "../stats.ts";

export interface DispatchResult {
  messages: number;
  runners: number;
  simulatorLatencyMs: number;
  seconds: number;
  sendsPerSecond: number;
  failed: number;
}

/** Due messages spread over the bench senders (one sender is paced at 1,000/s at most). */
export async function insertDueJobs(stack: BenchStack, count: number, at: string = "now()",
  senders: string[] = benchSenders): Promise<void> {
  await stack.sql.unsafe(`
    insert into public.scheduled_sms_jobs (workspace_id, to_phone, from_number, body, scheduled_time)
    select 'ws_demo', '+614' || lpad(g::text, 8, '0'), ($2::text[])[1 + g % cardinality($2::text[])], 'bench message ' || g, ${at}
    from generate_series(1, $1) g`, [count, senders]);
}

export async function measureDispatch(stack: BenchStack, messages: number, runners: number,
  simulatorLatencyMs: number, options: { statisticsUpkeep?: boolean; analyticsUpkeep?: boolean; senders?: string[] } = {}): Promise<DispatchResult> {
  await stack.clearJobs();
  stack.simulator.configure({ latencyMs: simulatorLatencyMs });
  const upkeepOff = options.statisticsUpkeep === false;
  if (upkeepOff) await stack.sql`alter table public.sms_job_events disable trigger sms_job_events_add_statistics`;
  // The delivery analytics' rollup upkeep (20261130000700_delivery_analytics.sql), measured apart.
  const analyticsOff = options.analyticsUpkeep === false;
  if (analyticsOff) await stack.sql`alter table public.sms_job_events disable trigger sms_job_events_add_delivery_statistics`;
  const processes = await stack.startRunners(runners);
  try {
    // The clock starts once all messages are due and committed: this measures sending, not inserting.
    await insertDueJobs(stack, messages, "now()", options.senders);
    const started = Date.now();
    const finished = await stack.waitUntilSettled(messages, 300_000);
    const [row] = await stack.sql<{ failed: number }[]>`
      select count(*)::int as failed from public.scheduled_sms_jobs where status = 'failed'`;
    const seconds = (finished - started) / 1000;
    return { messages, runners, simulatorLatencyMs, seconds: round(seconds, 2),
      sendsPerSecond: round(messages / seconds, 0), failed: row?.failed ?? 0 };
  } finally {
    await stack.stopRunners(processes);
    stack.simulator.configure({ latencyMs: 0 });
    if (upkeepOff) await stack.sql`alter table public.sms_job_events enable trigger sms_job_events_add_statistics`;
    if (analyticsOff) await stack.sql`alter table public.sms_job_events enable trigger sms_job_events_add_delivery_statistics`;
  }
}
