// Export: the format, the output path (typed, or chosen in a save dialog), the running
// export's progress with a Cancel button, and the files written in this session with a
// "Show in folder" action. The export runs in the back end off the window's thread; the
// window only passes the path.

import { useState } from "react";
import {
  chooseReportExportPath,
  exportReportFile,
  showInFolder,
  type ReportExportFormat,
  type ReportExportResult,
} from "../../api/report";
import { JobStatus, useJob } from "../../components/JobStatus";
import { folderOf, formatBytes, joinPath } from "../../format";
import { defaultExportName, EXPORT_FORMATS, formatInfo, pathForFormat } from "./exportFormats";

interface Props {
  casePath: string;
  onError: (raw: unknown) => void;
}

export function ExportPanel({ casePath, onError }: Props) {
  const [format, setFormat] = useState<ReportExportFormat>("pdf");
  const [path, setPath] = useState(joinPath(folderOf(casePath), defaultExportName(casePath, "pdf")));
  const exporting = useJob(onError);
  const busy = exporting.running !== null;
  const [written, setWritten] = useState<ReportExportResult[]>([]);

  const pickFormat = (next: ReportExportFormat) => {
    setFormat(next);
    setPath((current) => pathForFormat(current, next));
  };

  const choose = async () => {
    try {
      const info = formatInfo(format);
      const chosen = await chooseReportExportPath(
        `Export the report as ${info.label}`,
        { name: info.label, extensions: [info.extension.split(".").pop() ?? info.extension] },
        path,
      );
      if (chosen !== null) setPath(chosen);
    } catch (raw) {
      onError(raw);
    }
  };

  const run = async () => {
    const target = path.trim();
    const result = await exporting.run("export", (jobId, onProgress) => exportReportFile(format, target, jobId, onProgress));
    if (result === null) return;
    setWritten((current) => [result, ...current.filter((entry) => entry.path !== result.path)]);
  };

  const reveal = async (file: string) => {
    try {
      await showInFolder(file);
    } catch (raw) {
      onError(raw);
    }
  };

  return (
    <div className="export-panel">
      <section className="card">
        <h2>Export</h2>
        <div className="format-choice" role="radiogroup" aria-label="Export format">
          {EXPORT_FORMATS.map((entry) => (
            <button
              key={entry.id}
              type="button"
              role="radio"
              aria-checked={format === entry.id}
              className={format === entry.id ? "format active" : "format secondary"}
              onClick={() => pickFormat(entry.id)}
              data-testid={`export-format-${entry.id}`}
            >
              <strong>{entry.label}</strong>
              <span>{entry.description}</span>
            </button>
          ))}
        </div>
        <div className="toolbar-row">
          <label htmlFor="export-path">Save as</label>
          <input
            id="export-path"
            className="grow"
            data-testid="export-path"
            value={path}
            onChange={(event) => setPath(event.target.value)}
            spellCheck={false}
          />
          <button type="button" className="secondary" onClick={choose} disabled={busy}>
            Choose…
          </button>
          <button type="button" onClick={run} disabled={busy || path.trim() === ""} data-testid="export-run">
            {busy ? "Exporting…" : `Export ${formatInfo(format).label}`}
          </button>
        </div>
        <JobStatus job={exporting} label="Export" />
        <p className="hint">
          Each export drafts the report again, re-hashes the evidence and records the file's SHA-256 in the case's
          audit log.
        </p>
      </section>
      <section className="card">
        <h2>Written in this session</h2>
        {written.length === 0 ? (
          <p className="hint">Nothing exported yet.</p>
        ) : (
          <ul className="exports" data-testid="exports">
            {written.map((entry) => (
              <li key={entry.path} data-testid="export-entry">
                {formatInfo(entry.format).label}: <code>{entry.path}</code> ({formatBytes(entry.sizeBytes)}, revision{" "}
                {entry.revision}, {entry.reviewLabel}){" "}
                <button type="button" className="secondary small" onClick={() => void reveal(entry.path)} data-testid="show-in-folder">
                  Show in folder
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
