// Report view: the drafted report section by section, the examiner entries still open, and
// the exports to PDF and Markdown.

import { useCallback, useEffect, useRef, useState } from "react";
import { draftReport, exportReport, toFailure } from "../api/commands";
import { chooseExportPath, chooseFolder } from "../api/dialogs";
import type { BlockView, ExportFormat, ExportResult, ReportView } from "../api/types";
import { fileStem, folderOf, formatBytes, joinPath, shortTime } from "../format";

interface Props {
  casePath: string;
  onError: (raw: unknown) => void;
}

const EXTENSIONS: Record<ExportFormat, string> = { pdf: "pdf", markdown: "md" };

export function ReportScreen({ casePath, onError }: Props) {
  const [report, setReport] = useState<ReportView | null>(null);
  const [notAnalyzed, setNotAnalyzed] = useState(false);
  const [folder, setFolder] = useState(folderOf(casePath));
  const [exports, setExports] = useState<ExportResult[]>([]);
  const [busy, setBusy] = useState(false);
  const sectionRefs = useRef<(HTMLElement | null)[]>([]);

  const draft = useCallback(async () => {
    setBusy(true);
    try {
      setReport(await draftReport());
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
    void draft();
  }, [draft]);

  const defaultName = (format: ExportFormat) => `${fileStem(casePath)}-report.${EXTENSIONS[format]}`;

  const write = async (format: ExportFormat, path: string) => {
    const result = await exportReport(format, path);
    setExports((current) => [result, ...current.filter((entry) => entry.path !== result.path)]);
  };

  const exportWithDialog = async (format: ExportFormat) => {
    try {
      const path = await chooseExportPath(format, joinPath(folder, defaultName(format)));
      if (path === null) return;
      setBusy(true);
      await write(format, path);
    } catch (raw) {
      onError(raw);
    } finally {
      setBusy(false);
    }
  };

  const exportToFolder = async () => {
    setBusy(true);
    try {
      for (const format of ["pdf", "markdown"] as ExportFormat[]) {
        await write(format, joinPath(folder.trim(), defaultName(format)));
      }
    } catch (raw) {
      onError(raw);
    } finally {
      setBusy(false);
    }
  };

  const browseFolder = async () => {
    try {
      const chosen = await chooseFolder();
      if (chosen !== null) setFolder(chosen);
    } catch (raw) {
      onError(raw);
    }
  };

  if (notAnalyzed) {
    return (
      <p className="empty" data-testid="report-not-analyzed">
        The report is drafted from the findings. Import evidence and run the analysis first.
      </p>
    );
  }
  if (report === null) return <p className="empty">Drafting the report…</p>;

  return (
    <div className="report">
      <section className="toolbar card">
        <div className="toolbar-row">
          <button type="button" onClick={() => exportWithDialog("pdf")} disabled={busy} data-testid="export-pdf">
            Export PDF…
          </button>
          <button type="button" onClick={() => exportWithDialog("markdown")} disabled={busy} data-testid="export-markdown">
            Export Markdown…
          </button>
          <span className="divider" />
          <label htmlFor="export-folder">Folder</label>
          <input
            id="export-folder"
            data-testid="export-folder"
            value={folder}
            onChange={(event) => setFolder(event.target.value)}
            spellCheck={false}
          />
          <button type="button" className="secondary" onClick={browseFolder}>
            Choose…
          </button>
          <button type="button" className="secondary" onClick={exportToFolder} disabled={busy || folder.trim() === ""} data-testid="export-both">
            Export both to folder
          </button>
          <button type="button" className="secondary" onClick={() => void draft()} disabled={busy}>
            Draft again
          </button>
        </div>
        {exports.length > 0 && (
          <ul className="exports" data-testid="exports">
            {exports.map((entry) => (
              <li key={entry.path}>
                Wrote <code>{entry.path}</code> ({formatBytes(entry.sizeBytes)})
              </li>
            ))}
          </ul>
        )}
      </section>
      <div className="split report-split">
        <nav className="card section-nav" aria-label="Report sections">
          <ol>
            {report.sections.map((section, index) => (
              <li key={section.title}>
                <button type="button" className="link" onClick={() => sectionRefs.current[index]?.scrollIntoView({ block: "start" })}>
                  {section.title}
                </button>
              </li>
            ))}
          </ol>
          <h3>Examiner entries open</h3>
          {report.pendingEntries.length === 0 ? (
            <p className="hint">None: every required field has a value.</p>
          ) : (
            <ul className="pending" data-testid="pending-entries">
              {report.pendingEntries.map((label) => (
                <li key={label}>{label}</li>
              ))}
            </ul>
          )}
        </nav>
        <article className="card report-body" data-testid="report-body">
          <h1>{report.title}</h1>
          <p className="hint">
            Drafted {shortTime(report.generatedAt)}
            {report.examiner !== null && ` · examiner ${report.examiner}`}
          </p>
          {report.sections.map((section, index) => (
            <section key={section.title} ref={(element) => void (sectionRefs.current[index] = element)}>
              <h2>
                {index + 1}. {section.title}
              </h2>
              {section.blocks.map((block, blockIndex) => (
                <Block key={blockIndex} block={block} />
              ))}
            </section>
          ))}
        </article>
      </div>
    </div>
  );
}

function Block({ block }: { block: BlockView }) {
  switch (block.type) {
    case "subheading":
      return <h3>{block.text}</h3>;
    case "paragraph":
      return (
        <>
          {block.text.split("\n").map((line, index) => (
            <p key={index}>{line}</p>
          ))}
        </>
      );
    case "fields":
      return (
        <dl className="facts">
          {block.fields.map(([label, value]) => (
            <div key={label} className="fact">
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      );
    case "table":
      return (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                {block.columns.map((column) => (
                  <th key={column}>{column}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {block.rows.map((row, rowIndex) => (
                <tr key={rowIndex}>
                  {row.map((cell, cellIndex) => (
                    <td key={cellIndex}>{cell}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    case "list":
      return (
        <ul>
          {block.items.map((item, index) => (
            <li key={index}>{item}</li>
          ))}
        </ul>
      );
    case "examinerEntry":
      return (
        <div className={block.value === null ? "examiner-entry pending" : "examiner-entry"}>
          <strong>{block.label}:</strong> {block.value ?? "To be completed by the examiner."}
          {block.value === null && <div className="hint">{block.guidance}</div>}
        </div>
      );
    case "chart":
      return (
        <p className="hint">
          Probe charts of {block.findingId} ({block.probesTotal} probes) appear in the PDF export.
        </p>
      );
  }
}
