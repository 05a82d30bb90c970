// The Analytics page's charts, drawn with uPlot as the overview's activity chart is: volume (sent,
// delivered, failed) with the delivery rate on its own axis, and send lag / delivery latency (p95)
// per bucket. The canvas is decoration for sighted users: each figure's caption states what it
// shows in words, and the page's tables hold every number.
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface ChartSeries {
  label: string;
  colour: string;
  /** One value per time; null leaves a gap. */
  values: readonly (number | null)[];
  /** "right": the second axis (a rate in %, or another unit). */
  axis?: "left" | "right";
  dash?: number[];
  fill?: string;
}

export interface TimeChartProps {
  /** Bucket starts, ISO-8601. */
  times: readonly string[];
  series: readonly ChartSeries[];
  timeZone: string;
  caption: string;
  leftUnit: string;
  rightUnit?: string;
}

const axisStroke = "#475569";

export function TimeChart({ times, series, timeZone, caption, leftUnit, rightUnit }: TimeChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // The plot is rebuilt only when its shape changes (time zone, series, axes); new figures only
  // replace its data.
  const shape = `${timeZone}|${series.map((s) => `${s.label}:${s.axis ?? "left"}`).join(",")}|${leftUnit}|${rightUnit ?? ""}`;

  useEffect(() => {
    const element = host.current;
    if (element === null) return;
    const created = new uPlot({
      width: Math.max(element.clientWidth, 280),
      height: 220,
      tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), timeZone),
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true },
        y: { range: (_u, _min, max) => [0, Math.max(max, 4)] },
        ...(rightUnit === undefined ? {} : { right: { range: (_u, _min, max) => [0, rightUnit === "%" ? 100 : Math.max(max, 1)] } }),
      },
      axes: [
        { stroke: axisStroke },
        { stroke: axisStroke, size: 60, label: leftUnit },
        ...(rightUnit === undefined ? [] : [{ stroke: axisStroke, scale: "right", side: 1 as const, size: 60, label: rightUnit, grid: { show: false } }]),
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label, stroke: s.colour, width: 2, scale: s.axis === "right" ? "right" : "y",
          ...(s.dash === undefined ? {} : { dash: s.dash }), ...(s.fill === undefined ? {} : { fill: s.fill }),
        })),
      ],
    }, [[], ...series.map(() => [])], element);
    plot.current = created;
    const resize = new ResizeObserver(() => created.setSize({ width: Math.max(element.clientWidth, 280), height: 220 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      created.destroy();
      plot.current = null;
    };
    // `shape` names everything the construction reads from the props.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape]);

  useEffect(() => {
    plot.current?.setData([times.map((t) => Date.parse(t) / 1000), ...series.map((s) => [...s.values])] as uPlot.AlignedData);
  }, [times, series, shape]);

  return (
    <figure className="chart">
      <figcaption>{caption}</figcaption>
      <div ref={host} className="chart-canvas" aria-hidden="true" />
      <ul className="chart-legend" aria-hidden="true">
        {series.map((s) => (
          <li key={s.label}><span className="swatch" style={{ background: s.colour }} />{s.label}</li>
        ))}
      </ul>
    </figure>
  );
}
