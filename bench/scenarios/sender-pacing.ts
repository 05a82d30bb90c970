// Sender pacing and fairness (issue 14), measured at the simulator with runner processes:
// * pacing: one sender at a configured rate, messages due at once, two runners; the most messages
//   the simulator received in any 1-s window (sliding) against the rate, and the total time against
//   the ideal (n - 1) / (rate less the pacing headroom);
// * fairness: 1,000 due messages in ws_demo, then one in ws_other; how long the single message took
//   and how many of the backlog reached the simulator before it.
import { databaseLimits } from "../../supabase/functions/_shared/limits.ts";
import type { BenchStack } from "../bench-stack.ts";
import { round, sleep } from "../stats.ts";

export interface PacingResult {
  rate: number;
  messages: number;
  runners: number;
  maxInAnySecond: number;
  /** The same with windows 50 ms shorter: what arrival jitter alone cannot explain. */
  maxInAny950Ms: number;
  seconds: number;
  idealSeconds: number;
}

export interface FairnessResult {
  backlog: number;
  runners: number;
  /** From the single message's insert to its arrival at the simulator. */
  delayMs: number;
  /** Backlog messages that arrived before it. */
  backlogAhead: number;
}

/** A sender of the benchmark's own in ws_demo at `rate` segments/s (fresh pacing state). */
const pacingSender = "+15005550091";

function maxInWindow(times: number[], windowMs: number): number {
  let max = 0;
  let end = 0;
  for (let start = 0; start < times.length; start++) {
    while (end < times.length && (times[end] ?? 0) - (times[start] ?? 0) < windowMs) end++;
    max = Math.max(max, end - start);
  }
  return max;
}

async function waitForMessages(stack: BenchStack, from: string, count: number, timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const times = stack.simulator.messages({ from }).map((m) => m.receivedAt).sort((a, b) => a - b);
    if (times.length >= count) return times;
    if (Date.now() > deadline) throw new Error(`only ${times.length} of ${count} messages from ${from} in ${timeoutMs} ms`);
    await sleep(20);
  }
}

export async function measurePacing(stack: BenchStack, rate: number, messages: number, runners: number): Promise<PacingResult> {
  await stack.clearJobs();
  await stack.sql`
    insert into public.workspace_senders (sender, workspace_id, label, messages_per_second)
    values (${pacingSender}, 'ws_demo', 'bench pacing', ${rate})
    on conflict (sender) do update set messages_per_second = excluded.messages_per_second`;
  await stack.sql`update private.sender_pacing set next_slot_at = '-infinity' where sender = ${pacingSender}`;
  const processes = await stack.startRunners(runners);
  try {
    // Warm each runner (its first request of the process sets up the HTTP client).
    await stack.sql`
      insert into public.scheduled_sms_jobs (workspace_id, to_phone, body)
      select 'ws_demo', '+614' || lpad(g::text, 8, '0'), 'warm-up' from generate_series(1, ${runners * 4}::int) g`;
    await stack.waitUntilSettled(runners * 4, 30_000);
    stack.simulator.reset();
    const started = Date.now();
    await stack.sql`
      insert into public.scheduled_sms_jobs (workspace_id, to_phone, from_number, body)
      select 'ws_demo', '+614' || lpad(g::text, 8, '0'), ${pacingSender}, 'paced ' || g
      from generate_series(1, ${messages}::int) g`;
    const times = await waitForMessages(stack, pacingSender, messages, (messages / rate) * 1000 + 30_000);
    const last = times[times.length - 1] ?? started;
    return {
      rate, messages, runners,
      maxInAnySecond: maxInWindow(times, 1000),
      maxInAny950Ms: maxInWindow(times, 950),
      seconds: round((last - started) / 1000, 2),
      // Slots are spaced at the rate less the pacing headroom (private.slot_rate).
      idealSeconds: round((messages - 1) / (rate * (1 - databaseLimits.sender_pacing_headroom_percent / 100)), 2),
    };
  } finally {
    await stack.stopRunners(processes);
  }
}

export async function measureFairness(stack: BenchStack, backlog: number, runners: number): Promise<FairnessResult> {
  await stack.clearJobs();
  const processes = await stack.startRunners(runners);
  try {
    await stack.sql`
      insert into public.scheduled_sms_jobs (workspace_id, to_phone, body)
      select 'ws_demo', '+614' || lpad(g::text, 8, '0'), 'backlog ' || g from generate_series(1, ${backlog}::int) g`;
    const inserted = Date.now();
    await stack.sql`insert into public.scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_other', '+61412345699', 'reminder')`;
    const [arrived] = await waitForMessages(stack, "+15017122661", 1, 60_000);
    await stack.waitUntilSettled(backlog + 1, 120_000);
    const ahead = stack.simulator.messages().findIndex((m) => m.params.From === "+15017122661");
    return { backlog, runners, delayMs: (arrived ?? inserted) - inserted, backlogAhead: ahead };
  } finally {
    await stack.stopRunners(processes);
  }
}
