// The benchmark's own stack: a fresh PostgreSQL cluster with the real migrations (durable settings,
// like `npm start`), the Twilio simulator in this process, runner processes on demand.
import { spawn, type ChildProcess } from "node:child_process";
import postgres from "postgres";
import { databaseUrl, projectRoot, type ClusterConfig } from "../dev/local-env.ts";
import { destroyCluster, initCluster, startCluster } from "../dev/postgres-cluster.ts";
import { setUpDatabase } from "../dev/database-setup.ts";
import { ensureSystemPackages } from "../dev/system-packages.ts";
import { startTwilioSimulator, type RunningTwilioSimulator } from "../dev/twilio-simulator/start-twilio-simulator.ts";
import { sleep } from "./stats.ts";

const benchPort = Number(process.env.SMS_BENCH_DB_PORT ?? 54351);
/** Named after its port (like the test cluster), so benchmarks on different ports never share one. */
export const benchCluster: ClusterConfig = { name: `bench-db-${benchPort}`, port: benchPort, ephemeral: false };

/** ws_demo's senders the throughput scenarios spread their messages over (all at sender_rate_max). */
export const benchSenders = ["+15005550006", "+15005550081", "+15005550082", "+15005550083"];

export interface BenchStack {
  url: string;
  sql: postgres.Sql;
  simulator: RunningTwilioSimulator;
  /** Runner processes; status callbacks go to `statusCallbackUrl` when given (off otherwise: sending is measured). */
  startRunners(count: number, options?: { statusCallbackUrl?: string }): Promise<ChildProcess[]>;
  stopRunners(runners: ChildProcess[]): Promise<void>;
  clearJobs(): Promise<void>;
  waitUntilSettled(expected: number, timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
}

export async function startBenchStack(): Promise<BenchStack> {
  ensureSystemPackages();
  destroyCluster(benchCluster);
  initCluster(benchCluster);
  startCluster(benchCluster);
  const url = databaseUrl(benchCluster);
  setUpDatabase(url);
  const sql = postgres(url, { max: 4, onnotice: () => undefined });
  // Benchmarks measure sending, not the retry policy's patience: no cron sweeps interleaving.
  await sql`select cron.unschedule('sms-sweep')`;
  // Senders are paced (issue 14): a sender sends at most sender_rate_max (1,000) segments a second,
  // which one runner already exceeds. The throughput and lateness scenarios spread their messages
  // over the demo line and three more demo senders at that rate, so they measure the claim and the
  // sends, not one sender's configured ceiling (bench/scenarios/sender-pacing.ts measures pacing).
  await sql`
    insert into public.workspace_senders (sender, workspace_id, label, messages_per_second)
    select s, 'ws_demo', 'bench line', private.limit_value('sender_rate_max')
    from unnest(${benchSenders.slice(1)}::text[]) s
    on conflict (sender) do nothing`;
  // The scenarios measure throughput with rate limiting on: the seeded workspaces get the largest
  // limits allowed, so the benchmark's own load (hundreds of requests a second from one caller) is
  // charged but not refused. The rate-limit scenario uses a workspace with the defaults.
  await raiseApiLimits(sql, ["ws_demo", "ws_other"]);
  const accounts = Object.fromEntries((await sql<{ account_sid: string; auth_token: string }[]>`
    select account_sid, auth_token from private.twilio_credentials`).map((r) => [r.account_sid, r.auth_token]));
  const simulator = await startTwilioSimulator({ accounts, config: { callbacks: { statusDelayMs: 0 } } });

  return {
    url,
    sql,
    simulator,
    async startRunners(count, options = {}) {
      const runners: ChildProcess[] = [];
      for (let i = 0; i < count; i++) {
        const child = spawn(process.execPath, ["--import", "tsx", "delivery/local-runner-main.ts"], {
          cwd: projectRoot,
          stdio: ["ignore", "pipe", "inherit"],
          env: { ...process.env, DATABASE_URL: url, TWILIO_API_BASE_URL: simulator.url,
            STATUS_CALLBACK_URL: options.statusCallbackUrl ?? "" },
        });
        await new Promise<void>((resolve, reject) => {
          let out = "";
          child.stdout?.on("data", (chunk: Buffer) => {
            out += chunk.toString();
            if (out.includes("started")) resolve();
          });
          child.once("exit", (code) => reject(new Error(`runner exited with ${String(code)}: ${out}`)));
        });
        runners.push(child);
      }
      return runners;
    },
    async stopRunners(runners) {
      await Promise.all(runners.map((r) => new Promise<void>((resolve) => {
        if (r.exitCode !== null) return resolve();
        r.once("exit", () => resolve());
        r.kill("SIGTERM");
      })));
    },
    async clearJobs() {
      await sql`truncate public.scheduled_sms_jobs, public.sms_job_events`;
      simulator.reset();
    },
    async waitUntilSettled(expected, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        // Counts what is still open (small, behind the partial indexes) rather than what is done.
        const [row] = await sql<{ open: number }[]>`
          select (select count(*)::int from public.scheduled_sms_jobs where is_pending) +
                 (select count(*)::int from public.scheduled_sms_jobs where status = 'processing') as open`;
        const done = expected - (row?.open ?? expected);
        if (done >= expected) return Date.now();
        if (Date.now() > deadline) throw new Error(`only ${done} of ${expected} jobs finished in ${timeoutMs} ms`);
        await sleep(50);
      }
    },
    async stop() {
      await simulator.stop();
      await sql.end({ timeout: 5 });
      destroyCluster(benchCluster);
    },
  };
}

/** Gives workspaces the largest API rate limits allowed (private.limit_value's *_max bounds). */
export async function raiseApiLimits(sql: postgres.Sql, workspaceIds: string[]): Promise<void> {
  await sql`
    update public.workspace_settings
    set api_limits = jsonb_build_object(
      'writeRatePerSecond', private.limit_value('api_rate_per_second_max'), 'writeBurst', private.limit_value('api_burst_max'),
      'readRatePerSecond', private.limit_value('api_rate_per_second_max'), 'readBurst', private.limit_value('api_burst_max'),
      'bulkRecipientsPerMinute', private.limit_value('api_bulk_recipients_per_minute_max'),
      'bulkRecipientsBurst', private.limit_value('api_bulk_recipients_per_minute_max'))
    where workspace_id = any (${workspaceIds})`;
}
