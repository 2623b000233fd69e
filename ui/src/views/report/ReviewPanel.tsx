// Review: the current state, the checklist of what approval needs (with the examiner entries
// filled in place), the review steps in a reviewer's name, and the revision list.

import { useState } from "react";
import type { ChecklistItem, ReportWorkspace, ReviewStepName } from "../../api/report";
import { shortTime } from "../../format";
import { reviewStepOptions, stateLabel, summarizeChecklist } from "./reviewLogic";

interface Props {
  workspace: ReportWorkspace;
  busy: boolean;
  locked: boolean;
  onReview: (step: ReviewStepName, reviewer: string, note: string) => Promise<boolean>;
  onSaveEntry: (key: string, value: string) => Promise<boolean>;
  onShowSection: (section: string) => void;
}

export function ReviewPanel({ workspace, busy, locked, onReview, onSaveEntry, onShowSection }: Props) {
  const [reviewer, setReviewer] = useState("");
  const [note, setNote] = useState("");
  const summary = summarizeChecklist(workspace.checklist);
  const options = reviewStepOptions(
    workspace.review.state,
    workspace.checklist,
    reviewer,
    workspace.readOnlyReason !== null,
  );

  const take = async (step: ReviewStepName) => {
    if (await onReview(step, reviewer, note)) setNote("");
  };

  return (
    <div className="review-panel">
      <section className="card">
        <h2>Review</h2>
        <p data-testid="review-state" className={`review-state state-${workspace.review.state}`}>
          Revision {workspace.review.revision}: <strong>{stateLabel(workspace.review.state)}</strong> ·{" "}
          {workspace.review.label}
        </p>
        <div className="form-grid">
          <label htmlFor="reviewer-name">Name</label>
          <input
            id="reviewer-name"
            data-testid="reviewer-name"
            value={reviewer}
            onChange={(event) => setReviewer(event.target.value)}
            placeholder="Who takes the step, for example B. Reviewer"
          />
          <label htmlFor="review-note">Note</label>
          <input
            id="review-note"
            data-testid="review-note"
            value={note}
            onChange={(event) => setNote(event.target.value)}
            placeholder="Optional: what was checked"
          />
        </div>
        <div className="toolbar-row">
          {options.map((option) => (
            <button
              key={option.step}
              type="button"
              className={option.step === "approve" ? "" : "secondary"}
              disabled={busy || !option.enabled}
              title={option.reason ?? undefined}
              onClick={() => void take(option.step)}
              data-testid={`review-${option.step}`}
            >
              {option.label}
            </button>
          ))}
        </div>
        <ul className="hint step-reasons">
          {options
            .filter((option) => option.reason !== null)
            .map((option) => (
              <li key={option.step}>
                {option.label}: {option.reason}
              </li>
            ))}
        </ul>
      </section>

      <section className="card" data-testid="checklist">
        <h2>
          Required for approval: {summary.done} of {summary.total} done
        </h2>
        {summary.open.length === 0 ? (
          <p className="hint" data-testid="checklist-complete">
            Nothing is missing: approval will not be refused for missing fields.
          </p>
        ) : (
          <p className="hint">Approval is refused while any item below is open.</p>
        )}
        <ul className="checklist">
          {workspace.checklist.map((item) => (
            <ChecklistRow
              key={`${item.kind}:${item.subject}`}
              item={item}
              busy={busy}
              locked={locked}
              onSaveEntry={onSaveEntry}
              onShowSection={onShowSection}
            />
          ))}
        </ul>
      </section>

      <section className="card" data-testid="revisions">
        <h2>Revisions</h2>
        <ol className="revisions">
          {[...workspace.revisions].reverse().map((revision) => (
            <li key={revision.number} data-testid="revision">
              <strong>Revision {revision.number}</strong> · {stateLabel(revision.state)} ·{" "}
              {revision.startedAt === null ? "started with the case" : `started ${shortTime(revision.startedAt)}`}
              {revision.startedBy !== null && ` by ${revision.startedBy}`} · {revision.reason}
              {revision.approvedAt !== null && (
                <div>
                  Approved {shortTime(revision.approvedAt)}
                  {revision.approvedBy !== null && ` by ${revision.approvedBy}`}
                  {revision.approvedSha256 !== null && (
                    <>
                      {" "}
                      · report SHA-256 <code>{revision.approvedSha256}</code>
                    </>
                  )}
                </div>
              )}
              {revision.steps.length > 0 && (
                <ul className="steps">
                  {revision.steps.map((step, index) => (
                    <li key={index}>
                      {step.action} {shortTime(step.at)}
                      {step.actor !== null && ` by ${step.actor}`}
                      {step.note !== null && ` · ${step.note}`}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}

interface RowProps {
  item: ChecklistItem;
  busy: boolean;
  locked: boolean;
  onSaveEntry: (key: string, value: string) => Promise<boolean>;
  onShowSection: (section: string) => void;
}

function ChecklistRow({ item, busy, locked, onSaveEntry, onShowSection }: RowProps) {
  const [value, setValue] = useState("");
  const state = item.done ? "done" : "open";
  return (
    <li className={`check ${state}`} data-testid="checklist-item" data-state={state} data-key={item.subject}>
      <span className="check-mark" aria-label={item.done ? "done" : "open"}>
        {item.done ? "✓" : "○"}
      </span>
      <span className="check-label">
        {item.kind === "entry" && item.label}
        {item.kind === "conflict" && `Section "${item.label}" is in conflict with a changed draft`}
        {item.kind === "missingFinding" && `Finding ${item.label} was chosen but the latest analysis lacks it`}
      </span>
      {item.kind === "entry" && !item.done && (
        <form
          className="entry-form"
          onSubmit={async (event) => {
            event.preventDefault();
            if (await onSaveEntry(item.subject, value)) setValue("");
          }}
        >
          <input
            data-testid="entry-input"
            aria-label={item.label}
            value={value}
            onChange={(event) => setValue(event.target.value)}
            disabled={locked}
          />
          <button type="submit" className="small" disabled={busy || locked || value.trim() === ""} data-testid="entry-save">
            Save
          </button>
        </form>
      )}
      {item.section !== null && (
        <button type="button" className="link" onClick={() => onShowSection(item.section ?? "")}>
          Show in report
        </button>
      )}
    </li>
  );
}
