// The Markdown editor of a narrative section, with a live preview of the blocks the report
// will show. The preview comes from the back end's own Markdown reader, so it matches the
// exports: raw HTML stays text and links keep their address as text.

import { useEffect, useState } from "react";
import { previewSectionText, type ReportBlock, type SectionDocument } from "../../api/report";
import { ReportBlocks } from "./ReportBlocks";

/** Delay after the last keystroke before the preview is refreshed, in milliseconds. */
const PREVIEW_DELAY_MS = 200;

interface Props {
  section: SectionDocument;
  busy: boolean;
  onSave: (markdown: string) => Promise<boolean>;
  onClose: () => void;
  onError: (raw: unknown) => void;
}

export function SectionEditor({ section, busy, onSave, onClose, onError }: Props) {
  const [text, setText] = useState(section.markdown ?? "");
  const [preview, setPreview] = useState<ReportBlock[]>([]);

  useEffect(() => {
    let current = true;
    const timer = window.setTimeout(() => {
      previewSectionText(text).then((blocks) => {
        if (current) setPreview(blocks);
      }, onError);
    }, PREVIEW_DELAY_MS);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [text, onError]);

  const save = async () => {
    if (await onSave(text)) onClose();
  };

  return (
    <div className="section-editor" data-testid="section-editor">
      <div className="editor-panes">
        <label className="editor-pane">
          <span>Markdown</span>
          <textarea
            data-testid="section-editor-input"
            value={text}
            onChange={(event) => setText(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) void save();
              if (event.key === "Escape") onClose();
            }}
            rows={14}
            spellCheck
          />
        </label>
        <div className="editor-pane">
          <span>Preview</span>
          <div className="editor-preview" data-testid="section-preview" aria-live="polite">
            <ReportBlocks blocks={preview} />
          </div>
        </div>
      </div>
      <div className="toolbar-row">
        <button type="button" onClick={save} disabled={busy || text.trim() === ""} data-testid="save-section">
          Save text
        </button>
        <button type="button" className="secondary" onClick={onClose} disabled={busy}>
          Cancel
        </button>
        <span className="hint">Ctrl+Enter saves, Escape cancels. Each save is kept as a revision.</span>
      </div>
    </div>
  );
}
