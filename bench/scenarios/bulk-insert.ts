// Creating many scheduled messages at once through the supported bulk path: a signed-in member's
// bulk insert under RLS, run the way PostgREST runs one (the JSON array as one parameter, rows from
// jsonb_populate_recordset; COPY is refused for roles under RLS).
import postgres from "postgres";
import type { BenchStack } from "../bench-stack.ts";
import { round } from "../stats.ts";

export interface BulkInsertResult {
  rows: number;
  rowsPerStatement: number;
  seconds: number;
  rowsPerSecond: number;
  /** Peak resident memory of this process while inserting, MiB. */
  peakRssMiB: number;
  /** Peak V8 heap of this process while inserting, MiB. */
  peakHeapMiB: number;
}

const demoOwner = "00000000-0000-4000-8000-000000000001";

/** Runs `work` in one transaction as the demo workspace's owner under RLS, set up as PostgREST sets up a request. */
export async function asDemoOwner(sql: postgres.Sql, work: (tx: postgres.TransactionSql) => Promise<unknown>): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`select set_config('request.jwt.claims', ${JSON.stringify({ sub: demoOwner, role: "authenticated" })}, true)`;
    await tx`set local role authenticated`;
    await work(tx);
  });
}

export async function measureBulkInsert(stack: BenchStack, rows: number, rowsPerStatement: number): Promise<BulkInsertResult> {
  await stack.clearJobs();
  const sql = postgres(stack.url, { max: 1, onnotice: () => undefined });
  let peakRss = 0;
  let peakHeap = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const sampler = setInterval(sample, 20);
  const when = new Date(Date.now() + 24 * 3600 * 1000).toISOString();
  const started = Date.now();
  try {
    for (let offset = 0; offset < rows; offset += rowsPerStatement) {
      const chunk = Array.from({ length: Math.min(rowsPerStatement, rows - offset) }, (_, i) => ({
        workspace_id: "ws_demo",
        to_phone: `+614${String(offset + i).padStart(8, "0")}`,
        body: `Reminder ${offset + i}: see you tomorrow`,
        scheduled_time: when,
      }));
      await asDemoOwner(sql, async (tx) => {
        // PostgREST's own bulk insert: the JSON body as one parameter, rows from jsonb_populate_recordset.
        await tx`
          insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, scheduled_time)
          select workspace_id, to_phone, body, scheduled_time
          from jsonb_populate_recordset(null::public.scheduled_sms_jobs, ${tx.json(chunk)})`;
      });
      sample();
    }
  } finally {
    clearInterval(sampler);
    await sql.end();
  }
  const seconds = (Date.now() - started) / 1000;
  const [count] = await stack.sql<{ n: number }[]>`select count(*)::int as n from public.scheduled_sms_jobs`;
  if (count?.n !== rows) throw new Error(`expected ${rows} rows, found ${count?.n}`);
  return { rows, rowsPerStatement, seconds: round(seconds, 2), rowsPerSecond: round(rows / seconds, 0),
    peakRssMiB: round(peakRss / 2 ** 20, 0), peakHeapMiB: round(peakHeap / 2 ** 20, 0) };
}
