// Settings view: the examiner, organisation, classification label, default time zone,
// internal networks and analysis parameters of the case. The back end writes and audits only
// the settings that changed; new analysis settings apply when the analysis runs again.

import { useEffect, useState, type FormEvent } from "react";
import { caseSettings, updateCaseSettings, type SettingsView } from "../api/workspace";
import { CLASSIFICATION_LABELS, formFromView, requestFromForm, validateSettingsForm, type SettingsForm } from "../settingsForm";

interface Props {
  onSaved: (settings: SettingsView) => void;
  onError: (raw: unknown) => void;
}

const TEXT_FIELDS: { key: "examiner" | "organisation" | "classification" | "defaultZone"; label: string; hint: string }[] = [
  { key: "examiner", label: "Examiner", hint: "recorded with every change in the audit log" },
  { key: "organisation", label: "Organisation", hint: "the organisation the investigation is for" },
  { key: "classification", label: "Classification", hint: "shown on the cover and every page of the report" },
  { key: "defaultZone", label: "Default time zone", hint: "IANA name for log times without a zone when an import names none; empty reads UTC" },
];

export function SettingsScreen({ onSaved, onError }: Props) {
  const [view, setView] = useState<SettingsView | null>(null);
  const [form, setForm] = useState<SettingsForm | null>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    caseSettings().then((loaded) => {
      setView(loaded);
      setForm(formFromView(loaded));
    }, onError);
  }, [onError]);

  if (view === null || form === null) return <p className="empty">Loading the settings…</p>;

  const problems = validateSettingsForm(form);
  const readOnly = view.readOnlyReason !== null;
  const change = (update: Partial<SettingsForm>) => {
    setForm({ ...form, ...update });
    setSaved(false);
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (Object.keys(problems).length > 0) return;
    setSaving(true);
    try {
      const stored = await updateCaseSettings(requestFromForm(form));
      setView(stored);
      setForm(formFromView(stored));
      setSaved(true);
      onSaved(stored);
    } catch (raw) {
      onError(raw);
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="settings" onSubmit={save} data-testid="settings-form">
      {readOnly && <p className="warning">The case is read-only ({view.readOnlyReason}); the settings cannot be changed.</p>}
      <div className="settings-columns">
        <section className="card">
          <h2>Case</h2>
          <div className="form-grid">
            {TEXT_FIELDS.map(({ key, label, hint }) => (
              <div key={key} className="form-row">
                <label htmlFor={`settings-${key}`}>{label}</label>
                <input
                  id={`settings-${key}`}
                  data-testid={`settings-${key}`}
                  list={key === "classification" ? "settings-labels" : undefined}
                  value={form[key]}
                  disabled={readOnly}
                  onChange={(event) => {
                    const update: Partial<SettingsForm> = {};
                    update[key] = event.target.value;
                    change(update);
                  }}
                  aria-invalid={problems[key] !== undefined}
                  spellCheck={key !== "defaultZone"}
                />
                <span className={problems[key] !== undefined ? "field-problem" : "hint"}>{problems[key] ?? hint}</span>
              </div>
            ))}
            <div className="form-row">
              <label htmlFor="settings-networks">Internal networks</label>
              <textarea
                id="settings-networks"
                data-testid="settings-networks"
                rows={3}
                value={form.internalNetworks}
                disabled={readOnly}
                onChange={(event) => change({ internalNetworks: event.target.value })}
                aria-invalid={problems.internalNetworks !== undefined}
                spellCheck={false}
              />
              <span className={problems.internalNetworks !== undefined ? "field-problem" : "hint"}>
                {problems.internalNetworks ?? "one a line; empty counts the private and local ranges as internal"}
              </span>
            </div>
          </div>
          <datalist id="settings-labels">
            {CLASSIFICATION_LABELS.map((label) => (
              <option key={label} value={label} />
            ))}
          </datalist>
        </section>
        <section className="card">
          <h2>Analysis parameters</h2>
          <p className="hint">Empty keeps the default. Changes apply when the analysis runs again.</p>
          <table className="parameters">
            <thead>
              <tr>
                <th>Parameter</th>
                <th>Value</th>
                <th>Default</th>
              </tr>
            </thead>
            <tbody>
              {view.parameters.map((parameter) => {
                const problem = problems[`parameter:${parameter.name}`];
                return (
                  <tr key={parameter.name}>
                    <td>
                      <label htmlFor={`parameter-${parameter.name}`} className="mono">
                        {parameter.name}
                      </label>
                      <span className={problem !== undefined ? "field-problem" : "hint parameter-description"}>
                        {problem ?? parameter.description}
                      </span>
                    </td>
                    <td>
                      <input
                        id={`parameter-${parameter.name}`}
                        data-testid={`parameter-${parameter.name}`}
                        className="narrow"
                        inputMode="numeric"
                        value={form.parameters[parameter.name] ?? ""}
                        placeholder={String(parameter.defaultValue)}
                        disabled={readOnly}
                        aria-invalid={problem !== undefined}
                        onChange={(event) => change({ parameters: { ...form.parameters, [parameter.name]: event.target.value } })}
                      />
                    </td>
                    <td>{parameter.defaultValue}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      </div>
      <div className="settings-actions">
        <button type="submit" disabled={readOnly || saving || Object.keys(problems).length > 0} data-testid="settings-save">
          {saving ? "Saving…" : "Save settings"}
        </button>
        {saved && (
          <span className="hint" data-testid="settings-saved" role="status">
            Saved. Analyze again to apply changed networks or parameters to the findings.
          </span>
        )}
      </div>
    </form>
  );
}
