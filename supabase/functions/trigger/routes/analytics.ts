// GET analytics?workspaceId=…&from=…&to=…&granularity=hour|day[&groupBy=…]: delivery figures of a
// period from the hourly rollup the database keeps from the event log
// (supabase/migrations/20261130000700_delivery_analytics.sql): four reads bounded by the period's
// hours, never a scan of the workspace's jobs. Day buckets are the workspace's local days.
import type { AnalyticsResult } from "../../_shared/api-types.ts";
import { formatInTimeZone } from "../../_shared/time.ts";
import { type CounterRow, FigureSums, type TimingRow } from "../analytics-figures.ts";
import { requireWorkspaceAccess } from "../auth.ts";
import { inTransaction } from "../database.ts";
import type { RouteHandler } from "../route.ts";

export const analytics: RouteHandler<"analytics"> = async ({ input, sql, principal }) =>
  await inTransaction(sql, principal, async (tx): Promise<AnalyticsResult> => {
    const { workspaceId, from, to, granularity, groupBy } = input;
    const workspace = await requireWorkspaceAccess(tx, principal, workspaceId, "read");
    const timeZone = workspace.timezone;
    const group = groupBy ?? "";

    const [period] = await tx<{ buckets: Date[]; period_end: Date }[]>`
      with b as (select bucket from private.analytics_buckets(${from}, ${to}, ${granularity}, ${timeZone}))
      select array_agg(bucket order by bucket) as buckets,
             case when ${granularity} = 'hour' then max(bucket) + interval '1 hour'
                  else ((max(bucket) at time zone ${timeZone}) + interval '1 day') at time zone ${timeZone} end as period_end
      from b`;
    if (period === undefined || period.buckets.length === 0) throw new Error("a valid period has at least one bucket");
    const first = period.buckets[0] as Date;
    const end = period.period_end;

    const counters = await tx<CounterRow[]>`
      select bucket, group_key, error_code, currency, attempted::integer, sent::integer, delivered::integer,
             undelivered::integer, failed_ours::integer, failed_twilio::integer, cancelled::integer,
             segments::float8 as segments, segments_ucs2::float8 as segments_ucs2, cost::text, lag_max_ms::float8 as lag_max_ms
      from private.delivery_stats_of(${workspaceId}, ${first}, ${end}, ${granularity}, ${timeZone}, ${group})`;
    const timings = await tx<TimingRow[]>`
      select bucket, group_key, metric, histogram_bucket, count::integer
      from private.delivery_timing_of(${workspaceId}, ${first}, ${end}, ${granularity}, ${timeZone}, ${group})`;
    const stuck = await tx<{ bucket: Date; group_key: string; stuck: number }[]>`
      select bucket, group_key, stuck::integer
      from private.delivery_stuck_of(${workspaceId}, ${first}, ${end}, ${granularity}, ${timeZone}, ${group})`;
    const optOuts = await tx<{ bucket: Date; opt_outs: number }[]>`
      select bucket, opt_outs::integer from private.opt_outs_of(${workspaceId}, ${first}, ${end}, ${granularity}, ${timeZone})`;

    const totals = new FigureSums();
    const byBucket = new Map(period.buckets.map((bucket) => [bucket.getTime(), new FigureSums()]));
    const byGroup = new Map<string, FigureSums>();
    const sumsOf = (bucket: Date, groupKey: string): FigureSums[] => {
      const sums = [totals];
      const inBucket = byBucket.get(bucket.getTime());
      if (inBucket !== undefined) sums.push(inBucket);
      if (groupBy !== undefined) {
        let inGroup = byGroup.get(groupKey);
        if (inGroup === undefined) byGroup.set(groupKey, inGroup = new FigureSums());
        sums.push(inGroup);
      }
      return sums;
    };
    for (const row of counters) for (const sums of sumsOf(row.bucket, row.group_key)) sums.addCounters(row);
    for (const row of timings) for (const sums of sumsOf(row.bucket, row.group_key)) sums.addTiming(row);
    for (const row of stuck) for (const sums of sumsOf(row.bucket, row.group_key)) sums.stuck += row.stuck;
    for (const row of optOuts) {
      totals.optOuts += row.opt_outs;
      const inBucket = byBucket.get(row.bucket.getTime());
      if (inBucket !== undefined) inBucket.optOuts += row.opt_outs;
    }

    const time = (date: Date) => formatInTimeZone(date, timeZone);
    return {
      workspaceId,
      timezone: timeZone,
      granularity,
      from: time(first),
      to: time(end),
      totals: totals.figures(true),
      buckets: [...byBucket.entries()].map(([bucket, sums]) => ({ time: time(new Date(bucket)), ...sums.figures(true) })),
      failuresByCode: totals.failuresByCode(),
      groupBy: groupBy ?? null,
      groups: [...byGroup.entries()]
        .sort(([keyA, a], [keyB, b]) => b.attempted - a.attempted || keyA.localeCompare(keyB))
        .map(([key, sums]) => ({ key: key === "" ? null : key, totals: sums.figures(false), failuresByCode: sums.failuresByCode() })),
    };
  });
