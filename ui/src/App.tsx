// The app's frame: the start screen when no case is open, else the case header (with the
// organisation and classification label), the view tabs and the current view.

import { useCallback, useEffect, useState } from "react";
import { caseSummary, closeCase, CommandFailure, toFailure } from "./api/commands";
import type { CaseSummary } from "./api/types";
import { caseSettings, type SettingsView } from "./api/workspace";
import { ErrorBanner } from "./components/ErrorBanner";
import { EvidenceScreen } from "./views/EvidenceScreen";
import { FindingsScreen } from "./views/FindingsScreen";
import { ReportScreen } from "./views/ReportScreen";
import { SettingsScreen } from "./views/SettingsScreen";
import { StartScreen } from "./views/StartScreen";
import { TimelineScreen } from "./views/TimelineScreen";
import "./views/workspace.css";

type Tab = "evidence" | "findings" | "timeline" | "report" | "settings";

const TABS: { id: Tab; label: string }[] = [
  { id: "evidence", label: "Evidence" },
  { id: "findings", label: "Findings" },
  { id: "timeline", label: "Timeline" },
  { id: "report", label: "Report" },
  { id: "settings", label: "Settings" },
];

export function App() {
  const [openCase, setOpenCase] = useState<CaseSummary | null>(null);
  const [tab, setTab] = useState<Tab>("evidence");
  const [error, setError] = useState<CommandFailure | null>(null);
  const [settings, setSettings] = useState<SettingsView | null>(null);
  // Set when evidence was added after the latest analysis, so the findings view offers a re-run.
  const [analysisStale, setAnalysisStale] = useState(false);

  const showError = useCallback((raw: unknown) => setError(toFailure(raw)), []);

  useEffect(() => {
    caseSummary().then(setOpenCase, showError);
  }, [showError]);

  const openPath = openCase?.path ?? null;
  useEffect(() => {
    setSettings(null);
    if (openPath !== null) caseSettings().then(setSettings, showError);
  }, [openPath, showError]);

  const onCaseOpened = (summary: CaseSummary) => {
    setOpenCase(summary);
    setTab("evidence");
    setError(null);
    setAnalysisStale(false);
  };

  const onClose = async () => {
    try {
      await closeCase();
      setOpenCase(null);
    } catch (raw) {
      showError(raw);
    }
  };

  return (
    <div className="app">
      <header className="app-header">
        <span className="brand">scancase</span>
        {openCase !== null && (
          <>
            <span className="case-title" data-testid="case-title" title={openCase.path}>
              {openCase.name}
            </span>
            {settings?.classification != null && (
              <span className="classification-badge" data-testid="case-classification">
                {settings.classification}
              </span>
            )}
            <span className="case-meta" data-testid="case-meta">
              {settings?.organisation != null && `${settings.organisation} · `}
              {(settings?.examiner ?? openCase.examiner) !== null ? `Examiner: ${settings?.examiner ?? openCase.examiner}` : "No examiner recorded"}
              {openCase.readOnlyReason !== null && ` · read-only (${openCase.readOnlyReason})`}
            </span>
            <nav className="tabs" aria-label="Case views">
              {TABS.map(({ id, label }) => (
                <button
                  key={id}
                  type="button"
                  className={tab === id ? "tab active" : "tab"}
                  aria-current={tab === id ? "page" : undefined}
                  data-testid={`tab-${id}`}
                  onClick={() => setTab(id)}
                >
                  {label}
                </button>
              ))}
            </nav>
            <button type="button" className="secondary" onClick={onClose} data-testid="close-case">
              Close case
            </button>
          </>
        )}
      </header>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <main className="app-main">
        {openCase === null && <StartScreen onOpened={onCaseOpened} onError={showError} />}
        {openCase !== null && tab === "evidence" && (
          <EvidenceScreen
            defaultZone={settings?.defaultZone ?? null}
            readOnly={openCase.readOnlyReason !== null}
            onError={showError}
            onEvidenceChanged={() => setAnalysisStale(true)}
            onAnalyzed={() => {
              setAnalysisStale(false);
              setTab("findings");
            }}
          />
        )}
        {openCase !== null && tab === "findings" && (
          <FindingsScreen
            stale={analysisStale}
            readOnly={openCase.readOnlyReason !== null}
            onAnalyzed={() => setAnalysisStale(false)}
            onError={showError}
          />
        )}
        {openCase !== null && tab === "timeline" && <TimelineScreen onError={showError} />}
        {openCase !== null && tab === "settings" && <SettingsScreen onSaved={setSettings} onError={showError} />}
        {openCase !== null && tab === "report" && <ReportScreen casePath={openCase.path} onError={showError} />}
      </main>
    </div>
  );
}
