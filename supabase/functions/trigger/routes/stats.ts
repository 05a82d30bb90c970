// GET stats?workspaceId=…: the monitoring overview, from the rollups the database keeps as jobs
// change (supabase/migrations/20261130000100_job_statistics.sql), so it costs the same however many
// jobs the workspace has: counts by status, the oldest overdue job, the sweep's health, sent /
// delivered / failed per minute (last hour) and per hour (last 7 days, hours of the workspace's
// timezone), and the last 7 days' failures by error code with what each code means.
import type { JobStatus } from "../../_shared/api-schemas.ts";
import type { ActivityBucket, StatsResult } from "../../_shared/api-types.ts";
import { apiLimits } from "../../_shared/limits.ts";
import { sendErrorMeaning } from "../../_shared/send-error-codes.ts";
import { formatInTimeZone } from "../../_shared/time.ts";
import { requireWorkspaceAccess } from "../auth.ts";
import { inTransaction, type Transaction } from "../database.ts";
import type { RouteHandler } from "../route.ts";

interface BucketRow {
  bucket: Date;
  sent: number;
  delivered: number;
  failed: number;
}

/** Every bucket of the period, oldest first, empty ones included. */
async function activity(tx: Transaction, workspaceId: string, timeZone: string, unit: "minute" | "hour",
  buckets: number): Promise<BucketRow[]> {
  return await tx<BucketRow[]>`
    with period as (
      select date_trunc(${unit}, now(), ${timeZone}) - make_interval(mins => ${unit === "minute" ? buckets - 1 : 0},
               hours => ${unit === "hour" ? buckets - 1 : 0}) as first,
             date_trunc(${unit}, now(), ${timeZone}) as last
    )
    select b.bucket, coalesce(a.sent, 0)::integer as sent, coalesce(a.delivered, 0)::integer as delivered,
           coalesce(a.failed, 0)::integer as failed
    from period
    cross join generate_series(period.first, period.last, make_interval(mins => ${unit === "minute" ? 1 : 0},
      hours => ${unit === "hour" ? 1 : 0})) as b (bucket)
    left join private.job_activity_of(${workspaceId}, (select first from period), ${unit}, ${timeZone}) a
      on a.bucket = b.bucket
    order by b.bucket`;
}

export const stats: RouteHandler<"stats"> = async ({ input: { workspaceId }, sql, principal }) =>
  await inTransaction(sql, principal, async (tx): Promise<StatsResult> => {
    const workspace = await requireWorkspaceAccess(tx, principal, workspaceId, "read");
    const time = (date: Date) => formatInTimeZone(date, workspace.timezone);
    const [clock] = await tx<{ now: Date; last_sweep: Date | null; overdue: Date | null }[]>`
      select now() as now, private.last_sweep_at() as last_sweep, private.oldest_overdue_of(${workspaceId}) as overdue`;
    if (clock === undefined) throw new Error("the clock query returned no row");
    const counts = await tx<{ status: JobStatus; count: string }[]>`
      select status, count from private.job_counts_of(${workspaceId})`;
    const perMinute = await activity(tx, workspaceId, workspace.timezone, "minute", 60);
    const perHour = await activity(tx, workspaceId, workspace.timezone, "hour", 7 * 24);
    const failures = await tx<{ error_code: string; failures: string }[]>`
      select error_code, failures from private.job_failures_of(${workspaceId}, now() - interval '7 days')`;

    const count = (status: JobStatus) => Number(counts.find((row) => row.status === status)?.count ?? 0);
    const bucket = (row: BucketRow): ActivityBucket =>
      ({ time: time(row.bucket), sent: row.sent, delivered: row.delivered, failed: row.failed });
    const failureTotal = failures.reduce((sum, row) => sum + Number(row.failures), 0);
    const sweepAgeMs = clock.last_sweep === null ? Infinity : clock.now.getTime() - clock.last_sweep.getTime();
    return {
      workspaceId,
      time: time(clock.now),
      counts: {
        scheduled: count("scheduled"), queued: count("queued"), processing: count("processing"),
        retrying: count("retrying"), completed: count("completed"), failed: count("failed"), cancelled: count("cancelled"),
      },
      oldestOverdue: clock.overdue === null ? null : {
        time: time(clock.overdue),
        ageSeconds: Math.max(0, (clock.now.getTime() - clock.overdue.getTime()) / 1000),
      },
      retriesPending: count("retrying"),
      failuresLastHour: perMinute.reduce((sum, row) => sum + row.failed, 0),
      sweep: {
        lastRunTime: clock.last_sweep === null ? null : time(clock.last_sweep),
        healthy: sweepAgeMs <= apiLimits.sweep_healthy_within_seconds * 1000,
      },
      perMinute: perMinute.map(bucket),
      perHour: perHour.map(bucket),
      failuresByCode: failures.map((row) => ({
        code: row.error_code,
        count: Number(row.failures),
        share: Number(row.failures) / failureTotal,
        meaning: sendErrorMeaning(row.error_code),
      })),
    };
  });
