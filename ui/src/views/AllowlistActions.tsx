// Allowlist actions in a finding's detail: add the finding's source to the allowlist with the
// reason its scans are expected, or remove an entry that covers it. The finding stays and is
// marked suppressed after the next analysis, which the view offers to run.

import { useState, type FormEvent } from "react";
import { allowSource, disallowSource, type AllowlistView } from "../api/workspace";
import type { FindingView } from "../api/types";

interface Props {
  finding: FindingView;
  allowlist: AllowlistView[];
  readOnly: boolean;
  onChanged: (allowlist: AllowlistView[]) => void;
  onError: (raw: unknown) => void;
}

/** Returns true when the single-address network `network` is exactly `address`. */
function isHostEntry(network: string, address: string): boolean {
  return network === `${address}/32` || network === `${address}/128`;
}

export function AllowlistActions({ finding, allowlist, readOnly, onChanged, onError }: Props) {
  const [source, setSource] = useState(finding.sources[0] ?? "");
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const entries = allowlist.filter((entry) => finding.sources.some((address) => isHostEntry(entry.network, address)));

  const act = async (step: () => Promise<AllowlistView[]>) => {
    setBusy(true);
    try {
      onChanged(await step());
      setReason("");
    } catch (raw) {
      onError(raw);
    } finally {
      setBusy(false);
    }
  };

  const add = (event: FormEvent) => {
    event.preventDefault();
    void act(() => allowSource(source, reason));
  };

  return (
    <div className="allowlist-actions" data-testid="allowlist-actions">
      {entries.map((entry) => (
        <p key={entry.network} className="allowlisted">
          <span className="mono">{entry.network}</span> is allowlisted: {entry.reason}
          {!readOnly && (
            <button
              type="button"
              className="secondary small"
              disabled={busy}
              onClick={() => void act(() => disallowSource(entry.network))}
              data-testid="allowlist-remove"
            >
              Remove from allowlist
            </button>
          )}
        </p>
      ))}
      {!readOnly && (
        <form className="allowlist-form" onSubmit={add}>
          <label htmlFor="allowlist-source">Allowlist source</label>
          <select id="allowlist-source" value={source} onChange={(event) => setSource(event.target.value)} data-testid="allowlist-source">
            {finding.sources.map((address) => (
              <option key={address} value={address}>
                {address}
              </option>
            ))}
          </select>
          <input
            value={reason}
            onChange={(event) => setReason(event.target.value)}
            placeholder="reason, for example weekly vulnerability scan"
            aria-label="Reason the scans from this source are expected"
            data-testid="allowlist-reason"
          />
          <button type="submit" className="secondary" disabled={busy || reason.trim() === ""} data-testid="allowlist-add">
            Add to allowlist
          </button>
        </form>
      )}
    </div>
  );
}
