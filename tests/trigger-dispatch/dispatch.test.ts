// 'trigger' mode: what the database sends Trigger.dev, read from the pg_net request queue.
import { isDeepStrictEqual } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendSmsTaskId } from "../../delivery/send-sms-task.ts";
import { asUser, connect, databaseLimit, errorCodeOf, seededUsers, type TransactionSql } from "../support/database.ts";
import {
  allItems, expectedIdempotencyKey, lastRequestId, queuedRequests, rolledBack, testApiUrl, testSecretKey,
  useTriggerMode,
} from "./support.ts";

const sql = connect();
// The dispatch limits as the database defines them (private.limit_value).
const horizon = await databaseLimit(sql, "dispatch_horizon_seconds");
const grace = await databaseLimit(sql, "dispatch_grace_seconds");
const batch = await databaseLimit(sql, "dispatch_batch_items");
const requestsPerStatement = await databaseLimit(sql, "dispatch_requests_per_statement");
const requestsPerSweep = await databaseLimit(sql, "dispatch_requests_per_sweep");
const requestTimeoutMs = await databaseLimit(sql, "dispatch_request_timeout_ms");
const perStatementRows = requestsPerStatement * batch;
const perSweepRows = requestsPerSweep * batch;
/** Time budget of the scenarios with tens of thousands of rows (the suite may share the machine). */
const bulkTimeoutMs = 120_000;
const isoWithZ = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

beforeAll(async () => {
  const [row] = await sql<{ value: string }[]>`select value from private.settings where key = 'dispatch_mode'`;
  // The scenarios switch to 'trigger' only inside rolled-back transactions.
  expect(row?.value).toBe("local");
});
afterAll(() => sql.end());

interface JobRow {
  id: string;
  workspace_id: string;
  status: string;
  attempts: number;
  dispatch_count: number;
  dispatched_at: Date | null;
  dispatched_now: boolean | null;
  /** next_attempt_at in microseconds since the epoch (JavaScript dates keep only milliseconds). */
  due_us: string;
  due_in_future: boolean;
}

async function job(tx: TransactionSql, id: string): Promise<JobRow> {
  const [row] = await tx<JobRow[]>`
    select id, workspace_id, status::text, attempts, dispatch_count, dispatched_at,
           dispatched_at = now() as dispatched_now,
           (extract(epoch from next_attempt_at) * 1000000)::bigint::text as due_us,
           next_attempt_at > now() as due_in_future
    from public.scheduled_sms_jobs where id = ${id}`;
  if (!row) throw new Error(`no job ${id}`);
  return row;
}

async function insertJob(tx: TransactionSql, options: { inSeconds?: number; workspace?: string; to?: string } = {}): Promise<string> {
  const [row] = await tx<{ id: string }[]>`
    insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, scheduled_time)
    values (${options.workspace ?? "ws_demo"}, ${options.to ?? "+61412345678"}, 'Your appointment is tomorrow',
            now() + make_interval(secs => ${options.inSeconds ?? 0}))
    returning id`;
  if (!row) throw new Error("insert returned nothing");
  return row.id;
}

async function insertBulk(tx: TransactionSql, count: number): Promise<void> {
  // Two workspaces, alternating, all due now.
  await tx`
    insert into public.scheduled_sms_jobs (workspace_id, to_phone, body)
    select case when g % 2 = 0 then 'ws_demo' else 'ws_other' end, '+614' || lpad(g::text, 8, '0'), 'bulk ' || g
    from generate_series(1, ${count}) g`;
}

/** The delay must be the due time, rounded up to the millisecond, as ISO-8601 with Z. */
function expectDelayAt(delay: string | undefined, dueMicros: string): void {
  expect(delay).toMatch(isoWithZ);
  const delayMicros = BigInt(Date.parse(delay ?? "")) * 1000n;
  const due = BigInt(dueMicros);
  expect(delayMicros >= due && delayMicros - due < 1000n).toBe(true);
}

describe("'local' mode and an unconfigured 'trigger' mode dispatch nothing", () => {
  it("in 'local' mode inserts, retries and sweeps queue no request and leave rows undispatched", async () => {
    await rolledBack(sql, async (tx) => {
      const before = await lastRequestId(tx);
      const id = await insertJob(tx);
      await insertBulk(tx, 600);
      await tx`select private.claim_job(${id}, 'w1', 60)`;
      await tx`select private.retry_job(${id}, 'w1', '20429', 'Too Many Requests', 0)`;
      await tx`select private.run_sweep()`;
      expect(await queuedRequests(tx, before)).toEqual([]);
      const [counts] = await tx<{ dispatched: number }[]>`
        select count(*) filter (where dispatched_at is not null or dispatch_count > 0)::int as dispatched
        from public.scheduled_sms_jobs`;
      expect(counts?.dispatched).toBe(0);
    });
  });

  it("in 'trigger' mode without a secret key nothing is dispatched", async () => {
    await rolledBack(sql, async (tx) => {
      await useTriggerMode(tx, { secretKey: "" });
      const before = await lastRequestId(tx);
      const id = await insertJob(tx);
      await tx`select private.run_sweep()`;
      expect(await queuedRequests(tx, before)).toEqual([]);
      expect((await job(tx, id)).dispatch_count).toBe(0);
    });
  });
});

describe("dispatch on insert", () => {
  it("a job due now is one request to the batch endpoint with the secret key and no delay", async () => {
    await rolledBack(sql, async (tx) => {
      await useTriggerMode(tx, { apiUrl: `${testApiUrl}/` });
      const before = await lastRequestId(tx);
      const id = await insertJob(tx);
      const requests = await queuedRequests(tx, before);
      expect(requests).toHaveLength(1);
      const [request] = requests;
      expect(request?.method).toBe("POST");
      expect(request?.url).toBe(`${testApiUrl}/api/v2/tasks/batch`);
      expect(request?.headers).toEqual({ "Content-Type": "application/json", Authorization: `Bearer ${testSecretKey}` });
      expect(request?.timeoutMs).toBe(requestTimeoutMs);
      expect(request?.items).toEqual([{
        task: sendSmsTaskId,
        payload: { jobId: id },
        options: {
          payloadType: "application/json",
          idempotencyKey: expectedIdempotencyKey(id, 1, 1),
          concurrencyKey: "ws_demo",
          tags: ["workspace:ws_demo"],
        },
      }]);
      const row = await job(tx, id);
      expect(row).toMatchObject({ status: "queued", dispatch_count: 1, dispatched_now: true });
    });
  });

  it("a job due within the horizon carries its due time as the delay (ISO-8601 with Z)", async () => {
    await rolledBack(sql, async (tx) => {
      await useTriggerMode(tx);
      const before = await lastRequestId(tx);
      const id = await insertJob(tx, { inSeconds: 120.1234 });
      const items = allItems(await queuedRequests(tx, before));
      expect(items.map((i) => i.payload.jobId)).toEqual([id]);
      const row = await job(tx, id);
      expect(row.status).toBe("scheduled");
      expectDelayAt(items[0]?.options.delay, row.due_us);
    });
  });

  it("a job due beyond the horizon waits; the sweep dispatches it once it comes within the horizon", async () => {
    await rolledBack(sql, async (tx) => {
      await useTriggerMode(tx);
      const before = await lastRequestId(tx);
      const id = await insertJob(tx, { inSeconds: horizon + 3600 });
      expect(await queuedRequests(tx, before)).toEqual([]);
      await tx`select private.run_sweep()`;
      expect(await queuedRequests(tx, before)).toEqual([]);
      expect((await job(tx, id)).dispatched_at).toBeNull();

      // An hour passes: the job is now due in two minutes.
      await tx`update public.scheduled_sms_jobs set next_attempt_at = now() + interval '2 minutes' where id = ${id}`;
      const [run] = await tx<{ id: number }[]>`select private.run_sweep()::int as id`;
      const requests = await queuedRequests(tx, before);
      expect(allItems(requests).map((i) => i.payload.jobId)).toEqual([id]);
      const row = await job(tx, id);
      expect(row).toMatchObject({ dispatch_count: 1, dispatched_now: true });
      expectDelayAt(requests[0]?.items[0]?.options.delay, row.due_us);
      expect(requests[0]?.items[0]?.options.idempotencyKey).toBe(expectedIdempotencyKey(id, 1, 1));
      const [sweep] = await tx`select dispatched, redispatched, dispatch_requests from private.sweep_runs where id = ${run?.id ?? 0}`;
      expect(sweep).toEqual({ dispatched: 1, redispatched: 0, dispatch_requests: 1 });

      // Dispatched once: the next sweep leaves it alone.
      const after = await lastRequestId(tx);
      await tx`select private.run_sweep()`;
      expect(await queuedRequests(tx, after)).toEqual([]);
    });
  });

  it("a bulk insert of 12,000 rows is 20 requests of 500 items; the sweep takes the 2,000 over the statement's cap", async () => {
    await rolledBack(sql, async (tx) => {
      await useTriggerMode(tx);
      const before = await lastRequestId(tx);
      await insertBulk(tx, 12_000);

      const onInsert = await queuedRequests(tx, before);
      expect(onInsert).toHaveLength(requestsPerStatement);
      expect(onInsert.map((r) => r.items.length)).toEqual(onInsert.map(() => batch));
      const [state] = await tx<{ dispatched: number; waiting: number }[]>`
        select count(*) filter (where dispatch_count = 1)::int as dispatched,
               count(*) filter (where dispatch_count = 0 and dispatched_at is null)::int as waiting
        from public.scheduled_sms_jobs`;
      expect(state).toEqual({ dispatched: perStatementRows, waiting: 12_000 - perStatementRows });

      const afterInsert = await lastRequestId(tx);
      await tx`select private.run_sweep()`;
      const bySweep = await queuedRequests(tx, afterInsert);
      expect(bySweep.map((r) => r.items.length)).toEqual([500, 500, 500, 500]);

      // Every row exactly once, each item naming its own workspace and its own key.
      const items = allItems([...onInsert, ...bySweep]);
      const rows = await tx<{ id: string; workspace_id: string; dispatch_count: number }[]>`
        select id, workspace_id, dispatch_count from public.scheduled_sms_jobs`;
      expect(rows).toHaveLength(12_000);
      expect(rows.every((r) => r.dispatch_count === 1)).toBe(true);
      const byId = new Map(rows.map((r) => [r.id, r]));
      expect(new Set(items.map((i) => i.payload.jobId)).size).toBe(12_000);
      expect(new Set(items.map((i) => i.options.idempotencyKey)).size).toBe(12_000);
      const mismatches = items.filter((item) => {
        const row = byId.get(item.payload.jobId);
        return item.options.concurrencyKey !== row?.workspace_id
          || !isDeepStrictEqual(item.options.tags, [`workspace:${row.workspace_id}`])
          || item.options.idempotencyKey !== expectedIdempotencyKey(item.payload.jobId, 1, 1)
          || item.options.delay !== undefined;
      });
      expect(mismatches).toEqual([]);
    });
  }, bulkTimeoutMs);

  it("chunks follow the due order: 1,234 rows are requests of 500, 500 and 234, earliest due first", async () => {
    await rolledBack(sql, async (tx) => {
      await useTriggerMode(tx);
      const before = await lastRequestId(tx);
      await tx`
        insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, scheduled_time)
        select 'ws_demo', '+614' || lpad(g::text, 8, '0'), 'hi', now() + make_interval(secs => (1234 - g) * 0.1)
        from generate_series(1, 1234) g`;
      const requests = await queuedRequests(tx, before);
      expect(requests.map((r) => r.items.length)).toEqual([500, 500, 234]);
      const dueOrder = await tx<{ id: string }[]>`select id from public.scheduled_sms_jobs order by next_attempt_at, id`;
      expect(allItems(requests).map((i) => i.payload.jobId)).toEqual(dueOrder.map((r) => r.id));
    });
  });

  it("one sweep makes at most dispatch_requests_per_sweep requests; the next sweep takes the rest", async () => {
    await rolledBack(sql, async (tx) => {
      // Rows created while in 'local' mode, then the service switches to 'trigger'.
      await insertBulk(tx, perSweepRows + 700);
      await useTriggerMode(tx);
      const before = await lastRequestId(tx);
      await tx`select private.run_sweep()`;
      const first = await queuedRequests(tx, before);
      expect(first).toHaveLength(requestsPerSweep);
      expect(allItems(first)).toHaveLength(perSweepRows);

      const afterFirst = await lastRequestId(tx);
      await tx`select private.run_sweep()`;
      const second = await queuedRequests(tx, afterFirst);
      expect(second.map((r) => r.items.length)).toEqual([500, 200]);
      const [left] = await tx<{ n: number }[]>`select count(*)::int as n from public.scheduled_sms_jobs where dispatch_count <> 1`;
      expect(left?.n).toBe(0);
    });
  }, bulkTimeoutMs);
});

describe("retries and re-dispatch", () => {
  it("a scheduled retry is dispatched at once with the next attempt's key and its backoff as the delay", async () => {
    await rolledBack(sql, async (tx) => {
      await useTriggerMode(tx);
      const before = await lastRequestId(tx);
      const id = await insertJob(tx);
      await tx`select private.claim_job(${id}, 'trigger:run_1:1', 60)`;
      expect(await queuedRequests(tx, before)).toHaveLength(1);
      const afterClaim = await lastRequestId(tx);
      await tx`select private.retry_job(${id}, 'trigger:run_1:1', '20429', 'Too Many Requests', 30)`;

      const requests = await queuedRequests(tx, afterClaim);
      expect(requests).toHaveLength(1);
      const row = await job(tx, id);
      expect(row).toMatchObject({ status: "retrying", attempts: 1, dispatch_count: 2, dispatched_now: true, due_in_future: true });
      const [item] = allItems(requests);
      expect(item?.payload).toEqual({ jobId: id });
      expect(item?.options.idempotencyKey).toBe(expectedIdempotencyKey(id, 2, 2));
      expect(item?.options.idempotencyKey).not.toBe(expectedIdempotencyKey(id, 1, 1));
      expectDelayAt(item?.options.delay, row.due_us);
    });
  });

  it("a retry due beyond the horizon is left to the sweep", async () => {
    await rolledBack(sql, async (tx) => {
      await useTriggerMode(tx);
      const id = await insertJob(tx);
      await tx`select private.claim_job(${id}, 'w1', 60)`;
      const before = await lastRequestId(tx);
      await tx`select private.retry_job(${id}, 'w1', '20429', 'Too Many Requests', ${horizon + 600})`;
      expect(await queuedRequests(tx, before)).toEqual([]);
      const row = await job(tx, id);
      expect(row).toMatchObject({ status: "retrying", dispatched_at: null, dispatch_count: 1 });

      await tx`update public.scheduled_sms_jobs set next_attempt_at = now() + interval '1 minute' where id = ${id}`;
      await tx`select private.run_sweep()`;
      const items = allItems(await queuedRequests(tx, before));
      expect(items.map((i) => i.options.idempotencyKey)).toEqual([expectedIdempotencyKey(id, 2, 2)]);
    });
  });

  it("an expired lease returned to 'retrying' by the sweep is dispatched once, without delay", async () => {
    await rolledBack(sql, async (tx) => {
      await useTriggerMode(tx);
      const id = await insertJob(tx);
      await tx`select private.claim_job(${id}, 'trigger:run_crashed:1', 60)`;
      await tx`update public.scheduled_sms_jobs set lease_expires_at = now() - interval '1 second' where id = ${id}`;
      const before = await lastRequestId(tx);
      await tx`select private.run_sweep()`;
      const items = allItems(await queuedRequests(tx, before));
      expect(items.map((i) => i.payload.jobId)).toEqual([id]);
      expect(items[0]?.options.idempotencyKey).toBe(expectedIdempotencyKey(id, 2, 2));
      expect(items[0]?.options.delay).toBeUndefined();
      expect(await job(tx, id)).toMatchObject({ status: "retrying", dispatch_count: 2 });
    });
  });

  it("a row not claimed within the grace period after its due time and last dispatch is dispatched again", async () => {
    await rolledBack(sql, async (tx) => {
      await useTriggerMode(tx);
      const lost = await insertJob(tx, { to: "+61400000001" });
      const recentlyDispatched = await insertJob(tx, { to: "+61400000002" });
      const recentlyDue = await insertJob(tx, { to: "+61400000003" });
      const cancelled = await insertJob(tx, { to: "+61400000004" });
      await tx`select private.cancel_job(${cancelled})`;
      // Time passes; nobody claimed them (the requests were lost).
      await tx`update public.scheduled_sms_jobs
               set next_attempt_at = now() - make_interval(secs => ${grace + 60}),
                   dispatched_at = now() - make_interval(secs => ${grace + 60})
               where id in (${lost}, ${cancelled})`;
      await tx`update public.scheduled_sms_jobs
               set next_attempt_at = now() - make_interval(secs => ${grace + 60}),
                   dispatched_at = now() - make_interval(secs => ${grace - 60})
               where id = ${recentlyDispatched}`;
      await tx`update public.scheduled_sms_jobs
               set next_attempt_at = now() - make_interval(secs => ${grace - 60}),
                   dispatched_at = now() - make_interval(secs => ${grace + 60})
               where id = ${recentlyDue}`;

      const before = await lastRequestId(tx);
      const [run] = await tx<{ id: number }[]>`select private.run_sweep()::int as id`;
      const items = allItems(await queuedRequests(tx, before));
      expect(items).toEqual([{
        task: sendSmsTaskId,
        payload: { jobId: lost },
        options: {
          payloadType: "application/json",
          idempotencyKey: expectedIdempotencyKey(lost, 1, 2),
          concurrencyKey: "ws_demo",
          tags: ["workspace:ws_demo"],
        },
      }]);
      expect(await job(tx, lost)).toMatchObject({ dispatch_count: 2, dispatched_now: true });
      expect(await job(tx, recentlyDispatched)).toMatchObject({ dispatch_count: 1 });
      expect(await job(tx, recentlyDue)).toMatchObject({ dispatch_count: 1 });
      expect(await job(tx, cancelled)).toMatchObject({ status: "cancelled", dispatch_count: 1 });
      const [sweep] = await tx`select dispatched, redispatched, dispatch_requests from private.sweep_runs where id = ${run?.id ?? 0}`;
      expect(sweep).toEqual({ dispatched: 0, redispatched: 1, dispatch_requests: 1 });

      // Just re-dispatched: not again until another grace period has passed.
      const after = await lastRequestId(tx);
      await tx`select private.run_sweep()`;
      expect(await queuedRequests(tx, after)).toEqual([]);
    });
  });

  it("cancelled and completed rows are never dispatched", async () => {
    await rolledBack(sql, async (tx) => {
      await useTriggerMode(tx);
      const cancelled = await insertJob(tx, { inSeconds: horizon + 3600 });
      const completed = await insertJob(tx, { inSeconds: horizon + 3600 });
      await tx`select private.cancel_job(${cancelled})`;
      await tx`update public.scheduled_sms_jobs set next_attempt_at = now() where id in (${cancelled}, ${completed})`;
      const before = await lastRequestId(tx);
      await tx`select private.claim_job(${completed}, 'w1', 60)`;
      await tx`select private.complete_job(${completed}, 'w1', 'SM00000000000000000000000000000001', 'queued')`;
      await tx`select private.run_sweep()`;
      expect(await queuedRequests(tx, before)).toEqual([]);
    });
  });
});

describe("dispatch columns are the service's", () => {
  it("an insert naming dispatched_at or dispatch_count is refused, for clients and the service alike", async () => {
    const service = await sql`
      insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, dispatch_count)
      values ('ws_demo', '+61412345678', 'hi', 3)`.catch((error: unknown) => error);
    expect(errorCodeOf(service)).toBe("internal_column_set");
    const serviceAt = await sql`
      insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, dispatched_at)
      values ('ws_demo', '+61412345678', 'hi', now())`.catch((error: unknown) => error);
    expect(errorCodeOf(serviceAt)).toBe("internal_column_set");
    const client = await asUser(sql, seededUsers.demoOwner.id, (tx) => tx`
      insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, dispatched_at)
      values ('ws_demo', '+61412345678', 'hi', now())`).catch((error: unknown) => error);
    expect(errorCodeOf(client)).toBe("42501");
  });

  it("a client's direct insert in 'trigger' mode is dispatched like any other", async () => {
    await rolledBack(sql, async (tx) => {
      await useTriggerMode(tx);
      const before = await lastRequestId(tx);
      await tx`select set_config('request.jwt.claims', ${JSON.stringify({ sub: seededUsers.demoMember.id, role: "authenticated" })}, true)`;
      await tx`set local role authenticated`;
      const [row] = await tx<{ id: string }[]>`
        insert into public.scheduled_sms_jobs (workspace_id, to_phone, body) values ('ws_demo', '+61412345678', 'hi')
        returning id`;
      await tx`reset role`;
      const items = allItems(await queuedRequests(tx, before));
      expect(items.map((i) => i.payload.jobId)).toEqual([row?.id]);
    });
  });
});
