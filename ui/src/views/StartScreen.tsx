// Start screen: create a case or open one. Paths can be typed or chosen in a dialog.

import { useState, type FormEvent } from "react";
import { createCase, openCase } from "../api/commands";
import { chooseCaseToOpen, chooseNewCasePath } from "../api/dialogs";
import type { CaseSummary } from "../api/types";
import { fileStem } from "../format";

interface Props {
  onOpened: (summary: CaseSummary) => void;
  onError: (raw: unknown) => void;
}

export function StartScreen({ onOpened, onError }: Props) {
  const [newPath, setNewPath] = useState("");
  const [name, setName] = useState("");
  const [examiner, setExaminer] = useState("");
  const [openPath, setOpenPath] = useState("");
  const [busy, setBusy] = useState(false);

  const run = async (step: () => Promise<CaseSummary>) => {
    setBusy(true);
    try {
      onOpened(await step());
    } catch (raw) {
      onError(raw);
    } finally {
      setBusy(false);
    }
  };

  const onCreate = (event: FormEvent) => {
    event.preventDefault();
    run(() => createCase(newPath.trim(), name, examiner.trim() === "" ? null : examiner.trim()));
  };

  const onOpen = (event: FormEvent) => {
    event.preventDefault();
    run(() => openCase(openPath.trim()));
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
    <div className="start">
      <section className="card">
        <h1>New case</h1>
        <p className="hint">A case is one file that holds the evidence records, findings, report and audit log.</p>
        <form onSubmit={onCreate} data-testid="new-case-form">
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
          <label htmlFor="new-case-name">Case name</label>
          <input id="new-case-name" data-testid="new-case-name" value={name} onChange={(event) => setName(event.target.value)} />
          <label htmlFor="new-case-examiner">Examiner</label>
          <input
            id="new-case-examiner"
            data-testid="new-case-examiner"
            value={examiner}
            onChange={(event) => setExaminer(event.target.value)}
          />
          <button type="submit" disabled={busy} data-testid="create-case">
            Create case
          </button>
        </form>
      </section>
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
    </div>
  );
}
