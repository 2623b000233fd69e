// Response and request types of the app's commands. They mirror src-tauri/src/dto.rs and
// src-tauri/src/error.rs field by field (camelCase) and must change with them.

export interface CaseSummary {
  path: string;
  name: string;
  examiner: string | null;
  createdAt: string;
  createdByVersion: string;
  readOnlyReason: string | null;
  evidenceCount: number;
}

export interface ImportRequest {
  /** IANA time zone for log timestamps that carry none. */
  zone: string;
  /** Year for log timestamps that carry none; null takes it from the file's date. */
  year: number | null;
}

export interface ImportProgress {
  jobId: string;
  phase: "reading";
  bytesDone: number;
  bytesTotal: number;
}

export type ImportOutcome =
  | { status: "imported"; evidence: EvidenceView }
  | { status: "alreadyImported"; evidenceId: number; earlierPath: string };

export interface AnomalyView {
  record: number;
  byteOffset: number;
  message: string;
}

export interface EvidenceView {
  id: number;
  path: string;
  kind: string;
  format: string;
  sizeBytes: number;
  sha256: string;
  importedAt: string;
  importedBy: string | null;
  firstSeen: string | null;
  lastSeen: string | null;
  records: number;
  observations: number;
  skipped: { reason: string; count: number }[];
  anomaliesTotal: number;
  anomalies: AnomalyView[];
  timeAssumption: string | null;
  verification: "match" | "mismatch" | "missing" | null;
}

export interface AnalysisSummary {
  contacts: number;
  findings: number;
}

export interface OutcomeCounts {
  open: number;
  closed: number;
  filtered: number;
  blocked: number;
  unanswered: number;
}

export interface CitationView {
  evidenceId: number;
  record: number;
  byteOffset: number;
  excerpt: string;
}

export interface FindingView {
  id: string;
  kind: string;
  technique: string;
  sources: string[];
  targets: string[];
  ports: number[];
  firstSeen: string;
  lastSeen: string;
  probes: number;
  contacts: number;
  outcomes: OutcomeCounts;
  severityScore: number;
  severityLevel: string;
  severityExplanation: string;
  confidence: number;
  confidenceExplanation: string;
  attack: string[];
  explanation: string;
  openPorts: { target: string; port: number }[];
  medianGapMs: number | null;
  citationsTotal: number;
  citations: CitationView[];
  decoys: string[];
  fingerprint: { tool: string; matched: string[] } | null;
  suppressed: string | null;
  internalSource: boolean;
  regularTiming: boolean | null;
  hostDiscovery: string | null;
}

export interface FindingsView {
  analyzed: boolean;
  analyzedAt: string | null;
  findings: FindingView[];
}

export type BlockView =
  | { type: "subheading"; text: string }
  | { type: "paragraph"; text: string }
  | { type: "fields"; fields: [string, string][] }
  | { type: "table"; columns: string[]; rows: string[][] }
  | { type: "list"; items: string[] }
  | { type: "examinerEntry"; label: string; guidance: string; value: string | null }
  | { type: "chart"; findingId: string; probesTotal: number };

export interface SectionView {
  title: string;
  blocks: BlockView[];
}

export interface ReportView {
  title: string;
  examiner: string | null;
  generatedAt: string;
  sections: SectionView[];
  pendingEntries: string[];
}

export type ExportFormat = "pdf" | "markdown";

export interface ExportResult {
  path: string;
  sizeBytes: number;
}

/** The error every command rejects with. */
export interface CommandErrorValue {
  kind: string;
  message: string;
  context: Record<string, string>;
}
