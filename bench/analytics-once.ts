// Issue 13's two figures alone, without the whole `npm run bench`: the write overhead of the
// delivery analytics' rollup on dispatch (on / off, best of 2 each) and GET analytics on a
// workspace of a million jobs over 90 days. Run: SMS_BENCH_DB_PORT=54351 npx tsx bench/analytics-once.ts
// (`--reads-only`: only the million-job workspace's reads; `--upkeep-only`: only the dispatch runs).
import { startBenchStack } from "./bench-stack.ts";
import { measureDispatch } from "./scenarios/dispatch.ts";
import { measureMonitoringAtScale } from "./scenarios/monitoring-at-scale.ts";
import { round } from "./stats.ts";

const readsOnly = process.argv.includes("--reads-only");
const upkeepOnly = process.argv.includes("--upkeep-only");
const stack = await startBenchStack();
try {
  if (!readsOnly) await measureUpkeep();
  if (!upkeepOnly) await measureReads();
} finally {
  await stack.stop();
}

async function measureReads(): Promise<void> {
  const monitoring = await measureMonitoringAtScale(stack, 1_000_000);
  console.log(`workspace: ${monitoring.jobs} jobs, ${monitoring.events} events, loaded and rebuilt in ${monitoring.loadSeconds} s`);
  for (const r of monitoring.requests) {
    console.log(`${r.request} (${r.samples} calls, HTTP): p50 ${r.p50Ms} ms, p95 ${r.p95Ms} ms, max ${r.maxMs} ms`);
  }
}

async function measureUpkeep(): Promise<void> {
  const runs: { on: number[]; off: number[] } = { on: [], off: [] };
  for (let i = 0; i < 2; i++) {
    for (const analyticsUpkeep of [true, false]) {
      const d = await measureDispatch(stack, 10_000, 1, 0, { analyticsUpkeep });
      runs[analyticsUpkeep ? "on" : "off"].push(d.sendsPerSecond);
      console.log(`dispatch 10,000, 1 runner, analytics upkeep ${analyticsUpkeep ? "on" : "off"}: ${d.sendsPerSecond} sends/s`);
    }
  }
  const cost = 1 - Math.max(...runs.on) / Math.max(...runs.off);
  console.log(`analytics upkeep: ${Math.max(...runs.on)} / ${Math.max(...runs.off)} sends/s, costs ${round(cost * 100, 1)}% (goal ≤ 10%)`);
}
