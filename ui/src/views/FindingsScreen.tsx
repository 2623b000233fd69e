// Findings view: a sortable, filterable table of the latest analysis and a detail pane for
// the selected finding, with its probe chart and allowlist actions.

import { useCallback, useEffect, useMemo, useState, type KeyboardEvent } from "react";
import { analyzeCase, listFindings } from "../api/commands";
import { JobStatus, useJob } from "../components/JobStatus";
import type { FindingView, FindingsView } from "../api/types";
import { listAllowlist, type AllowlistView } from "../api/workspace";
import { filterFindings, sortFindings, toggleSort, type SortKey, type SortOrder } from "../findings";
import { shortTime } from "../format";
import { AllowlistActions } from "./AllowlistActions";
import { ProbeChart } from "./ProbeChart";

interface Props {
  stale: boolean;
  readOnly: boolean;
  onAnalyzed: () => void;
  onError: (raw: unknown) => void;
}

const COLUMNS: { key: SortKey; label: string }[] = [
  { key: "id", label: "ID" },
  { key: "kind", label: "Kind" },
  { key: "technique", label: "Technique" },
  { key: "sources", label: "Sources" },
  { key: "targets", label: "Targets" },
  { key: "ports", label: "Ports" },
  { key: "firstSeen", label: "First probe" },
  { key: "severity", label: "Severity" },
  { key: "confidence", label: "Confidence" },
];

export function FindingsScreen({ stale, readOnly, onAnalyzed, onError }: Props) {
  const [view, setView] = useState<FindingsView | null>(null);
  const [filter, setFilter] = useState("");
  const [order, setOrder] = useState<SortOrder>({ key: "severity", descending: true });
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const analysis = useJob(onError);
  const analyzing = analysis.running !== null;
  const [allowlist, setAllowlist] = useState<AllowlistView[]>([]);
  // Set when the allowlist changed after the analysis shown, which marks findings only when it runs again.
  const [allowlistChanged, setAllowlistChanged] = useState(false);

  useEffect(() => {
    listAllowlist().then(setAllowlist, onError);
  }, [onError]);

  const load = useCallback(() => {
    listFindings().then((loaded) => {
      setView(loaded);
      setSelectedId((current) => current ?? loaded.findings[0]?.id ?? null);
    }, onError);
  }, [onError]);

  useEffect(load, [load]);

  const analyze = async () => {
    if ((await analysis.run("analysis", analyzeCase)) === null) return;
    onAnalyzed();
    setAllowlistChanged(false);
    setSelectedId(null);
    load();
  };

  const rows = useMemo(() => sortFindings(filterFindings(view?.findings ?? [], filter), order), [view, filter, order]);
  const selected = rows.find((finding) => finding.id === selectedId) ?? null;

  const onRowKey = (event: KeyboardEvent<HTMLTableRowElement>, index: number) => {
    const step = ROW_STEPS[event.key];
    if (step === undefined) return;
    event.preventDefault();
    const next = rows[index + step];
    if (next === undefined) return;
    setSelectedId(next.id);
    const sibling = step > 0 ? event.currentTarget.nextElementSibling : event.currentTarget.previousElementSibling;
    (sibling as HTMLElement | null)?.focus();
  };

  if (view === null) return <p className="empty">Loading findings…</p>;

  return (
    <div className="findings">
      <section className="toolbar card">
        <div className="toolbar-row">
          <label htmlFor="findings-filter">Filter</label>
          <input
            id="findings-filter"
            data-testid="findings-filter"
            value={filter}
            onChange={(event) => setFilter(event.target.value)}
            placeholder="address, port, technique, level…"
          />
          <span className="hint">
            {view.analyzed
              ? `${rows.length} of ${view.findings.length} findings · analysis of ${shortTime(view.analyzedAt)}`
              : "The evidence has not been analyzed yet."}
          </span>
          <span className="spacer" />
          {stale && <span className="warning">Evidence was added after this analysis.</span>}
          {allowlistChanged && (
            <span className="warning" data-testid="allowlist-stale">
              The allowlist changed: analyze again to mark the findings.
            </span>
          )}
          <button type="button" onClick={analyze} disabled={analyzing} data-testid="findings-analyze">
            {analyzeLabel(analyzing, view.analyzed)}
          </button>
        </div>
        <JobStatus job={analysis} label="Analysis" />
      </section>
      <div className="split">
        <section className="card table-pane">
          {view.analyzed && view.findings.length === 0 && <p className="empty">No scan found in the evidence.</p>}
          {rows.length > 0 && (
            <table className="findings-table" data-testid="findings-table">
              <thead>
                <tr>
                  {COLUMNS.map(({ key, label }) => (
                    <th key={key} aria-sort={ariaSort(order, key)}>
                      <button type="button" className="sort" data-testid={`sort-${key}`} onClick={() => setOrder(toggleSort(order, key))}>
                        {label}
                        {sortMark(order, key)}
                      </button>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((finding, index) => (
                  <tr
                    key={finding.id}
                    tabIndex={0}
                    className={finding.id === selectedId ? "selected" : undefined}
                    aria-selected={finding.id === selectedId}
                    data-testid="finding-row"
                    onClick={() => setSelectedId(finding.id)}
                    onFocus={() => setSelectedId(finding.id)}
                    onKeyDown={(event) => onRowKey(event, index)}
                  >
                    <td>{finding.id}</td>
                    <td>{finding.kind}</td>
                    <td>{finding.technique}</td>
                    <td className="mono">{finding.sources.join(", ")}</td>
                    <td className="mono">{summarize(finding.targets)}</td>
                    <td>{finding.ports.length}</td>
                    <td className="wrap">{shortTime(finding.firstSeen)}</td>
                    <td>
                      <span className={`level level-${finding.severityLevel.toLowerCase()}`}>
                        {finding.severityScore} {finding.severityLevel}
                      </span>
                    </td>
                    <td>{finding.confidence} %</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="card detail-pane" aria-label="Finding detail" data-testid="finding-detail">
          {selected === null ? <p className="empty">Select a finding to see its evidence.</p> : (
            <FindingDetail
              finding={selected}
              allowlist={allowlist}
              readOnly={readOnly}
              onAllowlistChanged={(changed) => {
                setAllowlist(changed);
                setAllowlistChanged(true);
              }}
              onError={onError}
            />
          )}
        </section>
      </div>
    </div>
  );
}

/** Rows the arrow keys move the selection by. */
const ROW_STEPS: Record<string, number> = { ArrowDown: 1, ArrowUp: -1 };

function analyzeLabel(analyzing: boolean, analyzed: boolean): string {
  if (analyzing) return "Analyzing…";
  return analyzed ? "Analyze again" : "Analyze evidence";
}

function ariaSort(order: SortOrder, key: SortKey): "ascending" | "descending" | "none" {
  if (order.key !== key) return "none";
  return order.descending ? "descending" : "ascending";
}

function sortMark(order: SortOrder, key: SortKey): string {
  if (order.key !== key) return "";
  return order.descending ? " ▼" : " ▲";
}

/** Lists up to three addresses and counts the rest. */
function summarize(addresses: string[]): string {
  if (addresses.length <= 3) return addresses.join(", ");
  return `${addresses.slice(0, 3).join(", ")} and ${addresses.length - 3} more`;
}

interface DetailProps {
  finding: FindingView;
  allowlist: AllowlistView[];
  readOnly: boolean;
  onAllowlistChanged: (allowlist: AllowlistView[]) => void;
  onError: (raw: unknown) => void;
}

function FindingDetail({ finding, allowlist, readOnly, onAllowlistChanged, onError }: DetailProps) {
  const outcomes = finding.outcomes;
  return (
    <div className="finding-detail">
      <h2>
        {finding.id}: {finding.kind} {finding.technique} scan
      </h2>
      {finding.suppressed !== null && (
        <p className="suppressed" data-testid="suppressed">
          Suppressed: {finding.suppressed}
        </p>
      )}
      <p className="explanation">{finding.explanation}</p>
      <dl className="facts">
        <dt>Sources</dt>
        <dd className="mono">
          {finding.sources.join(", ")}
          {finding.internalSource ? " (internal)" : " (external)"}
        </dd>
        {finding.decoys.length > 0 && (
          <>
            <dt>Decoys</dt>
            <dd className="mono">{finding.decoys.join(", ")}</dd>
          </>
        )}
        <dt>Targets</dt>
        <dd className="mono">{finding.targets.join(", ")}</dd>
        <dt>Ports</dt>
        <dd className="mono">{finding.ports.join(", ")}</dd>
        <dt>Time span</dt>
        <dd>
          {shortTime(finding.firstSeen)} to {shortTime(finding.lastSeen)}
          {finding.medianGapMs !== null && `, median gap ${finding.medianGapMs.toFixed(3)} ms`}
          {finding.regularTiming === true && ", regular gaps (a scan delay set in a tool)"}
          {finding.regularTiming === false && ", irregular gaps"}
        </dd>
        {finding.hostDiscovery !== null && (
          <>
            <dt>Host discovery</dt>
            <dd>{finding.hostDiscovery}</dd>
          </>
        )}
        {finding.fingerprint !== null && (
          <>
            <dt>Tool</dt>
            <dd data-testid="fingerprint">
              {finding.fingerprint.tool}
              {finding.fingerprint.matched.length > 0 && ` (${finding.fingerprint.matched.join(", ")})`}
            </dd>
          </>
        )}
        <dt>Probes</dt>
        <dd>
          {finding.probes} probes to {finding.contacts} (target, port) pairs: {outcomes.open} open, {outcomes.closed} closed,{" "}
          {outcomes.filtered} filtered, {outcomes.blocked} blocked, {outcomes.unanswered} unanswered
        </dd>
        <dt>Open ports</dt>
        <dd className="mono">
          {finding.openPorts.length === 0 ? "none seen" : finding.openPorts.map((open) => `${open.target}:${open.port}`).join(", ")}
        </dd>
        <dt>ATT&amp;CK</dt>
        <dd>{finding.attack.join(", ")}</dd>
      </dl>
      <h3>Probes over time</h3>
      <ProbeChart findingId={finding.id} onError={onError} />
      <h3>Allowlist</h3>
      <AllowlistActions
        key={finding.id}
        finding={finding}
        allowlist={allowlist}
        readOnly={readOnly}
        onChanged={onAllowlistChanged}
        onError={onError}
      />
      <h3>
        Severity {finding.severityScore} ({finding.severityLevel})
      </h3>
      <p>{finding.severityExplanation}</p>
      <h3>Confidence {finding.confidence} %</h3>
      <p>{finding.confidenceExplanation}</p>
      <h3>
        Citations ({finding.citations.length} of {finding.citationsTotal})
      </h3>
      <ol className="citations" data-testid="citations">
        {finding.citations.map((citation) => (
          <li key={`${citation.evidenceId}-${citation.record}-${citation.byteOffset}`}>
            <span className="locator">
              evidence {citation.evidenceId}, record {citation.record}, byte {citation.byteOffset}
            </span>
            <code className="excerpt" data-testid="citation-excerpt">
              {citation.excerpt}
            </code>
          </li>
        ))}
      </ol>
    </div>
  );
}
