// Sorting and filtering of the findings table, kept apart from the view so it stays plain logic.

import type { FindingView } from "./api/types";

export type SortKey = "id" | "kind" | "technique" | "sources" | "targets" | "ports" | "firstSeen" | "severity" | "confidence";

export interface SortOrder {
  key: SortKey;
  descending: boolean;
}

/** Compares finding IDs such as F-2 and F-10 by their number. */
function compareIds(a: string, b: string): number {
  const number = (id: string) => Number.parseInt(id.replace(/^\D+/, ""), 10);
  const difference = number(a) - number(b);
  return Number.isNaN(difference) || difference === 0 ? a.localeCompare(b) : difference;
}

function compare(a: FindingView, b: FindingView, key: SortKey): number {
  switch (key) {
    case "id":
      return compareIds(a.id, b.id);
    case "kind":
      return a.kind.localeCompare(b.kind);
    case "technique":
      return a.technique.localeCompare(b.technique);
    case "sources":
      return a.sources.join(",").localeCompare(b.sources.join(","));
    case "targets":
      return a.targets.join(",").localeCompare(b.targets.join(","));
    case "ports":
      return a.ports.length - b.ports.length;
    case "firstSeen":
      return a.firstSeen.localeCompare(b.firstSeen);
    case "severity":
      return a.severityScore - b.severityScore;
    case "confidence":
      return a.confidence - b.confidence;
  }
}

/** Returns the findings sorted by `order`; ties keep ID order. */
export function sortFindings(findings: FindingView[], order: SortOrder): FindingView[] {
  const sign = order.descending ? -1 : 1;
  return [...findings].sort((a, b) => sign * compare(a, b, order.key) || compareIds(a.id, b.id));
}

/** Returns the text a filter is matched against: every column and the explanation. */
function searchText(finding: FindingView): string {
  return [
    finding.id,
    finding.kind,
    finding.technique,
    finding.sources.join(" "),
    finding.targets.join(" "),
    finding.ports.join(" "),
    finding.severityLevel,
    finding.attack.join(" "),
    finding.explanation,
  ]
    .join(" ")
    .toLowerCase();
}

/** Keeps the findings whose text contains every word of `filter`, ignoring case. */
export function filterFindings(findings: FindingView[], filter: string): FindingView[] {
  const words = filter.toLowerCase().split(/\s+/).filter((word) => word !== "");
  if (words.length === 0) return findings;
  return findings.filter((finding) => {
    const text = searchText(finding);
    return words.every((word) => text.includes(word));
  });
}

/** Returns the next sort order after a click on the header of `key`. */
export function toggleSort(current: SortOrder, key: SortKey): SortOrder {
  if (current.key === key) return { key, descending: !current.descending };
  // Severity, confidence and port counts read best largest first.
  const descending = key === "severity" || key === "confidence" || key === "ports";
  return { key, descending };
}
