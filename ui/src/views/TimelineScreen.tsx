// Timeline view: the findings of the latest analysis and the examiner's response events in
// time order, grouped by UTC day, filtered by source and target address.

import { useEffect, useMemo, useState, type KeyboardEvent } from "react";
import { caseTimeline, type TimelineEntry, type TimelineView } from "../api/workspace";
import { shortTime } from "../format";
import { addressesOf, filterTimeline, groupByDay } from "../timeline";

interface Props {
  onError: (raw: unknown) => void;
}

/** Entries the arrow keys move the focus by. */
const ENTRY_STEPS: Record<string, number> = { ArrowDown: 1, ArrowUp: -1 };

/** Moves the focus to the previous or next entry with the arrow keys. */
function onEntryKey(event: KeyboardEvent<HTMLLIElement>) {
  const step = ENTRY_STEPS[event.key];
  if (step === undefined) return;
  event.preventDefault();
  const entries = Array.from(document.querySelectorAll<HTMLElement>("[data-testid=timeline-entry]"));
  const index = entries.indexOf(event.currentTarget);
  entries[index + step]?.focus();
}

export function TimelineScreen({ onError }: Props) {
  const [view, setView] = useState<TimelineView | null>(null);
  const [source, setSource] = useState("");
  const [target, setTarget] = useState("");

  useEffect(() => {
    caseTimeline().then(setView, onError);
  }, [onError]);

  const entries = useMemo(() => filterTimeline(view?.entries ?? [], { source, target }), [view, source, target]);
  const groups = useMemo(() => groupByDay(entries), [entries]);

  if (view === null) return <p className="empty">Loading the timeline…</p>;

  return (
    <div className="timeline-view" data-testid="timeline-view">
      <section className="toolbar card">
        <div className="toolbar-row">
          <label htmlFor="timeline-source">Source</label>
          <input
            id="timeline-source"
            data-testid="timeline-source"
            list="timeline-sources"
            value={source}
            onChange={(event) => setSource(event.target.value)}
            placeholder="address or part of one"
            spellCheck={false}
          />
          <label htmlFor="timeline-target">Target</label>
          <input
            id="timeline-target"
            data-testid="timeline-target"
            list="timeline-targets"
            value={target}
            onChange={(event) => setTarget(event.target.value)}
            placeholder="address or part of one"
            spellCheck={false}
          />
          <datalist id="timeline-sources">
            {addressesOf(view.entries, "sources").map((address) => (
              <option key={address} value={address} />
            ))}
          </datalist>
          <datalist id="timeline-targets">
            {addressesOf(view.entries, "targets").map((address) => (
              <option key={address} value={address} />
            ))}
          </datalist>
          <span className="hint">
            {entries.length} of {view.entries.length} entries · times in UTC
          </span>
        </div>
      </section>
      {!view.analyzed && <p className="empty">The evidence has not been analyzed yet, so the timeline has no findings.</p>}
      {view.analyzed && view.entries.length === 0 && <p className="empty">No findings and no response events.</p>}
      {groups.map((group) => (
        <section key={group.day} className="card timeline-day" aria-label={`Entries of ${group.day}`}>
          <h2>{group.day}</h2>
          <ol className="timeline">
            {group.entries.map((entry) => (
              <TimelineItem key={`${entry.kind}-${entry.id}`} entry={entry} />
            ))}
          </ol>
        </section>
      ))}
    </div>
  );
}

function TimelineItem({ entry }: { entry: TimelineEntry }) {
  return (
    <li className={`timeline-entry entry-${entry.kind}`} tabIndex={0} data-testid="timeline-entry" data-kind={entry.kind} onKeyDown={onEntryKey}>
      <span className="timeline-time mono">
        {shortTime(entry.at).slice(11)}
        {entry.until !== null && entry.until !== entry.at && ` to ${shortTime(entry.until).slice(11)}`}
      </span>
      <span className="timeline-body">
        <span className="timeline-title">
          <span className="badge">{entry.kind === "finding" ? entry.id : "response"}</span> {entry.title}
          {entry.severityLevel !== null && (
            <span className={`level level-${entry.severityLevel.toLowerCase()}`}> {entry.severityLevel}</span>
          )}
          {entry.suppressed !== null && <span className="suppressed"> suppressed</span>}
        </span>
        {entry.kind === "finding" && (
          <span className="timeline-addresses mono">
            {entry.sources.join(", ")} → {entry.targets.length <= 4 ? entry.targets.join(", ") : `${entry.targets.slice(0, 4).join(", ")} and ${entry.targets.length - 4} more`}
          </span>
        )}
        <span className="timeline-detail">{entry.detail}</span>
      </span>
    </li>
  );
}
