// Keyboard movement in the section navigator and the mark each section carries.

import type { SectionDocument } from "../../api/report";

/**
 * Returns the index the navigator moves to for a key, or null when the key does not move it.
 * Arrow keys stop at the ends; Home and End jump to them.
 */
export function nextSectionIndex(current: number, key: string, count: number): number | null {
  if (count === 0) return null;
  switch (key) {
    case "ArrowDown":
      return Math.min(current + 1, count - 1);
    case "ArrowUp":
      return Math.max(current - 1, 0);
    case "Home":
      return 0;
    case "End":
      return count - 1;
    default:
      return null;
  }
}

export type SectionMark = "drafted" | "examiner" | "conflict";

export function sectionMark(section: Pick<SectionDocument, "origin" | "conflict">): SectionMark {
  if (section.conflict) return "conflict";
  return section.origin === "examiner" ? "examiner" : "drafted";
}

export const MARK_LABELS: Record<SectionMark, string> = {
  drafted: "Drafted",
  examiner: "Examiner text",
  conflict: "Conflict",
};
