// The delivery core's access to the database: only the private SQL functions that own transitions.
import postgres from "postgres";
import { type Completion, CompletionBatcher } from "./completion-batcher.ts";
import type { RetryClass } from "../supabase/functions/_shared/send-error-codes.ts";
import type { ClaimedJob, TwilioCredentials } from "./types.ts";

type Sql = postgres.Sql;

const claimedColumns = "id, workspace_id, to_phone, from_number, body, media_urls, attempts, max_attempts, next_attempt_at, expires_at";

export type ClaimOneResult =
  | { claimed: true; job: ClaimedJob }
  | {
    claimed: false;
    reason: "job_not_found" | "invalid_transition" | "job_not_due" | "expired" | "daily_cap" | "quiet_hours" | "quiet_hours_expired";
    message: string;
    /** job_not_due because the sender has no free send slot yet: when to try again. */
    retryAt?: Date;
  };

/** claim_job's DETAIL when the job's sender has no send slot within the horizon: retry_at=<ISO time>. */
function retryAtOf(detail: string | undefined): Date | undefined {
  const match = /^retry_at=(\S+)$/.exec(detail ?? "");
  const at = match ? new Date(match[1] ?? "") : undefined;
  return at && !Number.isNaN(at.getTime()) ? at : undefined;
}

/**
 * Errors after which the same call is worth making again: the database is not reachable right now,
 * or it rolled the statement back to break a lock cycle or a serialization conflict (each of these
 * calls is one statement, so nothing of it was applied).
 */
function isTransientError(error: unknown): boolean {
  if (error instanceof postgres.PostgresError) {
    // 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now, 08xxx connection errors,
    // 40P01 deadlock detected, 40001 serialization failure
    return /^(57P0[123]|08...|40P01|40001)$/.test(error.code);
  }
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|CONNECTION_.*)$/.test(code);
}

export interface JobStoreOptions {
  /** How long to keep retrying a call while the database is unreachable. */
  reconnectForMs: number;
  /** How long a workspace's Twilio credentials are cached. */
  credentialsTtlMs: number;
  /**
   * Gather completions for up to this many ms and record them in one statement (a busy runner);
   * 0 records each at once (a Trigger.dev task handles one job).
   */
  completionBatchDelayMs?: number;
  completionBatchMax?: number;
}

export class JobStore {
  private readonly credentialsCache = new Map<string, { value: TwilioCredentials | null; expires: number }>();
  /** One batcher per worker id (completions of a batch must come from one lease holder). */
  private readonly batchers = new Map<string, CompletionBatcher>();

  constructor(
    private readonly sql: Sql,
    private readonly options: JobStoreOptions,
    private readonly fallbackCredentials: TwilioCredentials | null = null,
  ) {}

  private batcherFor(worker: string): CompletionBatcher {
    let batcher = this.batchers.get(worker);
    if (!batcher) {
      batcher = new CompletionBatcher(
        (batch) => this.completeMany(worker, batch),
        { maxBatch: this.options.completionBatchMax ?? 100, maxDelayMs: this.options.completionBatchDelayMs ?? 0 },
      );
      this.batchers.set(worker, batcher);
    }
    return batcher;
  }

  private async completeMany(worker: string, batch: Completion[]): Promise<void> {
    await this.resilient(() => this.sql`
      select private.complete_jobs(${worker}, ${batch.map((c) => c.jobId)},
        ${batch.map((c) => c.twilioSid)}, ${batch.map((c) => c.messageStatus)},
        ${batch.map((c) => c.twilioSegments)}::integer[])`);
  }

  /**
   * Runs a call, retrying it while the database is down or after a transient abort (a restart or
   * a deadlock must not lose a send's outcome: a lost outcome means the job is sent again).
   */
  private async resilient<T>(call: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.options.reconnectForMs;
    for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
      try {
        return await call();
      } catch (error) {
        if (!isTransientError(error) || Date.now() + delay > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Claims jobs due now or within `lookaheadMs` (the caller then waits for each one's due time). */
  claimDue(worker: string, limit: number, leaseSeconds: number, lookaheadMs = 0): Promise<ClaimedJob[]> {
    return this.resilient(() => this.sql.unsafe<ClaimedJob[]>(
      `select ${claimedColumns} from private.claim_due_jobs($1, $2, $3, $4)`, [worker, limit, leaseSeconds, lookaheadMs]));
  }

  async claimOne(jobId: string, worker: string, leaseSeconds: number): Promise<ClaimOneResult> {
    try {
      const rows = await this.resilient(() => this.sql.unsafe<(ClaimedJob & { status: string; status_reason: string | null })[]>(
        `select ${claimedColumns}, status, status_reason from private.claim_job($1, $2, $3)`, [jobId, worker, leaseSeconds]));
      const row = rows[0];
      if (!row) throw new Error(`claim_job returned no row for ${jobId}`);
      // claim_job ends an expired job failed (expired) instead of handing it over; leaves a marketing
      // message outside quiet hours pending until the window opens (or cancels it when it would expire
      // first); and leaves a first attempt past the workspace's daily cap pending until the next local midnight.
      if (row.status === "failed") {
        return { claimed: false, reason: "expired", message: `job ${jobId} expired at ${row.expires_at?.toISOString() ?? "?"}` };
      }
      if (row.status === "cancelled" && row.status_reason === "quiet_hours_expired") {
        return { claimed: false, reason: "quiet_hours_expired",
          message: `job ${jobId} expires at ${row.expires_at?.toISOString() ?? "?"}, before the quiet hours end` };
      }
      if (row.status !== "processing" && row.status_reason === "quiet_hours") {
        return { claimed: false, reason: "quiet_hours",
          message: `job ${jobId} waits for the quiet hours to end at ${row.next_attempt_at.toISOString()}` };
      }
      if (row.status !== "processing") {
        return { claimed: false, reason: "daily_cap",
          message: `job ${jobId} waits for the workspace's next day (daily cap) until ${row.next_attempt_at.toISOString()}` };
      }
      return { claimed: true, job: row };
    } catch (error) {
      if (error instanceof postgres.PostgresError
          && (error.hint === "job_not_found" || error.hint === "invalid_transition" || error.hint === "job_not_due")) {
        const retryAt = error.hint === "job_not_due" ? retryAtOf(error.detail) : undefined;
        return { claimed: false, reason: error.hint, message: error.message, ...(retryAt ? { retryAt } : {}) };
      }
      throw error;
    }
  }

  async complete(jobId: string, worker: string, twilioSid: string, messageStatus: string,
    twilioSegments: number | null = null): Promise<void> {
    if ((this.options.completionBatchDelayMs ?? 0) > 0) {
      await this.batcherFor(worker).add({ jobId, twilioSid, messageStatus, twilioSegments });
      return;
    }
    await this.resilient(() => this.sql`
      select 1 from private.complete_job(${jobId}, ${worker}, ${twilioSid}, ${messageStatus}, ${twilioSegments}::integer)`);
  }

  /** Schedules the job's next attempt under its policy's rule for `retryClass` (or fails it). */
  async retry(jobId: string, worker: string, errorCode: string, errorMessage: string,
    minDelaySeconds: number, retryClass: RetryClass): Promise<"retrying" | "failed"> {
    const [row] = await this.resilient(() => this.sql<{ status: "retrying" | "failed" }[]>`
      select status from private.retry_job(${jobId}, ${worker}, ${errorCode}, ${errorMessage}, ${minDelaySeconds},
        ${retryClass})`);
    if (!row) throw new Error(`retry_job returned no row for ${jobId}`);
    return row.status;
  }

  async fail(jobId: string, worker: string, errorCode: string, errorMessage: string, reason: string): Promise<void> {
    await this.resilient(() => this.sql`
      select 1 from private.fail_job(${jobId}, ${worker}, ${errorCode}, ${errorMessage}, ${reason})`);
  }

  /** Twilio's price of a sent message, once (private.record_message_price); a malformed one is ignored. */
  async recordPrice(jobId: string, twilioSid: string, amount: string, unit: string): Promise<void> {
    if (!/^-?\d{1,6}(\.\d{1,10})?$/.test(amount) || !/^[A-Z]{3}$/.test(unit)) return;
    await this.resilient(() => this.sql`
      select private.record_message_price(${jobId}, ${twilioSid}, ${amount}::numeric, ${unit})`);
  }

  async recordOptOut(workspaceId: string, phone: string, source: string): Promise<void> {
    await this.resilient(() => this.sql`select private.record_opt_out(${workspaceId}, ${phone}, ${source})`);
  }

  async renewLeases(worker: string, jobIds: string[], leaseSeconds: number): Promise<number> {
    if (jobIds.length === 0) return 0;
    const [row] = await this.sql<{ held: number }[]>`
      select private.renew_leases(${worker}, ${jobIds}, ${leaseSeconds}) as held`;
    return row?.held ?? 0;
  }

  /** When the earliest waiting job is due, or null if none waits. */
  async nextDueAt(): Promise<Date | null> {
    const [row] = await this.sql<{ next: Date | null }[]>`
      select min(next_attempt_at) as next from public.scheduled_sms_jobs
      where is_pending`;
    return row?.next ?? null;
  }

  /**
   * The workspace's Twilio account, else the process's TWILIO_* fallback, else null; with the
   * workspace's Twilio region and edge (workspace_settings, 20261130001200_regions.sql), which the
   * fallback account gets too.
   */
  async credentials(workspaceId: string): Promise<TwilioCredentials | null> {
    const cached = this.credentialsCache.get(workspaceId);
    if (cached && cached.expires > Date.now()) return cached.value;
    const [row] = await this.resilient(() => this.sql<{
      account_sid: string | null; auth_token: string | null; twilio_region: string | null; twilio_edge: string | null;
    }[]>`
      select c.account_sid, c.auth_token, st.twilio_region, st.twilio_edge
      from public.workspace_settings st
      left join private.twilio_credentials c on c.workspace_id = st.workspace_id
      where st.workspace_id = ${workspaceId}`);
    const account = row?.account_sid != null && row.auth_token != null
      ? { accountSid: row.account_sid, authToken: row.auth_token } : this.fallbackCredentials;
    const value = account === null ? null : {
      ...account,
      ...(row?.twilio_region == null ? {} : { region: row.twilio_region }),
      ...(row?.twilio_edge == null ? {} : { edge: row.twilio_edge }),
    };
    this.credentialsCache.set(workspaceId, { value, expires: Date.now() + this.options.credentialsTtlMs });
    return value;
  }
}
