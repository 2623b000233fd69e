// Review logic of the Report view: the checklist summary, which review steps are offered, and
// the section navigator's keys and marks.

import { describe, expect, it } from "vitest";
import type { ChecklistItem } from "../src/api/report";
import { reviewStepOptions, stateLabel, summarizeChecklist } from "../src/views/report/reviewLogic";
import { nextSectionIndex, sectionMark } from "../src/views/report/sectionNav";

function entry(subject: string, done: boolean): ChecklistItem {
  return { kind: "entry", subject, label: subject, section: "impact_assessment", done };
}

const OPEN = [entry("impact.damages", false), entry("detection.root_cause", true)];
const DONE = [entry("impact.damages", true), entry("detection.root_cause", true)];

function enabled(options: ReturnType<typeof reviewStepOptions>): string[] {
  return options.filter((option) => option.enabled).map((option) => option.step);
}

describe("summarizeChecklist", () => {
  it("counts done and open items", () => {
    const summary = summarizeChecklist(OPEN);
    expect(summary.total).toBe(2);
    expect(summary.done).toBe(1);
    expect(summary.open.map((item) => item.subject)).toEqual(["impact.damages"]);
  });

  it("treats a conflict as open", () => {
    const conflict: ChecklistItem = { kind: "conflict", subject: "executive_summary", label: "Executive summary", section: "executive_summary", done: false };
    expect(summarizeChecklist([...DONE, conflict]).open).toEqual([conflict]);
  });
});

describe("reviewStepOptions", () => {
  it("offers only submit on a draft", () => {
    expect(enabled(reviewStepOptions("draft", OPEN, "B. Reviewer", false))).toEqual(["submit"]);
  });

  it("refuses approval while items are open", () => {
    const options = reviewStepOptions("submitted", OPEN, "B. Reviewer", false);
    expect(enabled(options)).toEqual(["reopen"]);
    expect(options.find((option) => option.step === "approve")?.reason).toBe("1 required item is still open.");
  });

  it("offers approval when every item is done", () => {
    expect(enabled(reviewStepOptions("submitted", DONE, "B. Reviewer", false))).toEqual(["approve", "reopen"]);
  });

  it("offers only reopen on an approved report", () => {
    expect(enabled(reviewStepOptions("approved", DONE, "B. Reviewer", false))).toEqual(["reopen"]);
  });

  it("needs a reviewer name", () => {
    const options = reviewStepOptions("draft", DONE, "  ", false);
    expect(enabled(options)).toEqual([]);
    expect(options[0].reason).toBe("Enter the name of the person taking the step.");
  });

  it("offers nothing on a read-only case", () => {
    expect(enabled(reviewStepOptions("submitted", DONE, "B. Reviewer", true))).toEqual([]);
  });

  it("names the states as the cover does", () => {
    expect(stateLabel("submitted")).toBe("In review");
  });
});

describe("section navigator", () => {
  it("moves with arrows and stops at the ends", () => {
    expect(nextSectionIndex(0, "ArrowDown", 8)).toBe(1);
    expect(nextSectionIndex(7, "ArrowDown", 8)).toBe(7);
    expect(nextSectionIndex(0, "ArrowUp", 8)).toBe(0);
    expect(nextSectionIndex(3, "Home", 8)).toBe(0);
    expect(nextSectionIndex(3, "End", 8)).toBe(7);
  });

  it("ignores other keys", () => {
    expect(nextSectionIndex(3, "a", 8)).toBeNull();
    expect(nextSectionIndex(0, "ArrowDown", 0)).toBeNull();
  });

  it("marks examiner text and conflicts", () => {
    expect(sectionMark({ origin: "drafted", conflict: false })).toBe("drafted");
    expect(sectionMark({ origin: "examiner", conflict: false })).toBe("examiner");
    expect(sectionMark({ origin: "examiner", conflict: true })).toBe("conflict");
  });
});
