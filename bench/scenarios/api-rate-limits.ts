// API rate limiting under load, through the real local HTTP stack:
// 1. its cost: POST schedule-delay and GET job-status requests per second with limiting on (the
//    default) and off (API_RATE_LIMITING=off), two servers, runs alternated, best of each (the
//    machine is shared). ws_demo has the largest limits (bench-stack.ts), so nothing is refused
//    and the figures are the limiter's charge per request, not refusals.
// 2. isolation: the other tenant's GET job-status latency (p50, one call after another) while
//    quiet, and while a noisy tenant hammers job-status far over its (default) read limit.
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
  const body = await response.json() as { data?: { jobId?: string } };
  if (response.status !== 200 || body.data?.jobId === undefined) throw new Error(`schedule-delay answered ${response.status}`);
  return body.data.jobId;
}

export async function measureRateLimits(stack: BenchStack, connections: number, seconds: number, samples: number): Promise<RateLimitsResult> {
  await stack.clearJobs();
  await stack.sql`insert into public.workspaces (id, name) values (${noisyWorkspace}, 'Noisy tenant') on conflict do nothing`;
  await stack.sql`
    insert into public.workspace_members (workspace_id, user_id, role) values (${noisyWorkspace}, ${demoOwner.userId}, 'owner')
    on conflict do nothing`;
  await stack.sql`update public.workspace_settings set api_limits = '{}' where workspace_id = ${noisyWorkspace}`;

  const limited = await startServer(stack.url);
  const unlimited = await startServer(stack.url, { API_RATE_LIMITING: "off" });
  try {
    const token = await signUserToken(demoOwner);
    const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
    const jobId = await createJob(limited, token, "ws_demo");
    const postOptions = (server: FunctionsServer): autocannon.Options => ({
      url: `${server.apiUrl}/trigger/schedule-delay`, method: "POST", connections, duration: seconds, headers,
      body: JSON.stringify({ to: "+61412345678", body: "Rate limit bench", workspaceId: "ws_demo", delayMinutes: 60 }),
    });
    const getOptions = (server: FunctionsServer): autocannon.Options => ({
      url: `${server.apiUrl}/trigger/job-status?workspaceId=ws_demo&jobId=${jobId}`, connections, duration: seconds, headers,
    });

    const cost: RateLimitCostResult = { connections, seconds, post: { on: [], off: [], onOverOff: 0 }, get: { on: [], off: [], onOverOff: 0 }, non2xx: 0 };
    for (let i = 0; i < 2; i++) {
      for (const [on, server] of [[true, limited], [false, unlimited]] as const) {
        const post = await run(postOptions(server));
        const get = await run(getOptions(server));
        cost.post[on ? "on" : "off"].push(post.rps);
        cost.get[on ? "on" : "off"].push(get.rps);
        cost.non2xx += post.non2xx + get.non2xx;
      }
      await stack.clearJobs();
    }
    cost.post.onOverOff = round(Math.max(...cost.post.on) / Math.max(...cost.post.off), 3);
    cost.get.onOverOff = round(Math.max(...cost.get.on) / Math.max(...cost.get.off), 3);

    // Isolation, on the limited server.
    const otherToken = await signUserToken(otherOwner);
    const otherJob = await createJob(limited, otherToken, "ws_other");
    const noisyJob = await createJob(limited, token, noisyWorkspace);
    const otherUrl = `${limited.apiUrl}/trigger/job-status?workspaceId=ws_other&jobId=${otherJob}`;
    const timeOther = async (): Promise<number[]> => {
      const durations: number[] = [];
      for (let i = 0; i < samples + 3; i++) {
        const started = performance.now();
        const response = await fetch(otherUrl, { headers: { authorization: `Bearer ${otherToken}` } });
        await response.text();
        if (response.status !== 200) throw new Error(`the other tenant's job-status answered ${response.status}`);
        if (i >= 3) durations.push(performance.now() - started);
      }
      return durations;
    };
    const quiet = await timeOther();
    // The noisy tenant: as many job-status calls as 10 connections make, far over 50/s.
    let noisyDone: (result: autocannon.Result) => void = () => undefined;
    let noisyFailed: (error: unknown) => void = () => undefined;
    const noisyFinished = new Promise<autocannon.Result>((resolve, reject) => { noisyDone = resolve; noisyFailed = reject; });
    const noisy = autocannon({
      url: `${limited.apiUrl}/trigger/job-status?workspaceId=${noisyWorkspace}&jobId=${noisyJob}`,
      connections: 10, duration: 120, headers: { authorization: `Bearer ${token}` },
    }, (error, result) => (error === null || error === undefined ? noisyDone(result) : noisyFailed(error)));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const busy = await timeOther();
    noisy.stop();
    const noisyResult = await noisyFinished;
    const statusCounts = noisyResult.statusCodeStats as Record<string, { count: number } | undefined>;
    const isolation: RateLimitIsolationResult = {
      samples,
      quietMs: rounded(distribution(quiet)),
      noisyMs: rounded(distribution(busy)),
      noisyOverQuiet: 0,
      noisyRequests: noisyResult.requests.total,
      noisyRefused: statusCounts["429"]?.count ?? 0,
    };
    isolation.noisyOverQuiet = round(isolation.noisyMs.p50 / isolation.quietMs.p50, 2);
    return { cost, isolation };
  } finally {
    await limited.stop();
    await unlimited.stop();
  }
}

function rounded(d: Distribution): Distribution {
  return { p50: round(d.p50, 1), p99: round(d.p99, 1), max: round(d.max, 1), count: d.count };
}
