// Typed wrappers for the report workspace commands (src-tauri/src/report_commands.rs) and the
// dialogs the Report view opens. The request and response types are generated from the Rust
// types into ./generated; components import them from here.

import { open, save } from "@tauri-apps/plugin-dialog";
import { call, progressChannel } from "./commands";
import type { JobProgress } from "./types";
import type { AttachRequest } from "./generated/AttachRequest";
import type { AttachmentKindName } from "./generated/AttachmentKindName";
import type { EventRequest } from "./generated/EventRequest";
import type { ReportBlock } from "./generated/ReportBlock";
import type { ReportExportFormat } from "./generated/ReportExportFormat";
import type { ReportExportResult } from "./generated/ReportExportResult";
import type { ReportWorkspace } from "./generated/ReportWorkspace";
import type { ReviewRequest } from "./generated/ReviewRequest";
import type { WithdrawRequest } from "./generated/WithdrawRequest";

export type { AttachmentView } from "./generated/AttachmentView";
export type { ChecklistItem } from "./generated/ChecklistItem";
export type { EventView } from "./generated/EventView";
export type { FindingChoice } from "./generated/FindingChoice";
export type { PhaseName } from "./generated/PhaseName";
export type { ReviewStateName } from "./generated/ReviewStateName";
export type { ReviewStepName } from "./generated/ReviewStepName";
export type { RevisionView } from "./generated/RevisionView";
export type { SectionDocument } from "./generated/SectionDocument";
export type { WithdrawalView } from "./generated/WithdrawalView";
export type {
  AttachRequest,
  AttachmentKindName,
  EventRequest,
  ReportBlock,
  ReportExportFormat,
  ReportExportResult,
  ReportWorkspace,
  ReviewRequest,
  WithdrawRequest,
};

/** Drafts the report and returns the workspace. */
export function reportWorkspace(): Promise<ReportWorkspace> {
  return call("report_workspace");
}

/** Converts Markdown into the blocks the report would show; markup stays text. */
export function previewSectionText(markdown: string): Promise<ReportBlock[]> {
  return call("preview_section_text", { markdown });
}

export function saveSectionText(section: string, markdown: string): Promise<ReportWorkspace> {
  return call("save_section_text", { section, markdown });
}

export function confirmSectionText(section: string): Promise<ReportWorkspace> {
  return call("confirm_section_text", { section });
}

export function setExaminerEntry(key: string, value: string): Promise<ReportWorkspace> {
  return call("set_examiner_entry", { key, value });
}

export function reviewReport(request: ReviewRequest): Promise<ReportWorkspace> {
  return call("review_report", { request });
}

/** Chooses the findings the report covers; null returns to every finding not suppressed. */
export function chooseReportFindings(findings: string[] | null): Promise<ReportWorkspace> {
  return call("choose_report_findings", { findings });
}

export function addReportEvent(request: EventRequest): Promise<ReportWorkspace> {
  return call("add_report_event", { request });
}

/** Attaches a file that the back end reads from its path. */
export function attachReportFile(request: AttachRequest): Promise<ReportWorkspace> {
  return call("attach_report_file", { request });
}

export function withdrawReportItem(request: WithdrawRequest): Promise<ReportWorkspace> {
  return call("withdraw_report_item", { request });
}

/** Exports the report; `cancelJob(jobId)` stops it before the file is written. */
export function exportReportFile(
  format: ReportExportFormat,
  path: string,
  jobId: string,
  onProgress: (progress: JobProgress) => void,
): Promise<ReportExportResult> {
  return call("export_report_file", { format, path, jobId, onProgress: progressChannel(onProgress) });
}

/** Opens the file manager on the folder of a file exported in this session. */
export function showInFolder(path: string): Promise<void> {
  return call("show_in_folder", { path });
}

/** Asks where to save an export; null when the dialog was closed. */
export function chooseReportExportPath(
  title: string,
  filter: { name: string; extensions: string[] },
  defaultPath: string,
): Promise<string | null> {
  return save({ title, filters: [filter], defaultPath });
}

/** Asks for a file to attach; null when the dialog was closed. */
export async function chooseAttachmentFile(kind: AttachmentKindName): Promise<string | null> {
  const filter =
    kind === "screenshot"
      ? { name: "PNG or JPEG image", extensions: ["png", "jpg", "jpeg"] }
      : { name: "Text", extensions: ["txt", "md", "text"] };
  const chosen = await open({ title: `Attach a ${kind}`, multiple: false, directory: false, filters: [filter] });
  return typeof chosen === "string" ? chosen : null;
}
