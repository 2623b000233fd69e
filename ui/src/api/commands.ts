// Typed wrappers for every command of the app. Components call these functions and never
// name a command themselves.

import { Channel, invoke } from "@tauri-apps/api/core";
import type {
  AnalysisSummary,
  CaseSummary,
  CommandErrorValue,
  EvidenceView,
  ExportFormat,
  ExportResult,
  FindingsView,
  ImportOutcome,
  ImportProgress,
  ImportRequest,
  ReportView,
} from "./types";

/** A failed command. `kind` names the failure, as listed in src-tauri/src/error.rs. */
export class CommandFailure extends Error {
  readonly kind: string;
  readonly context: Record<string, string>;

  constructor(value: CommandErrorValue) {
    super(value.message);
    this.name = "CommandFailure";
    this.kind = value.kind;
    this.context = value.context;
  }
}

function isCommandErrorValue(value: unknown): value is CommandErrorValue {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { kind?: unknown }).kind === "string" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

/** Turns whatever a command rejected with into a CommandFailure. */
export function toFailure(raw: unknown): CommandFailure {
  if (raw instanceof CommandFailure) return raw;
  if (isCommandErrorValue(raw)) return new CommandFailure({ ...raw, context: raw.context ?? {} });
  const message = raw instanceof Error ? raw.message : String(raw);
  return new CommandFailure({ kind: "ipc", message, context: {} });
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    throw toFailure(raw);
  }
}

export function createCase(path: string, name: string, examiner: string | null): Promise<CaseSummary> {
  return call("create_case", { path, name, examiner });
}

export function openCase(path: string): Promise<CaseSummary> {
  return call("open_case", { path });
}

export function closeCase(): Promise<void> {
  return call("close_case");
}

export function caseSummary(): Promise<CaseSummary | null> {
  return call("case_summary");
}

/** Imports one file by path; `onProgress` receives the reading progress. */
export function importEvidence(
  path: string,
  options: ImportRequest,
  jobId: string,
  onProgress: (progress: ImportProgress) => void,
): Promise<ImportOutcome> {
  const channel = new Channel<ImportProgress>();
  channel.onmessage = onProgress;
  return call("import_evidence", { path, options, jobId, onProgress: channel });
}

/** Asks a running import to stop; resolves to false when the job is not running. */
export function cancelImport(jobId: string): Promise<boolean> {
  return call("cancel_import", { jobId });
}

export function listEvidence(): Promise<EvidenceView[]> {
  return call("list_evidence");
}

export function analyzeCase(): Promise<AnalysisSummary> {
  return call("analyze_case");
}

export function listFindings(): Promise<FindingsView> {
  return call("list_findings");
}

export function draftReport(): Promise<ReportView> {
  return call("draft_report");
}

export function exportReport(format: ExportFormat, path: string): Promise<ExportResult> {
  return call("export_report", { format, path });
}
