// Export choices of the Report view: the formats offered and the file names they suggest.

import { describe, expect, it } from "vitest";
import { defaultExportName, EXPORT_FORMATS, pathForFormat } from "../src/views/report/exportFormats";

describe("EXPORT_FORMATS", () => {
  it("offers the six formats the back end writes", () => {
    expect(EXPORT_FORMATS.map((format) => format.id)).toEqual(["pdf", "markdown", "json", "stix", "csv", "veris"]);
  });

  it("gives each format its own file ending", () => {
    const endings = EXPORT_FORMATS.map((format) => format.extension);
    expect(new Set(endings).size).toBe(endings.length);
  });
});

describe("defaultExportName", () => {
  it("names the file after the case", () => {
    expect(defaultExportName("/cases/scan-42.scancase", "pdf")).toBe("scan-42-report.pdf");
    expect(defaultExportName("/cases/scan-42.scancase", "stix")).toBe("scan-42-report.stix.json");
  });
});

describe("pathForFormat", () => {
  it("swaps the ending of a suggested name", () => {
    expect(pathForFormat("/cases/c-report.pdf", "markdown")).toBe("/cases/c-report.md");
    expect(pathForFormat("/cases/c-report.stix.json", "csv")).toBe("/cases/c-report.csv");
    expect(pathForFormat("/cases/c-report.json", "veris")).toBe("/cases/c-report.veris.json");
  });

  it("keeps a name the examiner typed without a known ending", () => {
    expect(pathForFormat("/cases/final", "pdf")).toBe("/cases/final");
  });

  it("keeps Windows separators", () => {
    expect(pathForFormat("C:\\cases\\c-report.pdf", "csv")).toBe("C:\\cases\\c-report.csv");
  });
});
