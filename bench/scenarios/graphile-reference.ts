// The reference: graphile-worker (a well-known Postgres job queue) on the same database, same run.
import { Logger, run, makeWorkerUtils, type Runner } from "graphile-worker";
import type { BenchStack } from "../bench-stack.ts";
import { distribution, round, settlesWithin, sleep, type Distribution } from "../stats.ts";

export interface GraphileThroughput {
  configuration: string;
  jobs: number;
  seconds: number;
  jobsPerSecond: number;
}

export interface GraphileLateness {
  configuration: string;
  jobs: number;
  latenessMs: Distribution;
}

const silentLogger = new Logger(() => () => undefined);

async function addNoopJobs(stack: BenchStack, count: number, runAt?: (i: number) => Date): Promise<void> {
  const utils = await makeWorkerUtils({ connectionString: stack.url, logger: silentLogger });
  try {
    await utils.migrate();
    for (let offset = 0; offset < count; offset += 1000) {
      const n = Math.min(1000, count - offset);
      await utils.addJobs(Array.from({ length: n }, (_, i) => ({
        identifier: "noop",
        payload: { i: offset + i },
        ...(runAt ? { runAt: runAt(offset + i) } : {}),
      })));
    }
  } finally {
    await utils.release();
  }
}

async function clearGraphile(stack: BenchStack): Promise<void> {
  await stack.sql`delete from graphile_worker._private_jobs`.catch(() => undefined);
}

export async function measureGraphileThroughput(stack: BenchStack, jobs: number, configuration: "default" | "batched"): Promise<GraphileThroughput> {
  await addNoopJobs(stack, 0);
  await clearGraphile(stack);
  let done = 0;
  let finished = 0;
  let resolveAll: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => { resolveAll = resolve; });
  const worker: Runner = await run({
    connectionString: stack.url,
    noHandleSignals: true,
    logger: silentLogger,
    ...(configuration === "batched" ? {
      concurrency: 24,
      preset: { worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    } : {}),
    taskList: {
      noop: async () => {
        done += 1;
        if (done === jobs) { finished = Date.now(); resolveAll(); }
      },
    },
  });
  try {
    const started = Date.now();
    await addNoopJobs(stack, jobs);
    await settlesWithin(allDone, 600_000);
    const seconds = ((finished || Date.now()) - started) / 1000;
    return { configuration: configuration === "default" ? "default (concurrency 1, poll 2 s)" : "concurrency 24, localQueue 500, batched completion",
      jobs, seconds: round(seconds, 2), jobsPerSecond: round(done / seconds, 0) };
  } finally {
    await worker.stop();
  }
}

/** Lateness of future jobs (run_at spread over `spreadSeconds`) at the default poll interval. */
export async function measureGraphileLateness(stack: BenchStack, jobs: number, spreadSeconds: number): Promise<GraphileLateness> {
  await addNoopJobs(stack, 0);
  await clearGraphile(stack);
  const start = Date.now() + 5_000;
  const step = (spreadSeconds * 1000) / jobs;
  const due = (i: number): Date => new Date(start + i * step);
  const late: number[] = [];
  const worker: Runner = await run({
    connectionString: stack.url,
    noHandleSignals: true,
    logger: silentLogger,
    taskList: {
      noop: async (payload) => {
        const i = (payload as { i: number }).i;
        late.push(Date.now() - due(i).getTime());
      },
    },
  });
  try {
    await addNoopJobs(stack, jobs, due);
    const deadline = start + spreadSeconds * 1000 + 30_000;
    while (late.length < jobs && Date.now() < deadline) await sleep(100);
    return { configuration: "default (poll interval 2 s)", jobs, latenessMs: distribution(late.map((v) => round(v, 1))) };
  } finally {
    await worker.stop();
  }
}
