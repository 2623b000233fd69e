// Unit tests of the timeline's filtering and grouping.

import { describe, expect, it } from "vitest";

import type { TimelineEntry } from "../src/api/workspace";
import { addressesOf, filterTimeline, groupByDay } from "../src/timeline";

function finding(id: string, sources: string[], targets: string[], at = "2026-12-04T19:35:42Z"): TimelineEntry {
  return {
    kind: "finding",
    id,
    atMs: Date.parse(at),
    at,
    until: at,
    title: "vertical tcp_syn scan",
    detail: "",
    sources,
    targets,
    severityLevel: "Medium",
    suppressed: null,
  };
}

function event(id: string, detail: string, at = "2026-12-05T08:00:00Z"): TimelineEntry {
  return {
    kind: "event",
    id,
    atMs: Date.parse(at),
    at,
    until: null,
    title: "containment: NOC",
    detail,
    sources: [],
    targets: [],
    severityLevel: null,
    suppressed: null,
  };
}

const ENTRIES = [
  finding("F-1", ["10.200.0.10"], ["10.200.0.100"]),
  finding("F-2", ["192.0.2.7"], ["10.200.0.100", "10.200.0.101"]),
  event("EV-1", "Blocked 10.200.0.10 at the border firewall"),
  event("EV-2", "Told management"),
];

const ids = (entries: TimelineEntry[]) => entries.map((entry) => entry.id);

describe("filterTimeline", () => {
  it("keeps everything without a filter", () => {
    expect(ids(filterTimeline(ENTRIES, { source: " ", target: "" }))).toEqual(["F-1", "F-2", "EV-1", "EV-2"]);
  });

  it("keeps findings from the source and events naming it", () => {
    expect(ids(filterTimeline(ENTRIES, { source: "10.200.0.10", target: "" }))).toEqual(["F-1", "EV-1"]);
  });

  it("matches targets separately from sources", () => {
    expect(ids(filterTimeline(ENTRIES, { source: "", target: "10.200.0.101" }))).toEqual(["F-2"]);
  });

  it("needs both texts when both are given", () => {
    expect(ids(filterTimeline(ENTRIES, { source: "192.0.2", target: "10.200.0.100" }))).toEqual(["F-2"]);
    expect(ids(filterTimeline(ENTRIES, { source: "192.0.2", target: "10.9" }))).toEqual([]);
  });
});

describe("addressesOf", () => {
  it("lists distinct sorted addresses", () => {
    expect(addressesOf(ENTRIES, "targets")).toEqual(["10.200.0.100", "10.200.0.101"]);
  });
});

describe("groupByDay", () => {
  it("starts a group at each new UTC day", () => {
    const groups = groupByDay(ENTRIES);
    expect(groups.map((group) => group.day)).toEqual(["2026-12-04", "2026-12-05"]);
    expect(ids(groups[1].entries)).toEqual(["EV-1", "EV-2"]);
  });
});
