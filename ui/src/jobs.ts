// Long jobs besides imports (the analysis, evidence verification, report exports): the parts
// each runs through, their labels, and how far a job has come over all its parts. The back
// end sends a JobProgress for each part as it starts and, while verifying evidence, for the
// bytes hashed.

import type { JobProgress } from "./api/types";
import { formatBytes } from "./format";

export type JobPart = JobProgress["part"];

/** The parts of each kind of job, in the order the back end runs them. */
export const JOB_PARTS = {
  analysis: ["readingContacts", "detectingScans", "storingFindings"],
  verification: ["verifyingEvidence"],
  export: ["verifyingEvidence", "draftingReport", "renderingReport", "writingReport"],
} as const satisfies Record<string, readonly JobPart[]>;

export type JobKind = keyof typeof JOB_PARTS;

const PART_LABELS: Record<JobPart, string> = {
  readingContacts: "reading contacts",
  detectingScans: "detecting scans",
  storingFindings: "storing findings",
  verifyingEvidence: "verifying evidence",
  draftingReport: "drafting the report",
  renderingReport: "rendering the report",
  writingReport: "writing the file",
};

/** Returns the label of a part, as the progress line shows it. */
export function partLabel(part: JobPart): string {
  return PART_LABELS[part];
}

/**
 * Returns how far a job has come, from 0 to 1: the parts done plus the share of the running
 * part. A part the job does not list counts as not started.
 */
export function jobFraction(kind: JobKind, progress: JobProgress | null): number {
  if (progress === null) return 0;
  const parts: readonly JobPart[] = JOB_PARTS[kind];
  const index = parts.indexOf(progress.part);
  if (index < 0) return 0;
  const within = progress.total > 0 ? Math.min(progress.done / progress.total, 1) : 0;
  return (index + within) / parts.length;
}

/** Describes the running part, for example "step 2 of 3: detecting scans". */
export function describeJob(kind: JobKind, progress: JobProgress | null): string {
  if (progress === null) return "starting";
  const parts: readonly JobPart[] = JOB_PARTS[kind];
  const index = parts.indexOf(progress.part);
  const step = parts.length > 1 && index >= 0 ? `step ${index + 1} of ${parts.length}: ` : "";
  const bytes =
    progress.part === "verifyingEvidence" && progress.total > 0
      ? ` ${formatBytes(progress.done)} of ${formatBytes(progress.total)}`
      : "";
  return `${step}${partLabel(progress.part)}${bytes}`;
}

let nextJob = 1;

/** Returns a job id unique in this window, such as `analysis-3`. */
export function newJobId(kind: JobKind): string {
  return `${kind}-${nextJob++}`;
}
