// The open and save dialogs the app uses, through the dialog plugin. Each returns a path,
// or null when the examiner closed the dialog.

import { open, save } from "@tauri-apps/plugin-dialog";

const CASE_FILTER = { name: "scancase case", extensions: ["scancase"] };

export async function chooseNewCasePath(): Promise<string | null> {
  return save({ title: "Save the new case as", filters: [CASE_FILTER], defaultPath: "case.scancase" });
}

export async function chooseCaseToOpen(): Promise<string | null> {
  const chosen = await open({ title: "Open a case", multiple: false, directory: false, filters: [CASE_FILTER] });
  return typeof chosen === "string" ? chosen : null;
}

export async function chooseEvidenceFiles(): Promise<string[]> {
  const chosen = await open({
    title: "Add evidence files",
    multiple: true,
    directory: false,
    filters: [
      { name: "Captures and firewall logs", extensions: ["pcap", "pcapng", "cap", "log", "txt", "gz"] },
      { name: "All files", extensions: ["*"] },
    ],
  });
  if (chosen === null) return [];
  return Array.isArray(chosen) ? chosen : [chosen];
}
