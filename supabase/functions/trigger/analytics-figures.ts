// Turning the analytics rollup's rows (private.delivery_*_of) into the figures GET analytics
// answers: sums per bucket, group and period, rates, and percentiles read from the log-scale
// histograms. Pure, so the arithmetic is checked apart from the database.
import type { AnalyticsFigures } from "../_shared/api-types.ts";
import { sendErrorMeaning } from "../_shared/send-error-codes.ts";

/** A row of private.delivery_stats_of: one bucket, group, error code ('' if none) and currency ('' if none). */
export interface CounterRow {
  bucket: Date;
  group_key: string;
  error_code: string;
  currency: string;
  attempted: number;
  sent: number;
  delivered: number;
  undelivered: number;
  failed_ours: number;
  failed_twilio: number;
  cancelled: number;
  segments: number;
  segments_ucs2: number;
  cost: string;
  lag_max_ms: number | null;
}

/** A row of private.delivery_timing_of: messages in one histogram bucket. */
export interface TimingRow {
  bucket: Date;
  group_key: string;
  metric: "lag" | "latency";
  histogram_bucket: number;
  count: number;
}

/**
 * The upper bound, in ms, of a histogram bucket (the migration's header): bucket 0 is under 10 ms,
 * bucket b from 10 * 2^((b-1)/4) to 10 * 2^(b/4). Rounded up, so a percentile never understates.
 */
export function histogramUpperBoundMs(bucket: number): number {
  return bucket === 0 ? 10 : Math.ceil(10 * 2 ** (bucket / 4));
}

/** The p-th percentile (0 < p <= 1) of a histogram, as its bucket's upper bound; null when empty. */
export function percentileMs(histogram: ReadonlyMap<number, number>, p: number): number | null {
  const total = [...histogram.values()].reduce((sum, n) => sum + n, 0);
  if (total === 0) return null;
  const rank = Math.ceil(p * total);
  let seen = 0;
  for (const bucket of [...histogram.keys()].sort((a, b) => a - b)) {
    seen += histogram.get(bucket) ?? 0;
    if (seen >= rank) return histogramUpperBoundMs(bucket);
  }
  return null;
}

/** Running sums of one bucket, group or period. */
export class FigureSums {
  attempted = 0;
  sent = 0;
  delivered = 0;
  undelivered = 0;
  failedOurs = 0;
  failedTwilio = 0;
  cancelled = 0;
  segments = 0;
  segmentsUcs2 = 0;
  readonly cost = new Map<string, number>();
  lagMaxMs: number | null = null;
  readonly lag = new Map<number, number>();
  readonly latency = new Map<number, number>();
  readonly failures = new Map<string, number>();
  stuck = 0;
  optOuts = 0;

  addCounters(row: CounterRow): void {
    this.attempted += row.attempted;
    this.sent += row.sent;
    this.delivered += row.delivered;
    this.undelivered += row.undelivered;
    this.failedOurs += row.failed_ours;
    this.failedTwilio += row.failed_twilio;
    this.cancelled += row.cancelled;
    this.segments += row.segments;
    this.segmentsUcs2 += row.segments_ucs2;
    if (row.currency !== "") this.cost.set(row.currency, (this.cost.get(row.currency) ?? 0) + Number(row.cost));
    if (row.lag_max_ms !== null) this.lagMaxMs = Math.max(this.lagMaxMs ?? 0, row.lag_max_ms);
    const failed = row.failed_ours + row.failed_twilio + row.undelivered;
    if (row.error_code !== "" && failed > 0) this.failures.set(row.error_code, (this.failures.get(row.error_code) ?? 0) + failed);
  }

  addTiming(row: TimingRow): void {
    const histogram = row.metric === "lag" ? this.lag : this.latency;
    histogram.set(row.histogram_bucket, (histogram.get(row.histogram_bucket) ?? 0) + row.count);
  }

  /** The figures; `withOptOuts` false for groups, whose opt-outs cannot be told apart. */
  figures(withOptOuts: boolean): AnalyticsFigures {
    const failed = this.failedOurs + this.failedTwilio;
    const outcomes = this.delivered + this.undelivered + failed;
    const lagP50 = percentileMs(this.lag, 0.5);
    const lagP95 = percentileMs(this.lag, 0.95);
    // The exact maximum bounds the histogram's rounded-up percentiles.
    const capped = (value: number | null) => value === null || this.lagMaxMs === null ? value : Math.min(value, this.lagMaxMs);
    return {
      attempted: this.attempted,
      sent: this.sent,
      delivered: this.delivered,
      undelivered: this.undelivered,
      failed,
      failedOurs: this.failedOurs,
      failedTwilio: this.failedTwilio,
      cancelled: this.cancelled,
      deliveryRate: outcomes === 0 ? null : this.delivered / outcomes,
      segments: this.segments,
      ucs2SegmentShare: this.segments === 0 ? null : this.segmentsUcs2 / this.segments,
      cost: [...this.cost.entries()].sort(([a], [b]) => a.localeCompare(b))
        // Prices have at most 5 decimals (Twilio's); sums of floats are rounded back to them.
        .map(([currency, amount]) => ({ currency, amount: Math.round(amount * 1e5) / 1e5 })),
      sendLagMs: { p50: capped(lagP50), p95: capped(lagP95), max: this.lagMaxMs },
      latencyMs: { p50: percentileMs(this.latency, 0.5), p95: percentileMs(this.latency, 0.95) },
      optOuts: withOptOuts ? this.optOuts : null,
      optOutRate: withOptOuts && this.sent > 0 ? Math.min(1, this.optOuts / this.sent) : null,
      stuck: this.stuck,
    };
  }

  failuresByCode(): { code: string; count: number; share: number; meaning: string | null }[] {
    const total = [...this.failures.values()].reduce((sum, n) => sum + n, 0);
    return [...this.failures.entries()]
      .sort(([codeA, a], [codeB, b]) => b - a || codeA.localeCompare(codeB))
      .map(([code, count]) => ({ code, count, share: count / total, meaning: sendErrorMeaning(code) }));
  }
}
