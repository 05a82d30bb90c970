// Idempotency keys under load, through the real local HTTP stack: concurrent single sends each
// retried once with its key (a client whose first answer timed out) must create each message once;
// how fast a replay answers; and what the header costs a create (schedule-delay with a new key per
// request against the same requests without one, interleaved, best of each: the machine is shared).
import { randomUUID } from "node:crypto";
import autocannon from "autocannon";
import { signUserToken } from "../../dev/access-token.ts";
import { startFunctionsServer } from "../../dev/functions-process.ts";
import { localAuth } from "../../dev/local-env.ts";
import type { BenchStack } from "../bench-stack.ts";
import { type Distribution, distribution, round } from "../stats.ts";

export interface IdempotentRetriesResult {
  sends: number;
  /** Jobs beyond one per key: must be 0. */
  duplicates: number;
  /** Retries that did not get the first answer back byte for byte with Idempotent-Replayed: true. */
  retriesNotReplayed: number;
  replayLatencyMs: Distribution;
  firstLatencyMs: Distribution;
  throughput: { connections: number; seconds: number; withKey: number[]; withoutKey: number[]; withOverWithout: number };
}

interface Timed {
  ms: number;
  status: number;
  text: string;
  replayed: boolean;
}

const owner = { userId: "00000000-0000-4000-8000-000000000001", email: "owner@demo.test" };

export async function measureIdempotentRetries(
  stack: BenchStack,
  sends: number,
  connections: number,
  seconds: number,
): Promise<IdempotentRetriesResult> {
  await stack.clearJobs();
  const server = await startFunctionsServer({
    functionsPort: 0, apiPort: 0,
    env: { SUPABASE_DB_URL: stack.url, SUPABASE_JWT_SECRET: localAuth.jwtSecret },
  });
  try {
    const token = await signUserToken(owner);
    const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
    const sendUrl = `${server.apiUrl}/trigger/send-sms`;
    const runId = randomUUID();
    const body = JSON.stringify({ to: "+61412345678", body: `Idempotent bench ${runId}`, workspaceId: "ws_demo" });

    const timed = async (key: string): Promise<Timed> => {
      const started = performance.now();
      const response = await fetch(sendUrl, { method: "POST", headers: { ...headers, "idempotency-key": key }, body });
      const text = await response.text();
      return { ms: performance.now() - started, status: response.status, text, replayed: response.headers.get("idempotent-replayed") === "true" };
    };
    // All sends at once, then all their retries at once: replays and first answers measured under
    // the same concurrency.
    const keys = Array.from({ length: sends }, () => randomUUID());
    const firsts = await Promise.all(keys.map((key) => timed(key)));
    const retries = await Promise.all(keys.map((key) => timed(key)));
    const pairs = keys.map((_, i) => ({ first: firsts[i], retry: retries[i] }))
      .filter((p): p is { first: Timed; retry: Timed } => p.first !== undefined && p.retry !== undefined);
    const [row] = await stack.sql<{ n: number }[]>`
      select count(*)::int as n from public.scheduled_sms_jobs where body = ${`Idempotent bench ${runId}`}`;
    const created = row?.n ?? 0;
    const firstsOk = pairs.filter((p) => p.first.status === 200).length;
    if (firstsOk !== sends) throw new Error(`${sends - firstsOk} of ${sends} first sends failed`);
    const retriesNotReplayed = pairs.filter((p) => !(p.retry.replayed && p.retry.status === p.first.status && p.retry.text === p.first.text)).length;

    const throughput = { withKey: [] as number[], withoutKey: [] as number[] };
    const delayBody = JSON.stringify({ to: "+61412345678", body: "Hello from delay scheduler", workspaceId: "ws_demo", delayMinutes: 60 });
    for (let round_ = 0; round_ < 2; round_++) {
      for (const withKey of [false, true]) {
        await stack.clearJobs();
        const result = await autocannon({
          url: `${server.apiUrl}/trigger/schedule-delay`,
          connections,
          duration: seconds,
          requests: [{
            method: "POST",
            headers,
            body: delayBody,
            // A new key per request: every one creates, as a client sending new messages does.
            ...(withKey ? { setupRequest: (request) => ({ ...request, headers: { ...request.headers, "idempotency-key": randomUUID() } }) } : {}),
          }],
        });
        if (result.non2xx > 0 || result.errors > 0) throw new Error(`schedule-delay: ${result.non2xx} non-2xx, ${result.errors} errors`);
        throughput[withKey ? "withKey" : "withoutKey"].push(round(result.requests.average, 0));
      }
    }
    return {
      sends,
      duplicates: created - sends,
      retriesNotReplayed,
      replayLatencyMs: roundedDistribution(pairs.map((p) => p.retry.ms)),
      firstLatencyMs: roundedDistribution(pairs.map((p) => p.first.ms)),
      throughput: {
        connections, seconds, ...throughput,
        withOverWithout: round(Math.max(...throughput.withKey) / Math.max(...throughput.withoutKey), 2),
      },
    };
  } finally {
    await server.stop();
  }
}

function roundedDistribution(values: number[]): Distribution {
  const d = distribution(values);
  return { p50: round(d.p50, 1), p99: round(d.p99, 1), max: round(d.max, 1), count: d.count };
}
