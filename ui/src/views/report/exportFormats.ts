// The export formats the Report view offers, with the file name each suggests.

import type { ReportExportFormat } from "../../api/report";
import { fileName, fileStem, folderOf, joinPath } from "../../format";

export interface ExportFormatInfo {
  id: ReportExportFormat;
  /** Button label. */
  label: string;
  /** What the file holds, in a few words. */
  description: string;
  /** File name ending, without the leading dot. */
  extension: string;
}

export const EXPORT_FORMATS: readonly ExportFormatInfo[] = [
  { id: "pdf", label: "PDF", description: "the report for management", extension: "pdf" },
  { id: "markdown", label: "Markdown", description: "the report for the team's wiki", extension: "md" },
  { id: "json", label: "JSON", description: "the report's structure", extension: "json" },
  { id: "stix", label: "STIX 2.1", description: "indicators, attack patterns and sightings", extension: "stix.json" },
  { id: "csv", label: "CSV", description: "indicators, one a row", extension: "csv" },
  { id: "veris", label: "VERIS", description: "a VERIS 1.4 incident record", extension: "veris.json" },
];

export function formatInfo(format: ReportExportFormat): ExportFormatInfo {
  const info = EXPORT_FORMATS.find((entry) => entry.id === format);
  if (info === undefined) throw new Error(`unknown export format ${format}`);
  return info;
}

/** Returns the suggested file name of an export, for example "case-report.pdf". */
export function defaultExportName(casePath: string, format: ReportExportFormat): string {
  return `${fileStem(casePath)}-report.${formatInfo(format).extension}`;
}

/**
 * Returns `path` with its file name ending changed to that of `format`, when it ends like one
 * of the export formats; other paths are returned unchanged, because the examiner typed them.
 */
export function pathForFormat(path: string, format: ReportExportFormat): string {
  const name = fileName(path);
  // The longer endings first, so "x.stix.json" is not taken for "x.stix" + ".json".
  const endings = EXPORT_FORMATS.map((entry) => entry.extension).sort((a, b) => b.length - a.length);
  const ending = endings.find((candidate) => name.endsWith(`.${candidate}`));
  if (ending === undefined) return path;
  const renamed = `${name.slice(0, name.length - ending.length)}${formatInfo(format).extension}`;
  return joinPath(folderOf(path), renamed);
}
