// Typed wrappers for every command of the app. Components call these functions and never
// name a command themselves.

import { Channel, invoke } from "@tauri-apps/api/core";
import type {
  AnalysisSummary,
  CaseSummary,
  CommandErrorValue,
  EvidenceView,
  FindingsView,
  ImportOutcome,
  ImportProgress,
  ImportRequest,
  JobProgress,
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

/** Runs a command, turning its rejection into a CommandFailure. */
export async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
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

/**
 * Asks a running import, analysis, verification or export to stop; resolves to false when
 * the job is not running.
 */
export function cancelJob(jobId: string): Promise<boolean> {
  return call("cancel_job", { jobId });
}

/** Makes the channel a job command sends its progress over. */
export function progressChannel(onProgress: (progress: JobProgress) => void): Channel<JobProgress> {
  const channel = new Channel<JobProgress>();
  channel.onmessage = onProgress;
  return channel;
}

export function listEvidence(): Promise<EvidenceView[]> {
  return call("list_evidence");
}

/** Analyzes the case; `cancelJob(jobId)` stops it before the findings are stored. */
export function analyzeCase(jobId: string, onProgress: (progress: JobProgress) => void): Promise<AnalysisSummary> {
  return call("analyze_case", { jobId, onProgress: progressChannel(onProgress) });
}

export function listFindings(): Promise<FindingsView> {
  return call("list_findings");
}
