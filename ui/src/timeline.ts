// Filtering of the case timeline by source and target address.

import type { TimelineEntry } from "./api/workspace";

export interface TimelineFilter {
  /** Text a source address must contain; empty matches every entry. */
  source: string;
  /** Text a target address must contain; empty matches every entry. */
  target: string;
}

function contains(values: string[], text: string): boolean {
  return values.some((value) => value.toLowerCase().includes(text));
}

/**
 * Keeps the entries that match the filter. A finding matches when one of its sources contains
 * the source text and one of its targets the target text. An examiner event has no addresses
 * of its own, so it matches when its title or description contains every text given, for
 * example "Blocked 10.200.0.10 at the border".
 */
export function filterTimeline(entries: TimelineEntry[], filter: TimelineFilter): TimelineEntry[] {
  const source = filter.source.trim().toLowerCase();
  const target = filter.target.trim().toLowerCase();
  if (source === "" && target === "") return entries;
  return entries.filter((entry) => {
    if (entry.kind === "finding") {
      return (source === "" || contains(entry.sources, source)) && (target === "" || contains(entry.targets, target));
    }
    const text = `${entry.title} ${entry.detail}`.toLowerCase();
    return (source === "" || text.includes(source)) && (target === "" || text.includes(target));
  });
}

/** Lists the distinct addresses of one side over all findings, sorted, for the filter's suggestions. */
export function addressesOf(entries: TimelineEntry[], side: "sources" | "targets"): string[] {
  return [...new Set(entries.flatMap((entry) => entry[side]))].sort();
}

/** Groups entries, already in time order, by their UTC day ("2026-12-04"). */
export function groupByDay(entries: TimelineEntry[]): { day: string; entries: TimelineEntry[] }[] {
  const groups: { day: string; entries: TimelineEntry[] }[] = [];
  for (const entry of entries) {
    const day = entry.at.slice(0, 10);
    const last = groups[groups.length - 1];
    if (last !== undefined && last.day === day) last.entries.push(entry);
    else groups.push({ day, entries: [entry] });
  }
  return groups;
}
