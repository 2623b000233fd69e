// Unit tests of the probe chart's scaling.

import { describe, expect, it } from "vitest";

import { MAX_ORDINAL_PORTS, scaleChart, timeLabel, type ChartFrame } from "../src/chart";

const FRAME: ChartFrame = { width: 600, height: 220, left: 50, right: 10, top: 10, bottom: 30 };
const START = Date.UTC(2026, 11, 4, 19, 35, 42, 500);

describe("scaleChart", () => {
  it("spans the plot from first to last probe", () => {
    const chart = scaleChart(
      [
        { atMs: START, port: 22 },
        { atMs: START + 1000, port: 80 },
        { atMs: START + 2000, port: 443 },
      ],
      FRAME,
    );
    expect(chart.dots.map((dot) => dot.x)).toEqual([50, 320, 590]);
    expect(chart.timeTicks).toHaveLength(5);
    expect(chart.timeTicks[0]).toEqual({ at: 50, label: "19:35:42.500" });
  });

  it("gives few ports one row each, lowest at the bottom", () => {
    const chart = scaleChart(
      [
        { atMs: START, port: 443 },
        { atMs: START + 10, port: 22 },
      ],
      FRAME,
    );
    expect(chart.portAxis).toBe("ordinal");
    const [high, low] = chart.dots;
    expect(low.y).toBeGreaterThan(high.y);
    expect(low.y).toBe(145);
    expect(high.y).toBe(55);
    expect(chart.portTicks.map((tick) => tick.label)).toEqual(["22", "443"]);
  });

  it("spaces many ports by value", () => {
    const points = Array.from({ length: MAX_ORDINAL_PORTS + 1 }, (_, index) => ({ atMs: START + index, port: 1 + index * 100 }));
    const chart = scaleChart(points, FRAME);
    expect(chart.portAxis).toBe("linear");
    expect(chart.dots[0].y).toBe(190);
    expect(chart.dots[chart.dots.length - 1].y).toBe(10);
    expect(chart.portTicks.map((tick) => tick.label)).toEqual(["1", "401", "801", "1201", "1601"]);
  });

  it("centres probes sent at one instant", () => {
    const chart = scaleChart([{ atMs: START, port: 80 }], FRAME);
    expect(chart.dots[0].x).toBe(320);
    expect(chart.timeTicks).toHaveLength(1);
  });

  it("draws nothing without points", () => {
    expect(scaleChart([], FRAME).dots).toEqual([]);
  });
});

describe("timeLabel", () => {
  it("shows milliseconds only for short spans", () => {
    expect(timeLabel(START, 2000)).toBe("19:35:42.500");
    expect(timeLabel(START, 3_600_000)).toBe("19:35:42");
  });
});
