// The report as drafted, section by section, with marks that tell drafted text from text
// the examiner wrote, conflict flags, and the editor of the narrative sections.

import type { ReportWorkspace, SectionDocument } from "../../api/report";
import { shortTime } from "../../format";
import { ReportBlocks } from "./ReportBlocks";
import { SectionEditor } from "./SectionEditor";
import { MARK_LABELS, sectionMark } from "./sectionNav";

interface Props {
  workspace: ReportWorkspace;
  editing: string | null;
  busy: boolean;
  locked: boolean;
  sectionRef: (id: string, element: HTMLElement | null) => void;
  onEdit: (section: string | null) => void;
  onSave: (section: string, markdown: string) => Promise<boolean>;
  onConfirm: (section: string) => void;
  onError: (raw: unknown) => void;
}

export function ReportDocument({ workspace, editing, busy, locked, sectionRef, onEdit, onSave, onConfirm, onError }: Props) {
  return (
    <article className="card report-body" data-testid="report-body">
      <h1>{workspace.title}</h1>
      <p className="hint">
        Drafted {shortTime(workspace.generatedAt)}
        {workspace.examiner !== null && ` · examiner ${workspace.examiner}`} · revision {workspace.review.revision} ·{" "}
        {workspace.review.label}
      </p>
      {workspace.sections.map((section) => (
        <section
          key={section.id}
          id={`section-${section.id}`}
          className={`report-section mark-${sectionMark(section)}`}
          data-testid={`section-${section.id}`}
          ref={(element) => sectionRef(section.id, element)}
          tabIndex={-1}
        >
          <header className="section-head">
            <h2>
              {section.number}. {section.title}
            </h2>
            <SectionTag section={section} />
            {section.narrative && editing !== section.id && (
              <button
                type="button"
                className="secondary small"
                onClick={() => onEdit(section.id)}
                disabled={busy || locked}
                title={locked ? "The report is submitted; reopen it to change it." : undefined}
                data-testid={`edit-${section.id}`}
              >
                {section.origin === "examiner" ? "Edit text" : "Write own text"}
              </button>
            )}
          </header>
          {section.conflict && (
            <div className="conflict-flag" role="alert" data-testid={`conflict-${section.id}`}>
              Conflict: the drafted text of this section changed after the examiner wrote this text. Check it, then
              keep it or edit it again.{" "}
              <button type="button" className="small" onClick={() => onConfirm(section.id)} disabled={busy || locked}>
                Keep examiner text
              </button>
            </div>
          )}
          {editing === section.id ? (
            <SectionEditor
              key={section.id}
              section={section}
              busy={busy}
              onSave={(markdown) => onSave(section.id, markdown)}
              onClose={() => onEdit(null)}
              onError={onError}
            />
          ) : (
            <div className={section.origin === "examiner" ? "section-text examiner-text" : "section-text drafted-text"}>
              <ReportBlocks blocks={section.blocks} />
            </div>
          )}
        </section>
      ))}
    </article>
  );
}

function SectionTag({ section }: { section: SectionDocument }) {
  const mark = sectionMark(section);
  const detail =
    section.origin === "examiner"
      ? ` by ${section.editedBy ?? "unknown"}${section.editedAt !== null ? `, ${shortTime(section.editedAt)}` : ""}`
      : "";
  return (
    <span className={`origin-tag ${mark}`} data-testid={`mark-${section.id}`}>
      {MARK_LABELS[mark]}
      {detail}
    </span>
  );
}
