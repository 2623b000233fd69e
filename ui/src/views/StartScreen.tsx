// Start screen: create a case with its settings, open a case, or reopen a recent one.
// Paths can be typed or chosen in a dialog.

import { useCallback, useEffect, useState, type FormEvent } from "react";
import { chooseCaseToOpen, chooseNewCasePath } from "../api/dialogs";
import type { CaseSummary } from "../api/types";
import {
  createCaseWithSettings,
  forgetRecentCase,
  listRecentCases,
  openCaseAndRemember,
  type RecentCaseView,
} from "../api/workspace";
import { fileStem, shortTime } from "../format";
import { CLASSIFICATION_LABELS, isNetwork, networkLines } from "../settingsForm";

interface Props {
  onOpened: (summary: CaseSummary) => void;
  onError: (raw: unknown) => void;
}

export function StartScreen({ onOpened, onError }: Props) {
  const [newPath, setNewPath] = useState("");
  const [name, setName] = useState("");
  const [examiner, setExaminer] = useState("");
  const [organisation, setOrganisation] = useState("");
  const [classification, setClassification] = useState("");
  const [defaultZone, setDefaultZone] = useState("");
  const [internalNetworks, setInternalNetworks] = useState("");
  const [openPath, setOpenPath] = useState("");
  const [recent, setRecent] = useState<RecentCaseView[]>([]);
  const [busy, setBusy] = useState(false);

  const loadRecent = useCallback(() => {
    listRecentCases().then(setRecent, onError);
  }, [onError]);

  useEffect(loadRecent, [loadRecent]);

  const run = async (step: () => Promise<CaseSummary>) => {
    setBusy(true);
    try {
      onOpened(await step());
    } catch (raw) {
      onError(raw);
      loadRecent();
    } finally {
      setBusy(false);
    }
  };

  const onCreate = (event: FormEvent) => {
    event.preventDefault();
    const networks = networkLines(internalNetworks);
    const invalid = networks.filter((line) => !isNetwork(line));
    if (invalid.length > 0) {
      onError({
        kind: "invalidInput",
        message: `invalid internal networks: not a network: ${invalid.join(", ")}; enter addresses or CIDR such as 10.0.0.0/8`,
        context: { field: "internal networks" },
      });
      return;
    }
    run(() =>
      createCaseWithSettings({
        path: newPath.trim(),
        name,
        examiner,
        organisation,
        classification,
        defaultZone,
        internalNetworks: networks,
      }),
    );
  };

  const onOpen = (event: FormEvent) => {
    event.preventDefault();
    run(() => openCaseAndRemember(openPath.trim()));
  };

  const forget = async (path: string) => {
    try {
      setRecent(await forgetRecentCase(path));
    } catch (raw) {
      onError(raw);
    }
  };

  const browseNew = async () => {
    try {
      const chosen = await chooseNewCasePath();
      if (chosen === null) return;
      const path = chosen.endsWith(".scancase") ? chosen : `${chosen}.scancase`;
      setNewPath(path);
      if (name.trim() === "") setName(fileStem(path));
    } catch (raw) {
      onError(raw);
    }
  };

  const browseOpen = async () => {
    try {
      const chosen = await chooseCaseToOpen();
      if (chosen !== null) setOpenPath(chosen);
    } catch (raw) {
      onError(raw);
    }
  };

  return (
    <div className="start start-workspace">
      <section className="card">
        <h1>New case</h1>
        <p className="hint">A case is one file that holds the evidence records, findings, report and audit log.</p>
        <form onSubmit={onCreate} data-testid="new-case-form" className="new-case-form">
          <label htmlFor="new-case-path">Case file</label>
          <div className="path-row">
            <input
              id="new-case-path"
              data-testid="new-case-path"
              value={newPath}
              onChange={(event) => setNewPath(event.target.value)}
              placeholder="/home/examiner/cases/incident-42.scancase"
              spellCheck={false}
            />
            <button type="button" className="secondary" onClick={browseNew}>
              Choose…
            </button>
          </div>
          <div className="form-grid">
            <label htmlFor="new-case-name">Case name</label>
            <input id="new-case-name" data-testid="new-case-name" value={name} onChange={(event) => setName(event.target.value)} />
            <label htmlFor="new-case-examiner">Examiner</label>
            <input
              id="new-case-examiner"
              data-testid="new-case-examiner"
              value={examiner}
              onChange={(event) => setExaminer(event.target.value)}
            />
            <label htmlFor="new-case-organisation">Organisation</label>
            <input
              id="new-case-organisation"
              data-testid="new-case-organisation"
              value={organisation}
              onChange={(event) => setOrganisation(event.target.value)}
            />
            <label htmlFor="new-case-classification">Classification</label>
            <input
              id="new-case-classification"
              data-testid="new-case-classification"
              list="classification-labels"
              value={classification}
              onChange={(event) => setClassification(event.target.value)}
              placeholder="for example TLP:AMBER"
            />
            <label htmlFor="new-case-zone">Time zone</label>
            <input
              id="new-case-zone"
              data-testid="new-case-zone"
              value={defaultZone}
              onChange={(event) => setDefaultZone(event.target.value)}
              placeholder="UTC"
              title="Default IANA time zone of log timestamps that carry none, for example Europe/Berlin"
              spellCheck={false}
            />
            <label htmlFor="new-case-networks">Internal networks</label>
            <textarea
              id="new-case-networks"
              data-testid="new-case-networks"
              rows={2}
              value={internalNetworks}
              onChange={(event) => setInternalNetworks(event.target.value)}
              placeholder="one a line, for example 10.0.0.0/8; empty counts private ranges as internal"
              spellCheck={false}
            />
          </div>
          <datalist id="classification-labels">
            {CLASSIFICATION_LABELS.map((label) => (
              <option key={label} value={label} />
            ))}
          </datalist>
          <button type="submit" disabled={busy} data-testid="create-case">
            Create case
          </button>
        </form>
      </section>
      <div className="start-column">
        <section className="card">
          <h1>Open case</h1>
          <p className="hint">Cases made with the scancase command line open here too.</p>
          <form onSubmit={onOpen}>
            <label htmlFor="open-case-path">Case file</label>
            <div className="path-row">
              <input
                id="open-case-path"
                data-testid="open-case-path"
                value={openPath}
                onChange={(event) => setOpenPath(event.target.value)}
                placeholder="/media/usb/case.scancase"
                spellCheck={false}
              />
              <button type="button" className="secondary" onClick={browseOpen}>
                Choose…
              </button>
            </div>
            <button type="submit" disabled={busy} data-testid="open-case">
              Open case
            </button>
          </form>
        </section>
        <section className="card recent-cases" aria-label="Recent cases">
          <h2>Recent cases</h2>
          {recent.length === 0 && <p className="hint">Cases you create or open appear here.</p>}
          <ul data-testid="recent-cases">
            {recent.map((entry) => (
              <li key={entry.path} className={entry.missing ? "recent missing" : "recent"} data-testid="recent-case">
                <button
                  type="button"
                  className="link recent-open"
                  disabled={busy || entry.missing}
                  onClick={() => run(() => openCaseAndRemember(entry.path))}
                  title={entry.path}
                >
                  <span className="recent-name">{entry.name}</span>
                  <span className="recent-path mono">{entry.path}</span>
                </button>
                <span className="recent-meta">
                  {entry.missing ? <span className="badge verification-missing">file missing</span> : `opened ${shortTime(entry.openedAt).slice(0, 16)} UTC`}
                </span>
                <button
                  type="button"
                  className="secondary small"
                  onClick={() => forget(entry.path)}
                  aria-label={`Remove ${entry.name} from the recent cases`}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
        </section>
      </div>
    </div>
  );
}
