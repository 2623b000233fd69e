// Request and response types of the app's commands. ts-rs writes the declarations in
// ./generated from the Rust types in src-tauri/src/dto.rs and error.rs (see
// src-tauri/src/bindings.rs); this file gathers them under one import path.

export type { AnalysisSummary } from "./generated/AnalysisSummary";
export type { AnomalyView } from "./generated/AnomalyView";
export type { CaseSummary } from "./generated/CaseSummary";
export type { CitationView } from "./generated/CitationView";
export type { CommandErrorPayload as CommandErrorValue } from "./generated/CommandErrorPayload";
export type { EvidenceView } from "./generated/EvidenceView";
export type { ExtraActivityView } from "./generated/ExtraActivityView";
export type { FindingView } from "./generated/FindingView";
export type { FindingsView } from "./generated/FindingsView";
export type { FingerprintView } from "./generated/FingerprintView";
export type { ImportOutcome } from "./generated/ImportOutcome";
export type { ImportProgress } from "./generated/ImportProgress";
export type { ImportRequest } from "./generated/ImportRequest";
export type { JobProgress } from "./generated/JobProgress";
export type { OpenPortView } from "./generated/OpenPortView";
export type { OutcomeCountsView } from "./generated/OutcomeCountsView";
export type { SkippedCount } from "./generated/SkippedCount";
