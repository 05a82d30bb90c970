// The analytics trigger's cost where it bites: recording completions (private.complete_jobs, in
// batches of 100 as a runner sends them), with the rollup's trigger on and off, alternating, on a
// fresh database. Less noisy than end-to-end dispatch on a shared machine: no runner, no simulator.
// Run: SMS_BENCH_DB_PORT=54351 npx tsx bench/analytics-trigger-cost.ts
import postgres from "postgres";
import { databaseUrl } from "../dev/local-env.ts";
import { destroyCluster, initCluster, startCluster } from "../dev/postgres-cluster.ts";
import { setUpDatabase } from "../dev/database-setup.ts";
import { ensureSystemPackages } from "../dev/system-packages.ts";
import { benchCluster } from "./bench-stack.ts";
import { round } from "./stats.ts";

const rounds = 8;
const jobsPerRound = 5000;
const batch = 100;

ensureSystemPackages();
destroyCluster(benchCluster);
initCluster(benchCluster);
startCluster(benchCluster);
const url = databaseUrl(benchCluster);
setUpDatabase(url);
const sql = postgres(url, { max: 1, onnotice: () => undefined });

/** Seconds to record `jobsPerRound` completions, in batches, with the trigger on or off. */
async function completions(triggerOn: boolean): Promise<number> {
  await sql`delete from public.scheduled_sms_jobs`;
  await sql.unsafe(`alter table public.sms_job_events ${triggerOn ? "enable" : "disable"} trigger sms_job_events_add_delivery_statistics`);
  await sql`
    insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, scheduled_time)
    select 'ws_demo', '+614' || lpad(g::text, 8, '0'), 'cost ' || g, now() from generate_series(1, ${jobsPerRound}) g`;
  const ids: string[] = [];
  while (ids.length < jobsPerRound) {
    const claimed = await sql<{ id: string }[]>`select id from private.claim_due_jobs('cost-worker', 1000)`;
    ids.push(...claimed.map((r) => r.id));
  }
  const started = performance.now();
  for (let i = 0; i < ids.length; i += batch) {
    const chunk = ids.slice(i, i + batch);
    await sql`select private.complete_jobs('cost-worker', ${chunk}, ${chunk.map((id) => `SM${id.slice(4)}`)},
      ${chunk.map(() => "queued")})`;
  }
  return (performance.now() - started) / 1000;
}

try {
  const on: number[] = [];
  const off: number[] = [];
  for (let i = 0; i < rounds; i++) {
    on.push(await completions(true));
    off.push(await completions(false));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const best = (xs: number[]) => Math.min(...xs);
  console.log(`complete_jobs, ${jobsPerRound} completions in batches of ${batch}, ${rounds} rounds each (seconds):`);
  console.log(`  trigger on:  ${on.map((s) => round(s, 3)).join(", ")}`);
  console.log(`  trigger off: ${off.map((s) => round(s, 3)).join(", ")}`);
  console.log(`  median ${round(median(on), 3)} vs ${round(median(off), 3)} s: +${round((median(on) / median(off) - 1) * 100, 1)}%; ` +
    `best ${round(best(on), 3)} vs ${round(best(off), 3)} s: +${round((best(on) / best(off) - 1) * 100, 1)}%`);
} finally {
  await sql`alter table public.sms_job_events enable trigger sms_job_events_add_delivery_statistics`;
  await sql.end();
  destroyCluster(benchCluster);
}
