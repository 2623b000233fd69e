// Evidence view: import files chosen in a dialog, typed, or dropped on the window (each with
// a progress bar and a cancel button), the facts of every imported file, its verification
// state and chain of custody, and re-hashing every file with Verify.

import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import { analyzeCase, cancelJob, importEvidence, listEvidence, toFailure } from "../api/commands";
import { chooseEvidenceFiles } from "../api/dialogs";
import { listenForDroppedFiles } from "../api/dragdrop";
import type { EvidenceView, ImportRequest } from "../api/types";
import { evidenceIntegrity, verifyEvidence, type EvidenceIntegrityView } from "../api/workspace";
import { JobStatus, useJob } from "../components/JobStatus";
import { fileName, formatBytes, shortTime } from "../format";
import { IntegrityPanel } from "./IntegrityPanel";

interface Props {
  /** Default time zone of the case, shown as the import zone's placeholder. */
  defaultZone: string | null;
  readOnly: boolean;
  onError: (raw: unknown) => void;
  onEvidenceChanged: () => void;
  onAnalyzed: () => void;
}

type JobState = "queued" | "running" | "imported" | "alreadyImported" | "failed" | "cancelled";

interface ImportJob {
  id: string;
  path: string;
  state: JobState;
  phase: "reading" | null;
  bytesDone: number;
  bytesTotal: number;
  message: string | null;
}

let nextJob = 1;

export function EvidenceScreen({ defaultZone, readOnly, onError, onEvidenceChanged, onAnalyzed }: Props) {
  const [evidence, setEvidence] = useState<EvidenceView[]>([]);
  const [integrity, setIntegrity] = useState<EvidenceIntegrityView[]>([]);
  const [jobs, setJobs] = useState<ImportJob[]>([]);
  const [typedPath, setTypedPath] = useState("");
  // Empty takes the case's default time zone, else UTC.
  const [zone, setZone] = useState("");
  const [year, setYear] = useState("");
  // The analysis and the verification, one at a time, under the toolbar.
  const caseJob = useJob(onError);
  const [hovering, setHovering] = useState(false);
  // Jobs run one after another. The queue is a ref, so a loop already running picks up new files.
  const queue = useRef<ImportJob[]>([]);
  const running = useRef(false);

  const refresh = useCallback(() => {
    listEvidence().then(setEvidence, onError);
    evidenceIntegrity().then(setIntegrity, onError);
  }, [onError]);

  const verify = async () => {
    const verified = await caseJob.run("verification", verifyEvidence);
    if (verified !== null) setIntegrity(verified);
  };

  useEffect(refresh, [refresh]);

  const updateJob = (id: string, change: Partial<ImportJob>) =>
    setJobs((current) => current.map((job) => (job.id === id ? { ...job, ...change } : job)));

  const runQueue = async (request: ImportRequest) => {
    if (running.current) return;
    running.current = true;
    while (queue.current.length > 0) {
      const job = queue.current.shift()!;
      if (job.state === "cancelled") continue;
      updateJob(job.id, { state: "running" });
      try {
        const outcome = await importEvidence(job.path, request, job.id, (progress) =>
          updateJob(job.id, { phase: progress.phase, bytesDone: progress.bytesDone, bytesTotal: progress.bytesTotal }),
        );
        if (outcome.status === "imported") {
          updateJob(job.id, { state: "imported", message: `${outcome.evidence.format}, ${outcome.evidence.observations} observations` });
          onEvidenceChanged();
        } else {
          updateJob(job.id, {
            state: "alreadyImported",
            message: `already in the case as evidence ${outcome.evidenceId} (${outcome.earlierPath})`,
          });
        }
      } catch (raw) {
        const failure = toFailure(raw);
        updateJob(job.id, { state: failure.kind === "importCancelled" ? "cancelled" : "failed", message: failure.message });
      }
      refresh();
    }
    running.current = false;
  };

  const enqueue = (paths: string[]) => {
    const yearNumber = year.trim() === "" ? null : Number(year.trim());
    if (yearNumber !== null && !Number.isInteger(yearNumber)) {
      onError({ kind: "invalidInput", message: `invalid year: '${year}' is not a whole number; leave it empty to use each file's date`, context: { field: "year" } });
      return;
    }
    const request: ImportRequest = { zone: zone.trim(), year: yearNumber };
    const added = paths.map<ImportJob>((path) => ({
      id: `import-${nextJob++}`,
      path,
      state: "queued",
      phase: null,
      bytesDone: 0,
      bytesTotal: 0,
      message: null,
    }));
    queue.current.push(...added);
    setJobs((current) => [...added, ...current]);
    void runQueue(request);
  };

  // The drop listener lives as long as the view. It calls the latest enqueue, so dropped
  // files use the time zone and year shown when they are dropped.
  const enqueueLatest = useRef(enqueue);
  enqueueLatest.current = enqueue;
  useEffect(() => {
    let unlisten: (() => void) | null = null;
    let mounted = true;
    listenForDroppedFiles(setHovering, (paths) => enqueueLatest.current(paths)).then(
      (stop) => (mounted ? (unlisten = stop) : stop()),
      onError,
    );
    return () => {
      mounted = false;
      unlisten?.();
    };
  }, [onError]);

  const addFiles = async () => {
    try {
      const paths = await chooseEvidenceFiles();
      if (paths.length > 0) enqueue(paths);
    } catch (raw) {
      onError(raw);
    }
  };

  const addTyped = () => {
    const paths = typedPath
      .split("\n")
      .map((path) => path.trim())
      .filter((path) => path !== "");
    if (paths.length === 0) return;
    setTypedPath("");
    enqueue(paths);
  };

  const cancel = async (job: ImportJob) => {
    if (job.state === "queued") {
      const queued = queue.current.find((entry) => entry.id === job.id);
      if (queued) queued.state = "cancelled";
      updateJob(job.id, { state: "cancelled", message: "not started" });
      return;
    }
    try {
      await cancelJob(job.id);
    } catch (raw) {
      onError(raw);
    }
  };

  const analyze = async () => {
    if ((await caseJob.run("analysis", analyzeCase)) !== null) onAnalyzed();
  };
  const verifying = caseJob.running?.kind === "verification";
  const analyzing = caseJob.running?.kind === "analysis";

  const importing = jobs.some((job) => job.state === "running" || job.state === "queued");

  return (
    <div className={hovering ? "evidence dropping" : "evidence"} data-testid="evidence-view">
      {hovering && (
        <div className="drop-hint" role="status">
          Drop captures and firewall logs to import them
        </div>
      )}
      <section className="toolbar card">
        <div className="toolbar-row">
          <button type="button" onClick={addFiles} data-testid="add-files">
            Add files…
          </button>
          <label htmlFor="import-zone">Time zone</label>
          <input
            id="import-zone"
            className="narrow"
            data-testid="import-zone"
            value={zone}
            onChange={(event) => setZone(event.target.value)}
            placeholder={defaultZone ?? "UTC"}
            title="IANA time zone of log timestamps that carry no offset; empty takes the case's default time zone (Settings), else UTC"
          />
          <label htmlFor="import-year">Year</label>
          <input
            id="import-year"
            className="narrow"
            data-testid="import-year"
            value={year}
            onChange={(event) => setYear(event.target.value)}
            placeholder="from file date"
            title="Year of log timestamps that carry none (RFC 3164 syslog); empty takes each file's modification date"
          />
          <span className="spacer" />
          <button
            type="button"
            className="secondary"
            onClick={verify}
            disabled={caseJob.running !== null || importing || evidence.length === 0}
            data-testid="verify-evidence"
            title="Re-hash every evidence file and compare it with the SHA-256 taken at import"
          >
            {verifying ? "Verifying…" : "Verify"}
          </button>
          <button type="button" onClick={analyze} disabled={caseJob.running !== null || importing || evidence.length === 0} data-testid="analyze">
            {analyzing ? "Analyzing…" : "Analyze evidence"}
          </button>
        </div>
        <div className="toolbar-row">
          <label htmlFor="import-path">Path</label>
          <textarea
            id="import-path"
            rows={1}
            data-testid="import-path"
            value={typedPath}
            onChange={(event) => setTypedPath(event.target.value)}
            placeholder="or type or paste evidence paths, one a line, or drop files on the window"
            spellCheck={false}
          />
          <button type="button" className="secondary" onClick={addTyped} data-testid="import-typed">
            Import
          </button>
        </div>
        <JobStatus job={caseJob} label={caseJob.running?.kind === "verification" ? "Verification" : "Analysis"} />
      </section>

      {jobs.length > 0 && (
        <section className="card jobs" aria-label="Imports">
          <h2>Imports</h2>
          <ul>
            {jobs.map((job) => (
              <li key={job.id} className={`job job-${job.state}`} data-testid="import-job" data-state={job.state}>
                <span className="job-name" title={job.path}>
                  {fileName(job.path)}
                </span>
                <progress max={job.bytesTotal || 1} value={jobProgress(job)} aria-label={`Progress of ${fileName(job.path)}`} />
                <span className="job-status">{describeJob(job)}</span>
                {(job.state === "running" || job.state === "queued") && (
                  <button type="button" className="secondary small" onClick={() => cancel(job)}>
                    Cancel
                  </button>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}

      <section className="evidence-list" aria-label="Evidence files">
        {evidence.length === 0 && <p className="empty">No evidence yet. Add packet captures or firewall logs.</p>}
        {evidence.map((record) => (
          <EvidenceCard key={record.id} record={record}>
            <IntegrityPanel
              evidenceId={record.id}
              integrity={integrity.find((item) => item.evidenceId === record.id)}
              readOnly={readOnly}
              onChanged={setIntegrity}
              onError={onError}
            />
          </EvidenceCard>
        ))}
      </section>
    </div>
  );
}

function jobProgress(job: ImportJob): number {
  if (job.state === "imported" || job.state === "alreadyImported") return job.bytesTotal || 1;
  // One pass over the file: the SHA-256 is taken while it is read.
  if (job.bytesTotal === 0) return 0;
  return job.bytesDone;
}

function describeJob(job: ImportJob): string {
  switch (job.state) {
    case "queued":
      return "waiting";
    case "running":
      return job.phase === null ? "starting" : `${job.phase} ${formatBytes(job.bytesDone)} of ${formatBytes(job.bytesTotal)}`;
    case "imported":
      return `imported: ${job.message ?? ""}`;
    case "alreadyImported":
      return `not imported again: ${job.message ?? ""}`;
    case "failed":
      return `rejected: ${job.message ?? ""}`;
    case "cancelled":
      return `cancelled: ${job.message ?? "nothing was written"}`;
  }
}

function EvidenceCard({ record, children }: { record: EvidenceView; children: ReactNode }) {
  const skipped = record.skipped.reduce((sum, entry) => sum + entry.count, 0);
  return (
    <article className="card evidence-card" data-testid="evidence-card">
      <header>
        <h2 title={record.path}>{fileName(record.path)}</h2>
        <span className="badge">{record.kind === "capture" ? "capture" : "firewall log"}</span>
        <span className="badge">{record.format}</span>
      </header>
      <dl className="facts">
        <dt>Path</dt>
        <dd className="mono">{record.path}</dd>
        <dt>SHA-256</dt>
        <dd className="mono" data-testid="evidence-sha256">
          {record.sha256}
        </dd>
        <dt>Size</dt>
        <dd>{formatBytes(record.sizeBytes)}</dd>
        <dt>Time span</dt>
        <dd>
          {shortTime(record.firstSeen)} to {shortTime(record.lastSeen)}
        </dd>
        <dt>Counts</dt>
        <dd>
          {record.records} records, {record.observations} observations, {skipped} skipped, {record.anomaliesTotal} anomalies
        </dd>
        {record.timeAssumption !== null && (
          <>
            <dt>Time assumption</dt>
            <dd>{record.timeAssumption}</dd>
          </>
        )}
        <dt>Imported</dt>
        <dd>
          {shortTime(record.importedAt)}
          {record.importedBy !== null && ` by ${record.importedBy}`}
        </dd>
      </dl>
      {children}
      {record.skipped.length > 0 && (
        <details>
          <summary>Skipped records by reason</summary>
          <ul>
            {record.skipped.map((entry) => (
              <li key={entry.reason}>
                {entry.count} × {entry.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
      {record.anomalies.length > 0 && (
        <details>
          <summary>
            Anomalies ({record.anomaliesTotal}
            {record.anomaliesTotal > record.anomalies.length && `, first ${record.anomalies.length} shown`})
          </summary>
          <ul className="anomalies">
            {record.anomalies.map((anomaly) => (
              <li key={`${anomaly.record}-${anomaly.byteOffset}`}>
                record {anomaly.record} (byte {anomaly.byteOffset}): {anomaly.message}
              </li>
            ))}
          </ul>
        </details>
      )}
    </article>
  );
}
