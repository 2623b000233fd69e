import type { CommandFailure } from "../api/commands";

interface Props {
  error: CommandFailure | null;
  onDismiss: () => void;
}

/** Shows a command's error with its kind and context, as plain text. */
export function ErrorBanner({ error, onDismiss }: Props) {
  if (error === null) return null;
  const context = Object.entries(error.context);
  return (
    <div className="error-banner" role="alert" data-testid="error-banner">
      <div>
        <strong>{describeKind(error.kind)}</strong> {error.message}
        {context.length > 0 && (
          <div className="error-context">
            {context.map(([name, value]) => (
              <span key={name}>
                {name}: <code>{value}</code>
              </span>
            ))}
          </div>
        )}
      </div>
      <button type="button" onClick={onDismiss} aria-label="Dismiss the error">
        Dismiss
      </button>
    </div>
  );
}

function describeKind(kind: string): string {
  switch (kind) {
    case "noCaseOpen":
      return "No case open.";
    case "invalidInput":
      return "Invalid input.";
    case "readOnly":
      return "Case is read-only.";
    case "case":
      return "Case file error.";
    case "import":
      return "Import rejected.";
    case "importCancelled":
      return "Import cancelled.";
    case "notAnalyzed":
      return "Not analyzed yet.";
    case "report":
      return "Report error.";
    default:
      return "Error.";
  }
}
