// Unit tests of the path and size helpers the views share.

import { describe, expect, it } from "vitest";

import { fileName, fileStem, folderOf, formatBytes, joinPath, shortTime } from "../src/format";

describe("formatBytes", () => {
  it("keeps small counts in bytes", () => {
    expect(formatBytes(1023)).toBe("1023 bytes");
  });

  it("uses binary units above 1 KiB", () => {
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(1074751280)).toBe("1.0 GiB");
  });
});

describe("path helpers", () => {
  it("split POSIX and Windows paths", () => {
    expect(fileName("/cases/a/scan.pcap")).toBe("scan.pcap");
    expect(fileName("C:\\cases\\scan.pcap")).toBe("scan.pcap");
    expect(folderOf("/cases/a/scan.pcap")).toBe("/cases/a");
    expect(folderOf("scan.pcap")).toBe("");
  });

  it("join with the folder's own separator", () => {
    expect(joinPath("/cases", "report.pdf")).toBe("/cases/report.pdf");
    expect(joinPath("C:\\cases\\", "report.pdf")).toBe("C:\\cases\\report.pdf");
    expect(joinPath("", "report.pdf")).toBe("report.pdf");
  });

  it("strip only the last extension", () => {
    expect(fileStem("/cases/scan.pcap.gz")).toBe("scan.pcap");
    expect(fileStem("/cases/.hidden")).toBe(".hidden");
  });
});

describe("shortTime", () => {
  it("drops the T and names a missing time", () => {
    expect(shortTime("2026-12-04T19:35:42.547877Z")).toBe("2026-12-04 19:35:42.547877Z");
    expect(shortTime(null)).toBe("none");
  });
});
