// Lateness: (simulator receive time - scheduled time) for messages due in the future.
import { benchSenders, type BenchStack } from "../bench-stack.ts";
import { distribution, round, sleep, type Distribution } from "../stats.ts";

export interface LatenessResult {
  scenario: string;
  messages: number;
  latenessMs: Distribution;
  /** From the (shared) due time to the last send, for messages all due at once. */
  allSentWithinMs?: number;
}

async function measure(stack: BenchStack, scenario: string, messages: number, dueAt: (i: number) => Date,
  lastDue: Date): Promise<LatenessResult> {
  await stack.clearJobs();
  const processes = await stack.startRunners(1);
  try {
    const due = Array.from({ length: messages }, (_, i) => dueAt(i));
    await stack.sql`
      insert into public.scheduled_sms_jobs (workspace_id, to_phone, from_number, body, scheduled_time)
      select 'ws_demo', '+614' || lpad(g::text, 8, '0'), (${benchSenders}::text[])[1 + g % ${benchSenders.length}], 'lateness ' || g, d
      from unnest(${due.map((d) => d.toISOString())}::timestamptz[]) with ordinality as t(d, g)`;
    await sleep(Math.max(0, lastDue.getTime() - Date.now()));
    await stack.waitUntilSettled(messages, 120_000);
    const byBody = new Map(stack.simulator.messages().map((m) => [m.body, m.receivedAt]));
    const late = due.map((d, i) => (byBody.get(`lateness ${i + 1}`) ?? Number.NaN) - d.getTime());
    const latenessMs = distribution(late.map((v) => round(v, 1)));
    return { scenario, messages, latenessMs };
  } finally {
    await stack.stopRunners(processes);
  }
}

/** Messages spread evenly over `spreadSeconds`, starting a few seconds from now, on an idle system. */
export function measureSpreadLateness(stack: BenchStack, messages: number, spreadSeconds: number): Promise<LatenessResult> {
  const start = Date.now() + 5_000;
  const step = (spreadSeconds * 1000) / messages;
  return measure(stack, `${messages} spread over ${spreadSeconds} s`, messages,
    (i) => new Date(start + i * step), new Date(start + spreadSeconds * 1000));
}

/** Messages all due at the same instant. */
export async function measureBurstLateness(stack: BenchStack, messages: number): Promise<LatenessResult> {
  const at = new Date(Date.now() + 8_000);
  const result = await measure(stack, `${messages} due at one instant`, messages, () => at, at);
  return { ...result, scenario: result.scenario, allSentWithinMs: result.latenessMs.max };
}
