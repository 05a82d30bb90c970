// API rate limiting under load, through the real local HTTP stack:
// 1. its cost: POST schedule-delay and GET job-status requests per second with limiting on (the
//    default) and off (API_RATE_LIMITING=off), two servers warmed up, runs alternated, best of
//    each (the machine is shared). ws_demo has the largest limits (bench-stack.ts), so nothing is refused
//    and the figures are the limiter's charge per request, not refusals.
// 2. isolation: the other tenant's GET job-status latency (p50, one call after another) while
//    quiet, and while a noisy tenant's runaway script hammers job-status far over its (default)
//    read limit; the same with limiting off for comparison. Server, load and timing share the
//    machine's two cores, so some of the rise is the flood's CPU, limited or not.
import autocannon from "autocannon";
import { signUserToken } from "../../dev/access-token.ts";
import { type FunctionsServer, startFunctionsServer } from "../../dev/functions-process.ts";
import { localAuth } from "../../dev/local-env.ts";
import type { BenchStack } from "../bench-stack.ts";
import { type Distribution, distribution, round } from "../stats.ts";

const demoOwner = { userId: "00000000-0000-4000-8000-000000000001", email: "owner@demo.test" };
const otherOwner = { userId: "00000000-0000-4000-8000-000000000003", email: "owner@other.test" };
/** The noisy tenant: default limits (no override), its owner the demo owner. */
const noisyWorkspace = "ws_bench_noisy";

export interface RateLimitCostResult {
  connections: number;
  seconds: number;
  /** req/s of each run, in run order. */
  post: { on: number[]; off: number[]; onOverOff: number };
  get: { on: number[]; off: number[]; onOverOff: number };
  /** Answers other than 200 while measuring (must be 0: the load is charged, not refused). */
  non2xx: number;
}

export interface RateLimitIsolationResult {
  samples: number;
  quietMs: Distribution;
  noisyMs: Distribution;
  noisyOverQuiet: number;
  /** The noisy tenant's requests while measuring: answered, and how many were refused (429). */
  noisyRequests: number;
  noisyRefused: number;
}

export interface RateLimitsResult {
  cost: RateLimitCostResult;
  isolation: RateLimitIsolationResult;
  /** The same flood with limiting off (API_RATE_LIMITING=off), for comparison. */
  withoutLimiting: RateLimitIsolationResult;
}

const startServer = (databaseUrl: string, env: Record<string, string> = {}) => startFunctionsServer({
  functionsPort: 0, apiPort: 0,
  env: { SUPABASE_DB_URL: databaseUrl, SUPABASE_JWT_SECRET: localAuth.jwtSecret, ...env },
});

async function run(options: autocannon.Options): Promise<{ rps: number; non2xx: number }> {
  const result = await autocannon(options);
  return { rps: round(result.requests.average, 0), non2xx: result.non2xx };
}

async function createJob(server: FunctionsServer, token: string, workspaceId: string): Promise<string> {
  const response = await fetch(`${server.apiUrl}/trigger/schedule-delay`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ to: "+61412345678", body: "Rate limit bench", workspaceId, delayMinutes: 600 }),
  });
  const text = await response.text();
  const body = JSON.parse(text) as { data?: { jobId?: string } };
  if (response.status !== 200 || body.data?.jobId === undefined) throw new Error(`schedule-delay answered ${response.status}: ${text.slice(0, 300)}`);
  return body.data.jobId;
}

export async function measureRateLimits(
  stack: BenchStack, connections: number, seconds: number, rounds: number, samples: number,
): Promise<RateLimitsResult> {
  await stack.clearJobs();
  await stack.sql`insert into public.workspaces (id, name) values (${noisyWorkspace}, 'Noisy tenant') on conflict do nothing`;
  await stack.sql`
    insert into public.workspace_members (workspace_id, user_id, role) values (${noisyWorkspace}, ${demoOwner.userId}, 'owner')
    on conflict do nothing`;
  await stack.sql`insert into public.workspace_senders (sender, workspace_id) values ('+15005550125', ${noisyWorkspace}) on conflict do nothing`;
  await stack.sql`update public.workspace_settings set api_limits = '{}', default_sender = '+15005550125' where workspace_id = ${noisyWorkspace}`;

  const limited = await startServer(stack.url);
  const unlimited = await startServer(stack.url, { API_RATE_LIMITING: "off" });
  try {
    const token = await signUserToken(demoOwner);
    const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
    let jobId = await createJob(limited, token, "ws_demo");
    const postOptions = (server: FunctionsServer): autocannon.Options => ({
      url: `${server.apiUrl}/trigger/schedule-delay`, method: "POST", connections, duration: seconds, headers,
      body: JSON.stringify({ to: "+61412345678", body: "Rate limit bench", workspaceId: "ws_demo", delayMinutes: 60 }),
    });
    const getOptions = (server: FunctionsServer): autocannon.Options => ({
      url: `${server.apiUrl}/trigger/job-status?workspaceId=ws_demo&jobId=${jobId}`, connections, duration: seconds, headers,
    });

    // Both servers warmed up first (JIT, connection pools), not measured.
    for (const server of [limited, unlimited]) {
      await run({ ...postOptions(server), duration: 2 });
      await run({ ...getOptions(server), duration: 2 });
    }
    const cost: RateLimitCostResult = { connections, seconds, post: { on: [], off: [], onOverOff: 0 }, get: { on: [], off: [], onOverOff: 0 }, non2xx: 0 };
    for (let i = 0; i < rounds; i++) {
      // Alternating which goes first, so neither always runs on a machine warmed (or loaded) by the other.
      const order = i % 2 === 0 ? [[true, limited], [false, unlimited]] as const : [[false, unlimited], [true, limited]] as const;
      for (const [on, server] of order) {
        const post = await run(postOptions(server));
        const get = await run(getOptions(server));
        cost.post[on ? "on" : "off"].push(post.rps);
        cost.get[on ? "on" : "off"].push(get.rps);
        cost.non2xx += post.non2xx + get.non2xx;
      }
      // The POSTs' jobs go (a growing table would slow later rounds); job-status gets a new job.
      await stack.clearJobs();
      jobId = await createJob(limited, token, "ws_demo");
    }
    cost.post.onOverOff = round(Math.max(...cost.post.on) / Math.max(...cost.post.off), 3);
    cost.get.onOverOff = round(Math.max(...cost.get.on) / Math.max(...cost.get.off), 3);

    // Isolation: the other tenant's calls, quiet and beside a runaway script of the noisy tenant
    // (job-status in a tight loop on 4 connections, far over its 50 reads a second) — with limiting
    // on, and for reference the same flood with limiting off.
    const otherToken = await signUserToken(otherOwner);
    const otherJob = await createJob(limited, otherToken, "ws_other");
    const noisyJob = await createJob(limited, token, noisyWorkspace);
    const besideFlood = async (server: FunctionsServer) => {
      const otherUrl = `${server.apiUrl}/trigger/job-status?workspaceId=ws_other&jobId=${otherJob}`;
      const timeOther = async (): Promise<number[]> => {
        const durations: number[] = [];
        for (let i = 0; i < samples + 3; i++) {
          const started = performance.now();
          const response = await fetch(otherUrl, { headers: { authorization: `Bearer ${otherToken}` } });
          await response.text();
          if (response.status !== 200) throw new Error(`the other tenant's job-status answered ${response.status}`);
          if (i >= 3) durations.push(performance.now() - started); // the first three warm up
        }
        return durations;
      };
      const quiet = await timeOther();
      let noisyDone: (result: autocannon.Result) => void = () => undefined;
      let noisyFailed: (error: unknown) => void = () => undefined;
      const noisyFinished = new Promise<autocannon.Result>((resolve, reject) => { noisyDone = resolve; noisyFailed = reject; });
      const noisy = autocannon({
        url: `${server.apiUrl}/trigger/job-status?workspaceId=${noisyWorkspace}&jobId=${noisyJob}`,
        connections: 4, duration: 120, headers: { authorization: `Bearer ${token}` },
      }, (error, result) => (error === null || error === undefined ? noisyDone(result) : noisyFailed(error)));
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const busy = await timeOther();
      noisy.stop();
      const noisyResult = await noisyFinished;
      const statusCounts = noisyResult.statusCodeStats as Record<string, { count: number } | undefined>;
      const quietMs = rounded(distribution(quiet));
      const noisyMs = rounded(distribution(busy));
      return {
        samples, quietMs, noisyMs, noisyOverQuiet: round(noisyMs.p50 / quietMs.p50, 2),
        noisyRequests: noisyResult.requests.total, noisyRefused: statusCounts["429"]?.count ?? 0,
      };
    };
    const isolation = await besideFlood(limited);
    const withoutLimiting = await besideFlood(unlimited);
    return { cost, isolation, withoutLimiting };
  } finally {
    await limited.stop();
    await unlimited.stop();
  }
}

function rounded(d: Distribution): Distribution {
  return { p50: round(d.p50, 1), p99: round(d.p99, 1), max: round(d.max, 1), count: d.count };
}
