// What the review panel may offer: the checklist summary and which review steps are possible
// in the current state. The back end checks the same rules again; these only explain them.

import type { ChecklistItem, ReviewStateName, ReviewStepName } from "../../api/report";

export interface ChecklistSummary {
  total: number;
  done: number;
  /** Items approval still needs, in report order. */
  open: ChecklistItem[];
}

export function summarizeChecklist(items: readonly ChecklistItem[]): ChecklistSummary {
  const open = items.filter((item) => !item.done);
  return { total: items.length, done: items.length - open.length, open };
}

export interface ReviewStepOption {
  step: ReviewStepName;
  label: string;
  enabled: boolean;
  /** Why the step is not possible now, when it is not. */
  reason: string | null;
}

const STATE_LABELS: Record<ReviewStateName, string> = {
  draft: "Draft",
  submitted: "In review",
  approved: "Approved",
};

export function stateLabel(state: ReviewStateName): string {
  return STATE_LABELS[state];
}

/** Lists submit, approve and reopen with whether each is possible and why not. */
export function reviewStepOptions(
  state: ReviewStateName,
  checklist: readonly ChecklistItem[],
  reviewer: string,
  readOnly: boolean,
): ReviewStepOption[] {
  const open = summarizeChecklist(checklist).open.length;
  const common = readOnly
    ? "The case is read-only."
    : reviewer.trim() === ""
      ? "Enter the name of the person taking the step."
      : null;
  const option = (step: ReviewStepName, label: string, reason: string | null): ReviewStepOption => {
    const blocked = common ?? reason;
    return { step, label, enabled: blocked === null, reason: blocked };
  };
  return [
    option("submit", "Submit for review", state === "draft" ? null : "Only a draft can be submitted; reopen it first."),
    option(
      "approve",
      "Approve",
      state !== "submitted"
        ? "Only a submitted report can be approved."
        : open > 0
          ? `${open} required ${open === 1 ? "item is" : "items are"} still open.`
          : null,
    ),
    option("reopen", "Reopen", state === "draft" ? "The report is already a draft." : null),
  ];
}
