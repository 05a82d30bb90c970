// Shared by the dispatch tests: run a scenario in 'trigger' mode inside a transaction that is rolled
// back (so the settings, rows and queued requests never outlive the test, and the pg_cron sweep of
// the test cluster, which sees only committed 'local' mode, never interferes), and read what the
// database queued for Trigger.dev through pg_net.
import { isDeepStrictEqual } from "node:util";
import { BatchTriggerTaskV3RequestBody } from "@trigger.dev/core/v3/schemas";
import type { Sql, TransactionSql } from "../support/database.ts";

export const testApiUrl = "https://trigger.example.test";
export const testSecretKey = "tr_prod_test_0123456789abcdef";

class RollBack extends Error {}

/**
 * Runs `fn` in a transaction that is always rolled back; returns what `fn` returned. The scenario
 * starts from an empty job table (jobs other test files left behind are deleted, and come back with
 * the rollback), so counts and sweeps see only the scenario's own rows.
 */
export async function rolledBack<T>(sql: Sql, fn: (tx: TransactionSql) => Promise<T>): Promise<T> {
  let result: { value: T } | undefined;
  try {
    await sql.begin(async (tx) => {
      await tx`delete from public.scheduled_sms_jobs`;
      result = { value: await fn(tx) };
      throw new RollBack();
    });
  } catch (error) {
    if (!(error instanceof RollBack)) throw error;
  }
  if (!result) throw new Error("the scenario did not finish");
  return result.value;
}

export async function useTriggerMode(tx: TransactionSql, options: { secretKey?: string; apiUrl?: string } = {}): Promise<void> {
  await tx`update private.settings set value = 'trigger' where key = 'dispatch_mode'`;
  await tx`select private.set_secret('trigger_secret_key', ${options.secretKey ?? testSecretKey})`;
  await tx`update private.settings set value = ${options.apiUrl ?? testApiUrl} where key = 'trigger_api_url'`;
}

export interface BatchItem {
  task: string;
  payload: { jobId: string };
  options: {
    payloadType: string;
    delay?: string;
    idempotencyKey: string;
    concurrencyKey: string;
    tags: string[];
    /** The workspace's Trigger.dev region (workspace_settings.trigger_region), when it has one. */
    region?: string;
  };
}

export interface QueuedRequest {
  id: number;
  method: string;
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
  items: BatchItem[];
}

/** The newest request id, to read only what a scenario queues after it. */
export async function lastRequestId(tx: TransactionSql): Promise<number> {
  const [row] = await tx<{ id: number }[]>`select coalesce(max(id), 0)::int as id from net.http_request_queue`;
  return row?.id ?? 0;
}

/**
 * Requests queued after `afterId`, oldest first. Every body is checked against Trigger.dev's own
 * published request schema, and must come out of it unchanged (no key the schema would drop).
 */
export async function queuedRequests(tx: TransactionSql, afterId: number): Promise<QueuedRequest[]> {
  const rows = await tx<{ id: number; method: string; url: string; headers: Record<string, string>; timeout_ms: number; body: unknown }[]>`
    select id::int, method::text, url, headers, timeout_milliseconds as timeout_ms,
           convert_from(body, 'utf8')::jsonb as body
    from net.http_request_queue where id > ${afterId} order by id`;
  return rows.map((row) => {
    const parsed = BatchTriggerTaskV3RequestBody.safeParse(row.body);
    if (!parsed.success) throw new Error(`request ${row.id} is not a valid batch trigger body: ${parsed.error.message}`);
    if (!isDeepStrictEqual(parsed.data, row.body)) {
      throw new Error(`request ${row.id} holds something Trigger.dev's schema drops or changes: ${JSON.stringify(row.body).slice(0, 500)}`);
    }
    return {
      id: row.id,
      method: row.method,
      url: row.url,
      headers: row.headers,
      timeoutMs: row.timeout_ms,
      items: (row.body as { items: BatchItem[] }).items,
    };
  });
}

export function allItems(requests: QueuedRequest[]): BatchItem[] {
  return requests.flatMap((r) => r.items);
}

/** The key the database must have used: job id, the attempt the run will make, the dispatch number. */
export function expectedIdempotencyKey(jobId: string, attempt: number, dispatchCount: number): string {
  return `${jobId}:attempt-${attempt}:dispatch-${dispatchCount}`;
}
