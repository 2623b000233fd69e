import { describe, expect, it } from "vitest";
import type { JobProgress } from "../src/api/types";
import { describeJob, jobFraction, newJobId } from "../src/jobs";

function progress(part: JobProgress["part"], done: number, total: number): JobProgress {
  return { jobId: "job-1", part, done, total };
}

describe("jobFraction", () => {
  it("is zero before the first report", () => {
    expect(jobFraction("analysis", null)).toBe(0);
  });

  it("counts the parts done and the share of the running part", () => {
    expect(jobFraction("analysis", progress("readingContacts", 0, 1))).toBe(0);
    expect(jobFraction("analysis", progress("detectingScans", 0, 1))).toBeCloseTo(1 / 3);
    expect(jobFraction("analysis", progress("storingFindings", 1, 1))).toBe(1);
    expect(jobFraction("export", progress("verifyingEvidence", 512, 1024))).toBeCloseTo(0.125);
    expect(jobFraction("verification", progress("verifyingEvidence", 512, 1024))).toBeCloseTo(0.5);
  });

  it("caps a part at its end", () => {
    expect(jobFraction("verification", progress("verifyingEvidence", 2048, 1024))).toBe(1);
  });

  it("treats a part the job does not have as not started", () => {
    expect(jobFraction("verification", progress("renderingReport", 0, 1))).toBe(0);
  });
});

describe("describeJob", () => {
  it("names the step and the part", () => {
    expect(describeJob("analysis", progress("detectingScans", 0, 1))).toBe("step 2 of 3: detecting scans");
    expect(describeJob("export", progress("writingReport", 0, 1))).toBe("step 4 of 4: writing the file");
  });

  it("gives the bytes hashed while verifying", () => {
    expect(describeJob("verification", progress("verifyingEvidence", 1024, 2048))).toBe(
      "verifying evidence 1.0 KiB of 2.0 KiB",
    );
  });

  it("says starting before the first report", () => {
    expect(describeJob("export", null)).toBe("starting");
  });
});

describe("newJobId", () => {
  it("gives a new id for every job", () => {
    const first = newJobId("export");
    const second = newJobId("export");
    expect(first).not.toBe(second);
    expect(first.startsWith("export-")).toBe(true);
  });
});
