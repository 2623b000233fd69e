// Report view: the examiner's authoring and review workspace. A section navigator sits on the
// left. The right side shows one of four panels: the report as drafted (with the examiner's
// text marked and the Markdown editor), the review, the assembly or the export.

import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from "react";
import { toFailure } from "../api/commands";
import {
  addReportEvent,
  attachReportFile,
  chooseReportFindings,
  confirmSectionText,
  reportWorkspace,
  reviewReport,
  saveSectionText,
  setExaminerEntry,
  withdrawReportItem,
  type ReportWorkspace,
} from "../api/report";
import { AssemblyPanel } from "./report/AssemblyPanel";
import { ExportPanel } from "./report/ExportPanel";
import { ReportDocument } from "./report/ReportDocument";
import { ReviewPanel } from "./report/ReviewPanel";
import { stateLabel, summarizeChecklist } from "./report/reviewLogic";
import { MARK_LABELS, nextSectionIndex, sectionMark } from "./report/sectionNav";
import "./report/report.css";

interface Props {
  casePath: string;
  onError: (raw: unknown) => void;
}

type Panel = "document" | "review" | "assembly" | "export";

const PANELS: { id: Panel; label: string }[] = [
  { id: "document", label: "Report" },
  { id: "review", label: "Review" },
  { id: "assembly", label: "Assembly" },
  { id: "export", label: "Export" },
];

export function ReportScreen({ casePath, onError }: Props) {
  const [workspace, setWorkspace] = useState<ReportWorkspace | null>(null);
  const [notAnalyzed, setNotAnalyzed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [panel, setPanel] = useState<Panel>("document");
  const [editing, setEditing] = useState<string | null>(null);
  const [current, setCurrent] = useState(0);
  const sectionElements = useRef(new Map<string, HTMLElement>());
  const navButtons = useRef<(HTMLButtonElement | null)[]>([]);
  const pendingScroll = useRef<string | null>(null);

  const load = useCallback(async () => {
    setBusy(true);
    try {
      setWorkspace(await reportWorkspace());
      setNotAnalyzed(false);
    } catch (raw) {
      const failure = toFailure(raw);
      if (failure.kind === "notAnalyzed") setNotAnalyzed(true);
      else onError(failure);
    } finally {
      setBusy(false);
    }
  }, [onError]);

  useEffect(() => {
    void load();
  }, [load]);

  // Scrolls to a section chosen while another panel was shown, once the document is there.
  useEffect(() => {
    const id = pendingScroll.current;
    if (panel !== "document" || id === null) return;
    pendingScroll.current = null;
    const element = sectionElements.current.get(id);
    element?.scrollIntoView({ block: "start" });
  }, [panel, workspace]);

  /** Runs a change, shows the workspace it returns and reports whether it succeeded. */
  const apply = useCallback(
    async (change: () => Promise<ReportWorkspace>): Promise<boolean> => {
      setBusy(true);
      try {
        setWorkspace(await change());
        return true;
      } catch (raw) {
        onError(raw);
        return false;
      } finally {
        setBusy(false);
      }
    },
    [onError],
  );

  if (notAnalyzed) {
    return (
      <p className="empty" data-testid="report-not-analyzed">
        The report is drafted from the findings. Import evidence and run the analysis first.
      </p>
    );
  }
  if (workspace === null) return <p className="empty">Drafting the report…</p>;

  const locked = workspace.review.state === "submitted" || workspace.readOnlyReason !== null;
  const summary = summarizeChecklist(workspace.checklist);

  const showSection = (id: string) => {
    const index = workspace.sections.findIndex((section) => section.id === id);
    if (index >= 0) setCurrent(index);
    pendingScroll.current = id;
    if (panel === "document") {
      sectionElements.current.get(id)?.scrollIntoView({ block: "start" });
      pendingScroll.current = null;
    } else {
      setPanel("document");
    }
  };

  const onNavKey = (event: KeyboardEvent, index: number) => {
    const next = nextSectionIndex(index, event.key, workspace.sections.length);
    if (next === null) return;
    event.preventDefault();
    setCurrent(next);
    navButtons.current[next]?.focus();
    showSection(workspace.sections[next].id);
  };

  return (
    <div className="report-workspace">
      <nav className="card report-nav" aria-label="Report sections" data-testid="section-nav">
        <ol role="listbox" aria-label="Sections" aria-activedescendant={`nav-${workspace.sections[current]?.id}`}>
          {workspace.sections.map((section, index) => {
            const mark = sectionMark(section);
            return (
              <li key={section.id} id={`nav-${section.id}`} role="option" aria-selected={index === current}>
                <button
                  type="button"
                  ref={(element) => void (navButtons.current[index] = element)}
                  className={index === current ? "nav-item current" : "nav-item"}
                  tabIndex={index === current ? 0 : -1}
                  onClick={() => showSection(section.id)}
                  onKeyDown={(event) => onNavKey(event, index)}
                  data-testid="section-nav-item"
                  data-section={section.id}
                >
                  <span className="nav-number">{section.number}.</span> {section.title}
                  {mark !== "drafted" && <span className={`nav-mark ${mark}`}>{MARK_LABELS[mark]}</span>}
                </button>
              </li>
            );
          })}
        </ol>
        <p className="hint nav-help">↑ ↓ Home End move between sections.</p>
        <div className={`nav-status state-${workspace.review.state}`}>
          <div>
            Revision {workspace.review.revision}: <strong data-testid="nav-review-state">{stateLabel(workspace.review.state)}</strong>
          </div>
          <div>
            Required items: {summary.done} of {summary.total} done
          </div>
          {workspace.readOnlyReason !== null && <div className="warning">Read-only: {workspace.readOnlyReason}</div>}
          {workspace.review.state === "submitted" && <div className="warning">Submitted: reopen it to change it.</div>}
          {workspace.review.state === "approved" && (
            <div className="hint">Approved and locked: a change starts revision {workspace.review.revision + 1}.</div>
          )}
        </div>
      </nav>
      <div className="report-main">
        <div className="subtabs" role="tablist" aria-label="Report panels">
          {PANELS.map(({ id, label }) => (
            <button
              key={id}
              type="button"
              role="tab"
              aria-selected={panel === id}
              className={panel === id ? "subtab active" : "subtab"}
              onClick={() => setPanel(id)}
              data-testid={`report-panel-${id}`}
            >
              {label}
              {id === "review" && summary.open.length > 0 && <span className="count">{summary.open.length}</span>}
            </button>
          ))}
          <span className="spacer" />
          <button type="button" className="secondary small" onClick={() => void load()} disabled={busy} data-testid="draft-again">
            Draft again
          </button>
        </div>
        <div className="report-panel">
          {panel === "document" && (
            <ReportDocument
              workspace={workspace}
              editing={editing}
              busy={busy}
              locked={locked}
              sectionRef={(id, element) => {
                if (element === null) sectionElements.current.delete(id);
                else sectionElements.current.set(id, element);
              }}
              onEdit={setEditing}
              onSave={(section, markdown) => apply(() => saveSectionText(section, markdown))}
              onConfirm={(section) => void apply(() => confirmSectionText(section))}
              onError={onError}
            />
          )}
          {panel === "review" && (
            <ReviewPanel
              workspace={workspace}
              busy={busy}
              locked={locked}
              onReview={(step, reviewer, note) =>
                apply(() => reviewReport({ step, reviewer, note: note.trim() === "" ? null : note }))
              }
              onSaveEntry={(key, value) => apply(() => setExaminerEntry(key, value))}
              onShowSection={showSection}
            />
          )}
          {panel === "assembly" && (
            <AssemblyPanel
              workspace={workspace}
              busy={busy}
              locked={locked}
              onChooseFindings={(findings) => apply(() => chooseReportFindings(findings))}
              onAddEvent={(request) => apply(() => addReportEvent(request))}
              onAttach={(path, kind, description) =>
                apply(() => attachReportFile({ path, kind, description: description.trim() === "" ? null : description }))
              }
              onWithdraw={(kind, id, reason) => apply(() => withdrawReportItem({ kind, id, reason }))}
              onError={onError}
            />
          )}
          {panel === "export" && <ExportPanel casePath={casePath} onError={onError} />}
        </div>
      </div>
    </div>
  );
}
