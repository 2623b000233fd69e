// Typed wrappers for the workspace commands: new case and recent cases, case settings,
// chain of custody and verification, a finding's probe chart, the allowlist and the
// timeline. The request and response types are generated from the Rust types
// (src-tauri/src/workspace_dto.rs) into ./generated.

import { call, progressChannel } from "./commands";
import type { CaseSummary, JobProgress } from "./types";
import type { AllowlistView } from "./generated/AllowlistView";
import type { CustodyRequest } from "./generated/CustodyRequest";
import type { EvidenceIntegrityView } from "./generated/EvidenceIntegrityView";
import type { NewCaseRequest } from "./generated/NewCaseRequest";
import type { ProbeChartView } from "./generated/ProbeChartView";
import type { RecentCaseView } from "./generated/RecentCaseView";
import type { SettingsRequest } from "./generated/SettingsRequest";
import type { SettingsView } from "./generated/SettingsView";
import type { TimelineView } from "./generated/TimelineView";

export type {
  AllowlistView,
  CustodyRequest,
  EvidenceIntegrityView,
  NewCaseRequest,
  ProbeChartView,
  RecentCaseView,
  SettingsRequest,
  SettingsView,
  TimelineView,
};
export type { ChartPoint } from "./generated/ChartPoint";
export type { CustodyView } from "./generated/CustodyView";
export type { ParameterView } from "./generated/ParameterView";
export type { TimelineEntry } from "./generated/TimelineEntry";
export type { VerificationView } from "./generated/VerificationView";

/** Creates a case with the new-case form's settings and adds it to the recent cases. */
export function createCaseWithSettings(request: NewCaseRequest): Promise<CaseSummary> {
  return call("create_case_with_settings", { request });
}

/** Opens a case and adds it to the recent cases. */
export function openCaseAndRemember(path: string): Promise<CaseSummary> {
  return call("open_case_and_remember", { path });
}

export function listRecentCases(): Promise<RecentCaseView[]> {
  return call("list_recent_cases");
}

/** Removes a case from the recent cases; the case file stays where it is. */
export function forgetRecentCase(path: string): Promise<RecentCaseView[]> {
  return call("forget_recent_case", { path });
}

export function caseSettings(): Promise<SettingsView> {
  return call("case_settings");
}

/** Saves the settings form; the back end writes and audits only what changed. */
export function updateCaseSettings(request: SettingsRequest): Promise<SettingsView> {
  return call("update_case_settings", { request });
}

export function evidenceIntegrity(): Promise<EvidenceIntegrityView[]> {
  return call("evidence_integrity");
}

export function addCustodyEntry(evidenceId: number, entry: CustodyRequest): Promise<EvidenceIntegrityView[]> {
  return call("add_custody_entry", { evidenceId, entry });
}

/**
 * Re-hashes every evidence file in the back end, off the window's thread; `cancelJob(jobId)`
 * stops it and nothing is stored.
 */
export function verifyEvidence(jobId: string, onProgress: (progress: JobProgress) => void): Promise<EvidenceIntegrityView[]> {
  return call("verify_evidence", { jobId, onProgress: progressChannel(onProgress) });
}

export function findingProbeChart(findingId: string): Promise<ProbeChartView> {
  return call("finding_probe_chart", { findingId });
}

export function listAllowlist(): Promise<AllowlistView[]> {
  return call("list_allowlist");
}

export function allowSource(network: string, reason: string): Promise<AllowlistView[]> {
  return call("allow_source", { network, reason });
}

export function disallowSource(network: string): Promise<AllowlistView[]> {
  return call("disallow_source", { network });
}

export function caseTimeline(): Promise<TimelineView> {
  return call("case_timeline");
}
