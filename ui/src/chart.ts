// Scaling of a finding's probe chart: time on the x axis, destination port on the y axis.
// The SVG drawing lives in views/ProbeChart.tsx; this module only computes positions.

import type { ChartPoint } from "./api/workspace";

/** Size of the drawing and the margins kept for the axis labels, in SVG user units. */
export interface ChartFrame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface Tick {
  /** Position along the axis, in SVG user units. */
  at: number;
  label: string;
}

export interface ScaledChart {
  dots: { x: number; y: number; port: number; atMs: number }[];
  timeTicks: Tick[];
  portTicks: Tick[];
  /** "ordinal" gives each distinct port its own row; "linear" spaces ports by value. */
  portAxis: "ordinal" | "linear";
}

/**
 * Most distinct ports drawn one row each. With more, rows would be closer than the label
 * height of a 220-unit-high chart, so the axis becomes linear.
 */
export const MAX_ORDINAL_PORTS = 16;

/** Time labels on the x axis. */
const TIME_TICKS = 5;

/** Port labels on a linear y axis. */
const LINEAR_PORT_TICKS = 5;

/** Formats milliseconds since the epoch as a UTC time of day, with milliseconds when the span is short. */
export function timeLabel(atMs: number, spanMs: number): string {
  const iso = new Date(atMs).toISOString();
  return spanMs < 10_000 ? iso.slice(11, 23) : iso.slice(11, 19);
}

/** Places the points in the frame and computes the axis labels. */
export function scaleChart(points: ChartPoint[], frame: ChartFrame): ScaledChart {
  const plotWidth = frame.width - frame.left - frame.right;
  const plotHeight = frame.height - frame.top - frame.bottom;
  if (points.length === 0) return { dots: [], timeTicks: [], portTicks: [], portAxis: "ordinal" };

  let first = Infinity;
  let last = -Infinity;
  for (const point of points) {
    first = Math.min(first, point.atMs);
    last = Math.max(last, point.atMs);
  }
  const span = last - first;
  const x = (atMs: number) => frame.left + (span === 0 ? plotWidth / 2 : ((atMs - first) / span) * plotWidth);

  const ports = [...new Set(points.map((point) => point.port))].sort((a, b) => a - b);
  const portAxis = ports.length <= MAX_ORDINAL_PORTS ? "ordinal" : "linear";
  const bottomY = frame.top + plotHeight;
  let y: (port: number) => number;
  let portTicks: Tick[];
  if (portAxis === "ordinal") {
    // Rows from the bottom up, lowest port at the bottom, each row centred in its band.
    const band = plotHeight / ports.length;
    const row = new Map(ports.map((port, index) => [port, bottomY - band * (index + 0.5)]));
    y = (port) => row.get(port) ?? bottomY;
    portTicks = ports.map((port) => ({ at: y(port), label: String(port) }));
  } else {
    const low = ports[0];
    const high = ports[ports.length - 1];
    y = (port) => bottomY - ((port - low) / (high - low)) * plotHeight;
    portTicks = Array.from({ length: LINEAR_PORT_TICKS }, (_, index) => {
      const port = Math.round(low + ((high - low) * index) / (LINEAR_PORT_TICKS - 1));
      return { at: y(port), label: String(port) };
    });
  }

  const timeTicks =
    span === 0
      ? [{ at: x(first), label: timeLabel(first, 0) }]
      : Array.from({ length: TIME_TICKS }, (_, index) => {
          const atMs = first + (span * index) / (TIME_TICKS - 1);
          return { at: x(atMs), label: timeLabel(atMs, span) };
        });

  return {
    dots: points.map((point) => ({ x: x(point.atMs), y: y(point.port), port: point.port, atMs: point.atMs })),
    timeTicks,
    portTicks,
    portAxis,
  };
}
