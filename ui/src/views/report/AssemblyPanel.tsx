// Assembly: the findings the report covers, the response events, the attached screenshots and
// statements, and the withdrawals of events and attachments (kept in the case's history).

import { useEffect, useState } from "react";
import {
  chooseAttachmentFile,
  type AttachmentKindName,
  type EventRequest,
  type PhaseName,
  type ReportWorkspace,
} from "../../api/report";
import { formatBytes, shortTime } from "../../format";

interface Props {
  workspace: ReportWorkspace;
  busy: boolean;
  locked: boolean;
  onChooseFindings: (findings: string[] | null) => Promise<boolean>;
  onAddEvent: (request: EventRequest) => Promise<boolean>;
  onAttach: (path: string, kind: AttachmentKindName, description: string) => Promise<boolean>;
  onWithdraw: (kind: "event" | "attachment", id: number, reason: string) => Promise<boolean>;
  onError: (raw: unknown) => void;
}

const PHASES: PhaseName[] = ["containment", "eradication", "recovery", "notification"];

export function AssemblyPanel(props: Props) {
  const { workspace } = props;
  return (
    <div className="assembly-panel">
      <FindingsChoice {...props} />
      <section className="card" data-testid="events">
        <h2>Response events</h2>
        <EventForm {...props} />
        {workspace.events.length === 0 ? (
          <p className="hint">No events entered. The timeline shows the events found in the evidence.</p>
        ) : (
          <table className="items-table">
            <thead>
              <tr>
                <th>ID</th>
                <th>Phase</th>
                <th>Time (UTC)</th>
                <th>Actor</th>
                <th>Description</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {workspace.events.map((event) => (
                <tr key={event.id} data-testid="event-row">
                  <td>E{event.id}</td>
                  <td>{event.phase}</td>
                  <td title={`as entered: ${event.atText}`}>{shortTime(event.at)}</td>
                  <td>{event.actor}</td>
                  <td>{event.description}</td>
                  <td>
                    <WithdrawControl {...props} kind="event" id={event.id} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card" data-testid="attachments">
        <h2>Screenshots and statements</h2>
        <AttachForm {...props} />
        {workspace.attachments.length === 0 ? (
          <p className="hint">Nothing attached.</p>
        ) : (
          <table className="items-table">
            <thead>
              <tr>
                <th>ID</th>
                <th>Kind</th>
                <th>File</th>
                <th>Size</th>
                <th>SHA-256</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {workspace.attachments.map((attachment) => (
                <tr key={attachment.id} data-testid="attachment-row">
                  <td>A{attachment.id}</td>
                  <td>{attachment.kind}</td>
                  <td>
                    {attachment.name}
                    {attachment.description !== null && <div className="hint">{attachment.description}</div>}
                  </td>
                  <td>{formatBytes(attachment.sizeBytes)}</td>
                  <td>
                    <code title={attachment.sha256}>{attachment.sha256.slice(0, 16)}…</code>
                  </td>
                  <td>
                    <WithdrawControl {...props} kind="attachment" id={attachment.id} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card" data-testid="withdrawals">
        <h2>Withdrawn</h2>
        {workspace.withdrawals.length === 0 ? (
          <p className="hint">Nothing withdrawn. A withdrawn event or attachment leaves the report but stays in the case.</p>
        ) : (
          <ul className="withdrawals">
            {workspace.withdrawals.map((withdrawal) => (
              <li key={`${withdrawal.kind}${withdrawal.itemId}`} data-testid="withdrawal">
                {withdrawal.kind === "event" ? "E" : "A"}
                {withdrawal.itemId} {withdrawal.itemLabel} · withdrawn {shortTime(withdrawal.withdrawnAt)}
                {withdrawal.withdrawnBy !== null && ` by ${withdrawal.withdrawnBy}`} in revision {withdrawal.revision}:{" "}
                <em>{withdrawal.reason}</em>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function FindingsChoice({ workspace, busy, locked, onChooseFindings }: Props) {
  const covered = () => new Set(workspace.findings.filter((finding) => finding.covered).map((finding) => finding.id));
  const [chosen, setChosen] = useState<Set<string>>(covered);
  // A new workspace (after a save or an analysis) resets the choice to what the case stores.
  useEffect(() => setChosen(covered()), [workspace.findings]);

  const toggle = (id: string) => {
    const next = new Set(chosen);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setChosen(next);
  };
  const ids = workspace.findings.map((finding) => finding.id).filter((id) => chosen.has(id));

  return (
    <section className="card" data-testid="findings-choice">
      <h2>Findings covered</h2>
      <p className="hint">
        {workspace.findingsChosen
          ? "The examiner chose the findings below."
          : "By default the report covers every finding that is not suppressed."}
      </p>
      <ul className="finding-choices">
        {workspace.findings.map((finding) => (
          <li key={finding.id}>
            <label>
              <input
                type="checkbox"
                checked={chosen.has(finding.id)}
                onChange={() => toggle(finding.id)}
                disabled={locked}
                data-testid="finding-choice"
                data-id={finding.id}
              />{" "}
              <strong>{finding.id}</strong> {finding.summary}
              {finding.reason !== null && <span className="hint"> · left out: {finding.reason}</span>}
            </label>
          </li>
        ))}
      </ul>
      <div className="toolbar-row">
        <button
          type="button"
          onClick={() => void onChooseFindings(ids)}
          disabled={busy || locked || ids.length === 0}
          data-testid="save-findings"
        >
          Cover the checked findings
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() => void onChooseFindings(null)}
          disabled={busy || locked || !workspace.findingsChosen}
        >
          Return to the default
        </button>
      </div>
    </section>
  );
}

function EventForm({ busy, locked, onAddEvent }: Props) {
  const [phase, setPhase] = useState<PhaseName>("containment");
  const [at, setAt] = useState("");
  const [actor, setActor] = useState("");
  const [description, setDescription] = useState("");
  const complete = at.trim() !== "" && actor.trim() !== "" && description.trim() !== "";

  return (
    <form
      className="inline-form"
      onSubmit={async (event) => {
        event.preventDefault();
        if (await onAddEvent({ phase, at, actor, description })) {
          setAt("");
          setDescription("");
        }
      }}
    >
      <select value={phase} onChange={(event) => setPhase(event.target.value as PhaseName)} aria-label="Phase" data-testid="event-phase">
        {PHASES.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
      <input
        value={at}
        onChange={(event) => setAt(event.target.value)}
        placeholder="2026-12-04T21:05:00+01:00"
        aria-label="Time, RFC 3339 with offset"
        title="When it happened: RFC 3339 with an offset, for example 2026-12-04T21:05:00+01:00 or 2026-12-04T20:05:00Z"
        data-testid="event-at"
      />
      <input value={actor} onChange={(event) => setActor(event.target.value)} placeholder="Actor" aria-label="Actor" data-testid="event-actor" />
      <input
        className="grow"
        value={description}
        onChange={(event) => setDescription(event.target.value)}
        placeholder="What was done"
        aria-label="Description"
        data-testid="event-description"
      />
      <button type="submit" disabled={busy || locked || !complete} data-testid="event-add">
        Add event
      </button>
    </form>
  );
}

function AttachForm({ busy, locked, onAttach, onError }: Props) {
  const [kind, setKind] = useState<AttachmentKindName>("screenshot");
  const [path, setPath] = useState("");
  const [description, setDescription] = useState("");

  const browse = async () => {
    try {
      const chosen = await chooseAttachmentFile(kind);
      if (chosen !== null) setPath(chosen);
    } catch (raw) {
      onError(raw);
    }
  };

  return (
    <form
      className="inline-form"
      onSubmit={async (event) => {
        event.preventDefault();
        if (await onAttach(path, kind, description)) {
          setPath("");
          setDescription("");
        }
      }}
    >
      <select value={kind} onChange={(event) => setKind(event.target.value as AttachmentKindName)} aria-label="Kind" data-testid="attach-kind">
        <option value="screenshot">screenshot (PNG, JPEG)</option>
        <option value="statement">statement (UTF-8 text)</option>
      </select>
      <input
        className="grow"
        value={path}
        onChange={(event) => setPath(event.target.value)}
        placeholder="Path of the file"
        aria-label="Path of the file to attach"
        spellCheck={false}
        data-testid="attach-path"
      />
      <button type="button" className="secondary" onClick={browse} disabled={locked}>
        Choose…
      </button>
      <input
        value={description}
        onChange={(event) => setDescription(event.target.value)}
        placeholder="Description (optional)"
        aria-label="Description"
        data-testid="attach-description"
      />
      <button type="submit" disabled={busy || locked || path.trim() === ""} data-testid="attach-add">
        Attach
      </button>
    </form>
  );
}

function WithdrawControl({ busy, locked, onWithdraw, kind, id }: Props & { kind: "event" | "attachment"; id: number }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  if (!open) {
    return (
      <button type="button" className="secondary small" onClick={() => setOpen(true)} disabled={busy || locked} data-testid="withdraw">
        Withdraw…
      </button>
    );
  }
  return (
    <form
      className="withdraw-form"
      onSubmit={async (event) => {
        event.preventDefault();
        if (await onWithdraw(kind, id, reason)) setOpen(false);
      }}
    >
      <input
        autoFocus
        value={reason}
        onChange={(event) => setReason(event.target.value)}
        placeholder="Reason"
        aria-label="Reason for withdrawing"
        data-testid="withdraw-reason"
      />
      <button type="submit" className="small" disabled={busy || reason.trim() === ""} data-testid="withdraw-confirm">
        Withdraw
      </button>
      <button type="button" className="secondary small" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}
