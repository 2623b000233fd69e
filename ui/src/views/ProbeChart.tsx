// A finding's probes as an SVG chart of time against destination port. The back end sends
// at most a few thousand points, spread evenly over the probes; chart.ts places them.

import { useEffect, useMemo, useState } from "react";
import { findingProbeChart, type ProbeChartView } from "../api/workspace";
import { scaleChart, timeLabel, type ChartFrame } from "../chart";

const FRAME: ChartFrame = { width: 560, height: 220, left: 52, right: 12, top: 10, bottom: 34 };

/** Dot radius in SVG units; smaller when there are many points so they stay apart. */
function dotRadius(count: number): number {
  return count > 500 ? 1.5 : 2.5;
}

/** Anchors the first time label at its start and the last at its end, so both stay inside the chart. */
function tickAnchor(index: number, count: number): "start" | "middle" | "end" {
  if (index === 0) return "start";
  if (index === count - 1) return "end";
  return "middle";
}

export function ProbeChart({ findingId, onError }: { findingId: string; onError: (raw: unknown) => void }) {
  const [chart, setChart] = useState<ProbeChartView | null>(null);

  useEffect(() => {
    let current = true;
    setChart(null);
    findingProbeChart(findingId).then((loaded) => current && setChart(loaded), onError);
    return () => {
      current = false;
    };
  }, [findingId, onError]);

  const scaled = useMemo(() => (chart === null ? null : scaleChart(chart.points, FRAME)), [chart]);

  if (chart === null || scaled === null) return <p className="hint">Loading the probe chart…</p>;
  if (chart.points.length === 0) return <p className="hint">No probe of this finding has a port to chart (ICMP or ARP).</p>;

  const plotBottom = FRAME.height - FRAME.bottom;
  const first = chart.points[0].atMs;
  const last = chart.points[chart.points.length - 1].atMs;
  const radius = dotRadius(chart.points.length);
  return (
    <figure className="probe-chart" data-testid="probe-chart">
      <svg
        viewBox={`0 0 ${FRAME.width} ${FRAME.height}`}
        role="img"
        aria-label={`Probes of ${chart.findingId}: time (UTC) against destination port`}
      >
        <line x1={FRAME.left} y1={plotBottom} x2={FRAME.width - FRAME.right} y2={plotBottom} className="axis" />
        <line x1={FRAME.left} y1={FRAME.top} x2={FRAME.left} y2={plotBottom} className="axis" />
        {scaled.portTicks.map((tick) => (
          <g key={`port-${tick.label}`}>
            <line x1={FRAME.left} y1={tick.at} x2={FRAME.width - FRAME.right} y2={tick.at} className="grid" />
            <text x={FRAME.left - 6} y={tick.at + 4} className="tick" textAnchor="end">
              {tick.label}
            </text>
          </g>
        ))}
        {scaled.timeTicks.map((tick, index) => (
          <text
            key={`time-${index}`}
            x={tick.at}
            y={plotBottom + 16}
            className="tick"
            textAnchor={tickAnchor(index, scaled.timeTicks.length)}
          >
            {tick.label}
          </text>
        ))}
        <text x={FRAME.left + (FRAME.width - FRAME.left - FRAME.right) / 2} y={FRAME.height - 2} className="axis-title" textAnchor="middle">
          time (UTC)
        </text>
        {scaled.dots.map((dot, index) => (
          <circle key={index} cx={dot.x} cy={dot.y} r={radius} className="dot">
            <title>{`port ${dot.port} at ${timeLabel(dot.atMs, 0)}`}</title>
          </circle>
        ))}
      </svg>
      <figcaption className="hint">
        {chart.points.length === chart.pointsTotal
          ? `${chart.pointsTotal} probes`
          : `${chart.points.length} of ${chart.pointsTotal} probes, spread evenly`}
        {` from ${new Date(first).toISOString().replace("T", " ")} to ${new Date(last).toISOString().replace("T", " ")}`}
        {scaled.portAxis === "ordinal" ? "; one row per port" : "; ports spaced by number"}
      </figcaption>
    </figure>
  );
}
