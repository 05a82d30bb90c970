// Sent / delivered / failed per minute (last hour) or per hour (last 7 days), drawn with uPlot on a
// canvas. The canvas is decoration for sighted users: the figure's caption states the totals, and
// the legend below is text.
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { ActivityBucket } from "../../../supabase/functions/_shared/api-types.ts";

export const seriesColours = { sent: "#2563eb", delivered: "#15803d", failed: "#b91c1c" } as const;

function chartData(buckets: readonly ActivityBucket[]): uPlot.AlignedData {
  return [
    buckets.map((b) => Date.parse(b.time) / 1000),
    buckets.map((b) => b.sent),
    buckets.map((b) => b.delivered),
    buckets.map((b) => b.failed),
  ];
}

export function totals(buckets: readonly ActivityBucket[]): { sent: number; delivered: number; failed: number } {
  return buckets.reduce((sum, b) => ({ sent: sum.sent + b.sent, delivered: sum.delivered + b.delivered, failed: sum.failed + b.failed }),
    { sent: 0, delivered: 0, failed: 0 });
}

export function ActivityChart({ buckets, timeZone, caption }: { buckets: readonly ActivityBucket[]; timeZone: string; caption: string }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const sum = totals(buckets);

  // One plot per time zone; new figures only replace its data (no flicker, no re-layout).
  useEffect(() => {
    const element = host.current;
    if (element === null) return;
    const created = new uPlot({
      width: Math.max(element.clientWidth, 280),
      height: 220,
      tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), timeZone),
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(max, 4)] } },
      // Counts: whole-number ticks only.
      axes: [{ stroke: "#475569" }, { stroke: "#475569", size: 60, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 50_000, 100_000] }],
      // Delivered usually equals sent: sent is a filled area and delivered dashed, so both stay visible.
      series: [
        {},
        { label: "Sent", stroke: seriesColours.sent, fill: "rgba(37, 99, 235, 0.12)", width: 3 },
        { label: "Delivered", stroke: seriesColours.delivered, width: 2, dash: [6, 4] },
        { label: "Failed", stroke: seriesColours.failed, width: 2 },
      ],
    }, [[], [], [], []], element);
    plot.current = created;
    const resize = new ResizeObserver(() => created.setSize({ width: Math.max(element.clientWidth, 280), height: 220 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      created.destroy();
      plot.current = null;
    };
  }, [timeZone]);

  useEffect(() => {
    plot.current?.setData(chartData(buckets));
  }, [buckets, timeZone]);

  return (
    <figure className="chart">
      <figcaption>
        {caption}: {sum.sent} sent, {sum.delivered} delivered, {sum.failed} failed.
      </figcaption>
      <div ref={host} className="chart-canvas" aria-hidden="true" />
      <ul className="chart-legend" aria-hidden="true">
        {(["sent", "delivered", "failed"] as const).map((key) => (
          <li key={key}><span className="swatch" style={{ background: seriesColours[key] }} />{key}</li>
        ))}
      </ul>
    </figure>
  );
}
