// Unit tests of the findings table's sorting and filtering.

import { describe, expect, it } from "vitest";

import type { FindingView } from "../src/api/types";
import { filterFindings, sortFindings, toggleSort } from "../src/findings";

/** Returns a finding with plausible values, changed by `fields`. */
function finding(fields: Partial<FindingView>): FindingView {
  return {
    id: "F-1",
    kind: "vertical",
    technique: "tcp_syn",
    sources: ["10.200.0.10"],
    targets: ["10.200.0.100"],
    ports: [22, 80],
    firstSeen: "2026-12-04T19:35:42.547877Z",
    lastSeen: "2026-12-04T19:35:44.000000Z",
    probes: 2,
    contacts: 2,
    outcomes: { open: 1, closed: 1, filtered: 0, blocked: 0, unanswered: 0 },
    severityScore: 40,
    severityLevel: "medium",
    severityExplanation: "",
    confidence: 80,
    confidenceExplanation: "",
    attack: ["T1046"],
    explanation: "One source probed 2 ports on one host.",
    openPorts: [{ target: "10.200.0.100", port: 22 }],
    medianGapMs: 10,
    citationsTotal: 2,
    citations: [],
    decoys: [],
    fingerprint: null,
    suppressed: null,
    internalSource: true,
    regularTiming: null,
    hostDiscovery: null,
    ipProtocols: [],
    extraActivity: [],
    ...fields,
  };
}

const ids = (findings: FindingView[]) => findings.map((item) => item.id);

describe("sortFindings", () => {
  it("orders IDs by number, not text", () => {
    const findings = [finding({ id: "F-10" }), finding({ id: "F-2" }), finding({ id: "F-1" })];
    expect(ids(sortFindings(findings, { key: "id", descending: false }))).toEqual(["F-1", "F-2", "F-10"]);
  });

  it("sorts severity largest first when descending", () => {
    const findings = [
      finding({ id: "F-1", severityScore: 20 }),
      finding({ id: "F-2", severityScore: 90 }),
      finding({ id: "F-3", severityScore: 55 }),
    ];
    expect(ids(sortFindings(findings, { key: "severity", descending: true }))).toEqual(["F-2", "F-3", "F-1"]);
  });

  it("keeps ID order among ties", () => {
    const findings = [finding({ id: "F-3", kind: "block" }), finding({ id: "F-1", kind: "block" })];
    expect(ids(sortFindings(findings, { key: "kind", descending: true }))).toEqual(["F-1", "F-3"]);
  });

  it("leaves the input array unchanged", () => {
    const findings = [finding({ id: "F-2" }), finding({ id: "F-1" })];
    sortFindings(findings, { key: "id", descending: false });
    expect(ids(findings)).toEqual(["F-2", "F-1"]);
  });
});

describe("filterFindings", () => {
  const findings = [
    finding({ id: "F-1", technique: "tcp_syn", sources: ["10.200.0.10"] }),
    finding({ id: "F-2", technique: "udp", sources: ["192.0.2.7"], explanation: "A UDP scan of <script>" }),
  ];

  it("matches every word, ignoring case", () => {
    expect(ids(filterFindings(findings, "UDP 192.0.2.7"))).toEqual(["F-2"]);
    expect(ids(filterFindings(findings, "udp tcp_syn"))).toEqual([]);
  });

  it("returns every finding for a blank filter", () => {
    expect(ids(filterFindings(findings, "   "))).toEqual(["F-1", "F-2"]);
  });

  it("searches the explanation as plain text", () => {
    expect(ids(filterFindings(findings, "<script>"))).toEqual(["F-2"]);
  });
});

describe("toggleSort", () => {
  it("reverses the direction on the same column", () => {
    expect(toggleSort({ key: "id", descending: false }, "id")).toEqual({ key: "id", descending: true });
  });

  it("starts numeric scores largest first", () => {
    expect(toggleSort({ key: "id", descending: false }, "confidence")).toEqual({ key: "confidence", descending: true });
    expect(toggleSort({ key: "id", descending: true }, "technique")).toEqual({ key: "technique", descending: false });
  });
});
