// The fault suite: each fault must leave every message sent or visibly failed, none lost, and every
// duplicate send recorded as in doubt.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testCluster } from "../../dev/local-env.ts";
import { startCluster, stopCluster } from "../../dev/postgres-cluster.ts";
import { startLocalStack, type LocalStack } from "../support/local-stack.ts";
import { faultReport, insertDueJobs, waitUntilSettled } from "./fault-report.ts";

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ callbacks: { statusDelayMs: 50 } });
  await stack.sql`delete from public.scheduled_sms_jobs`;
  await stack.sql`update public.workspace_settings set retry_base_seconds = 1, retry_max_seconds = 2 where workspace_id = 'ws_demo'`;
}, 60_000);

afterAll(async () => {
  await stack.sql`update public.workspace_settings set retry_base_seconds = 30, retry_max_seconds = 3600 where workspace_id = 'ws_demo'`;
  await stack.sql`delete from public.scheduled_sms_jobs`;
  await stack.stop();
});

describe("fault suite", () => {
  it("SIGKILL of a runner mid-batch", async () => {
    stack.simulator.reset();
    stack.simulator.configure({ latencyMs: 200 });
    const ids = await insertDueJobs(stack.sql, 300, `sigkill-${Date.now()}`);
    const doomed = await stack.startRunnerProcess({ RUNNER_LEASE_SECONDS: "2", RUNNER_CONCURRENCY: "50", RUNNER_CLAIM_BATCH: "50" });
    while (stack.simulator.requests().length < 60) await new Promise((r) => setTimeout(r, 20));
    await doomed.kill("SIGKILL");
    await new Promise((r) => setTimeout(r, 2_200));
    await stack.sql`select private.run_sweep()`;
    stack.simulator.configure({ latencyMs: 0 });
    const survivor = await stack.startRunner();
    await waitUntilSettled(stack.sql, ids, 60_000);
    await survivor.stop();
    const report = await faultReport("SIGKILL mid-batch", stack.sql, stack.simulator, ids);
    expect(report).toMatchObject({ expected: 300, lost: 0, duplicatesNotRecorded: 0 });
    expect(report.sent + report.failedVisibly).toBe(300);
  }, 120_000);

  it("PostgreSQL restarts while messages are being sent", async () => {
    stack.simulator.reset();
    stack.simulator.configure({ latencyMs: 100 });
    const ids = await insertDueJobs(stack.sql, 400, `pg-restart-${Date.now()}`);
    const runner = await stack.startRunner({ concurrency: 40, claimBatch: 40 });
    while (stack.simulator.requests().length < 50) await new Promise((r) => setTimeout(r, 20));
    stopCluster(testCluster); // fast shutdown: in-flight transactions are cut off
    await new Promise((r) => setTimeout(r, 1_500));
    startCluster(testCluster);
    await waitUntilSettled(stack.sql, ids, 90_000);
    await runner.stop();
    const report = await faultReport("PostgreSQL restart during sends", stack.sql, stack.simulator, ids);
    expect(report).toMatchObject({ expected: 400, lost: 0, duplicatesNotRecorded: 0 });
  }, 150_000);

  it("the Twilio API answers 500, 429 and times out for a while", async () => {
    stack.simulator.reset();
    stack.simulator.configure({ serverErrorRate: 0.3, tooManyRequestsRate: 0.2, retryAfterSeconds: 1, timeoutRate: 0.05, timeoutHoldMs: 1_000 });
    const ids = await insertDueJobs(stack.sql, 300, `twilio-storm-${Date.now()}`);
    // Ambiguous timeouts: Twilio accepted these, but the answer never came.
    const ambiguous = (await stack.sql<{ to_phone: string }[]>`
      select to_phone from public.scheduled_sms_jobs where id = any(${ids}) order by to_phone limit 5`).map((r) => r.to_phone);
    stack.simulator.configure({ scriptedOutcomes: Object.fromEntries(ambiguous.map((to) => [to, [{ outcome: "timeout" as const, holdMs: 500, created: true }]])) });
    const runner = await stack.startRunner({ concurrency: 50, claimBatch: 50 });
    await new Promise((r) => setTimeout(r, 20_000)); // the storm
    stack.simulator.configure({ serverErrorRate: 0, tooManyRequestsRate: 0, timeoutRate: 0 });
    await waitUntilSettled(stack.sql, ids, 60_000);
    await runner.stop();
    const report = await faultReport("Twilio 500/429/timeouts", stack.sql, stack.simulator, ids);
    expect(report).toMatchObject({ expected: 300, lost: 0, duplicatesNotRecorded: 0 });
    // Each ambiguous send reached Twilio, and its job says the attempt is in doubt.
    for (const to of ambiguous) {
      expect(stack.simulator.messages({ to }).length).toBeGreaterThanOrEqual(1);
      const [row] = await stack.sql<{ in_doubt: number }[]>`
        select count(*)::int as in_doubt from public.sms_job_events e join public.scheduled_sms_jobs j on j.id = e.job_id
        where j.to_phone = ${to} and j.id = any(${ids}) and e.error_code = 'network_error'`;
      expect({ to, inDoubt: (row?.in_doubt ?? 0) > 0 }).toEqual({ to, inDoubt: true });
    }
  }, 150_000);

  it("two runners and a sweep racing", async () => {
    stack.simulator.reset();
    stack.simulator.configure({ latencyMs: { min: 0, max: 30 } });
    const ids = await insertDueJobs(stack.sql, 1_000, `race-${Date.now()}`);
    const runners = await Promise.all([stack.startRunner({ leaseSeconds: 2 }), stack.startRunner({ leaseSeconds: 2 })]);
    let sweeping = true;
    const sweeps = (async () => {
      while (sweeping) {
        await stack.sql`select private.run_sweep()`;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await waitUntilSettled(stack.sql, ids, 60_000);
    sweeping = false;
    await sweeps;
    await Promise.all(runners.map((r) => r.stop()));
    const report = await faultReport("two runners and a sweep racing", stack.sql, stack.simulator, ids);
    expect(report).toMatchObject({ expected: 1_000, sent: 1_000, duplicated: 0, lost: 0 });
    expect(runners.every((r) => r.results.length > 0)).toBe(true);
    // No statement of theirs failed (a deadlock between a runner's renewals and its completions
    // once cost a batch of completions, re-sent after the lease).
    expect(runners.flatMap((r) => r.errors).map(String)).toEqual([]);
  }, 120_000);

  it("duplicated and reordered status callbacks", async () => {
    stack.simulator.reset();
    stack.simulator.configure({ callbacks: { order: "shuffled", duplicateRate: 0.5, statusDelayMs: 5 } });
    const ids = await insertDueJobs(stack.sql, 200, `callbacks-${Date.now()}`);
    const runner = await stack.startRunner();
    await waitUntilSettled(stack.sql, ids, 60_000);
    await stack.simulator.idle();
    await runner.stop();
    const report = await faultReport("duplicated and reordered callbacks", stack.sql, stack.simulator, ids);
    expect(report).toMatchObject({ expected: 200, sent: 200, lost: 0, duplicated: 0 });
    const [statuses] = await stack.sql<{ delivered: number }[]>`
      select count(*)::int as delivered from public.scheduled_sms_jobs where id = any(${ids}) and message_status = 'delivered'`;
    expect(statuses?.delivered).toBe(200);
  }, 120_000);
});
