// A running long job (analysis, evidence verification, report export): the hook that starts
// it with a fresh job id and follows its progress, and the progress line with its Cancel
// button. A cancelled job is reported as cancelled, not as an error.

import { useCallback, useState } from "react";
import { cancelJob, toFailure } from "../api/commands";
import type { JobProgress } from "../api/types";
import { describeJob, jobFraction, newJobId, type JobKind } from "../jobs";

interface RunningJob {
  id: string;
  kind: JobKind;
  progress: JobProgress | null;
  cancelling: boolean;
}

/** Outcome of the last job of a view, shown until the next one starts. */
export type JobEnd = { kind: JobKind; cancelled: boolean } | null;

export interface JobControl {
  running: RunningJob | null;
  ended: JobEnd;
  /**
   * Starts a job: `start` receives the job id and the progress callback. Resolves to the
   * job's result, or null when it was cancelled or failed (failures go to `onError`).
   */
  run: <T>(kind: JobKind, start: (jobId: string, onProgress: (progress: JobProgress) => void) => Promise<T>) => Promise<T | null>;
  cancel: () => void;
}

export function useJob(onError: (raw: unknown) => void): JobControl {
  const [running, setRunning] = useState<RunningJob | null>(null);
  const [ended, setEnded] = useState<JobEnd>(null);

  const run = useCallback(
    async <T,>(kind: JobKind, start: (jobId: string, onProgress: (progress: JobProgress) => void) => Promise<T>) => {
      const id = newJobId(kind);
      setEnded(null);
      setRunning({ id, kind, progress: null, cancelling: false });
      try {
        const result = await start(id, (progress) =>
          setRunning((current) => (current !== null && current.id === progress.jobId ? { ...current, progress } : current)),
        );
        setEnded({ kind, cancelled: false });
        return result;
      } catch (raw) {
        const failure = toFailure(raw);
        if (failure.kind === "cancelled") {
          setEnded({ kind, cancelled: true });
        } else {
          onError(failure);
        }
        return null;
      } finally {
        setRunning(null);
      }
    },
    [onError],
  );

  const cancel = useCallback(() => {
    setRunning((current) => {
      if (current === null || current.cancelling) return current;
      cancelJob(current.id).catch(onError);
      return { ...current, cancelling: true };
    });
  }, [onError]);

  return { running, ended, run, cancel };
}

const CANCELLED_NOTES: Record<JobKind, string> = {
  analysis: "Analysis cancelled; the case keeps the findings of the previous analysis.",
  verification: "Verification cancelled; no result was stored.",
  export: "Export cancelled; no report file was written.",
};

/** Shows the progress line of a running job with its Cancel button, or the note of a cancelled one. */
export function JobStatus({ job, label }: { job: JobControl; label: string }) {
  const { running, ended } = job;
  if (running === null) {
    if (ended?.cancelled) {
      return (
        <p className="job-note" role="status" data-testid={`job-cancelled-${ended.kind}`}>
          {CANCELLED_NOTES[ended.kind]}
        </p>
      );
    }
    return null;
  }
  return (
    <div className="job job-running" role="status" data-testid={`job-${running.kind}`}>
      <span className="job-name">{label}</span>
      <progress max={1} value={jobFraction(running.kind, running.progress)} aria-label={`Progress of ${label}`} />
      <span className="job-status">{running.cancelling ? "cancelling…" : describeJob(running.kind, running.progress)}</span>
      <button
        type="button"
        className="secondary small"
        onClick={job.cancel}
        disabled={running.cancelling}
        data-testid={`job-cancel-${running.kind}`}
      >
        Cancel
      </button>
    </div>
  );
}
