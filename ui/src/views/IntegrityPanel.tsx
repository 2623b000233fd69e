// Verification state and chain of custody of one evidence file, with the form that adds a
// custody entry. Shown inside each evidence card.

import { useState, type FormEvent } from "react";
import { addCustodyEntry, type CustodyRequest, type EvidenceIntegrityView } from "../api/workspace";
import { shortTime } from "../format";

interface Props {
  evidenceId: number;
  integrity: EvidenceIntegrityView | undefined;
  readOnly: boolean;
  onChanged: (all: EvidenceIntegrityView[]) => void;
  onError: (raw: unknown) => void;
}

const EMPTY_ENTRY: CustodyRequest = { acquiredBy: "", acquiredAt: "", sourceSystem: "", method: "", storage: "", notes: "" };

const CUSTODY_FIELDS: { key: keyof CustodyRequest; label: string; placeholder: string }[] = [
  { key: "acquiredBy", label: "Acquired by", placeholder: "person who acquired or received it" },
  { key: "acquiredAt", label: "Acquired at", placeholder: "for example 2026-12-04 09:30 CET" },
  { key: "sourceSystem", label: "Source system", placeholder: "for example fw01" },
  { key: "method", label: "Method", placeholder: "for example copied from the firewall's USB export" },
  { key: "storage", label: "Storage", placeholder: "where the original is kept" },
  { key: "notes", label: "Notes", placeholder: "" },
];

/** Describes the latest verification in one line. */
function verificationText(integrity: EvidenceIntegrityView | undefined): string {
  const check = integrity?.verification ?? null;
  if (check === null) return "not verified since import";
  switch (check.status) {
    case "match":
      return `SHA-256 matches (checked ${shortTime(check.verifiedAt)})`;
    case "mismatch":
      return `SHA-256 differs: the file changed since import (checked ${shortTime(check.verifiedAt)}, found ${check.sha256Found ?? "none"})`;
    default:
      return `file not found at ${check.pathChecked} (checked ${shortTime(check.verifiedAt)})`;
  }
}

export function IntegrityPanel({ evidenceId, integrity, readOnly, onChanged, onError }: Props) {
  const [entry, setEntry] = useState<CustodyRequest>(EMPTY_ENTRY);
  const [saving, setSaving] = useState(false);
  const status = integrity?.verification?.status ?? "unverified";
  const custody = integrity?.custody ?? [];

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    try {
      onChanged(await addCustodyEntry(evidenceId, entry));
      setEntry(EMPTY_ENTRY);
    } catch (raw) {
      onError(raw);
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="integrity">
      <p className={`verification-state state-${status}`} data-testid="verification-state" data-status={status}>
        <span className="verification-label">Verification:</span> {verificationText(integrity)}
      </p>
      <details className="custody" data-testid="custody">
        <summary>Chain of custody ({custody.length} {custody.length === 1 ? "entry" : "entries"})</summary>
        {custody.length > 0 && (
          <ol className="custody-list" data-testid="custody-list">
            {custody.map((item, index) => (
              <li key={`${item.recordedAt}-${index}`} data-testid="custody-entry">
                {CUSTODY_FIELDS.filter(({ key }) => item[key] !== null).map(({ key, label }) => (
                  <span key={key} className="custody-field">
                    <span className="custody-key">{label}:</span> {item[key]}
                  </span>
                ))}
                <span className="custody-field hint">
                  recorded {shortTime(item.recordedAt)}
                  {item.recordedBy !== null && ` by ${item.recordedBy}`}
                </span>
              </li>
            ))}
          </ol>
        )}
        {!readOnly && (
          <form className="custody-form" onSubmit={save} data-testid="custody-form">
            {CUSTODY_FIELDS.map(({ key, label, placeholder }) => (
              <label key={key} className="custody-input">
                <span>{label}</span>
                <input
                  value={entry[key]}
                  data-testid={`custody-${key}`}
                  placeholder={placeholder}
                  onChange={(event) => setEntry({ ...entry, [key]: event.target.value })}
                />
              </label>
            ))}
            <button type="submit" className="secondary" disabled={saving} data-testid="custody-save">
              {saving ? "Saving…" : "Add custody entry"}
            </button>
          </form>
        )}
      </details>
    </div>
  );
}
