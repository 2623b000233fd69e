// Reading of the window's drag-and-drop events for the evidence view. It is kept apart from
// the Tauri listener so that it stays plain logic that unit tests can run.

import type { DragDropEvent } from "@tauri-apps/api/webview";

export interface DropReading {
  /** Files are being dragged over the window, so the drop zone shows it. */
  hovering: boolean;
  /** Paths to import: those of a drop, each once and in the order given; otherwise empty. */
  dropped: string[];
}

/** Reads one drag-and-drop event of the window. */
export function readDragDrop(event: DragDropEvent): DropReading {
  switch (event.type) {
    case "enter":
    case "over":
      return { hovering: true, dropped: [] };
    case "drop":
      return { hovering: false, dropped: [...new Set(event.paths.filter((path) => path.trim() !== ""))] };
    case "leave":
      return { hovering: false, dropped: [] };
  }
}
