// Files dropped on the window, through the webview's drag-and-drop event. The event carries
// paths only; the back end reads the files by path, as for the file dialog.

import { getCurrentWebview } from "@tauri-apps/api/webview";
import type { UnlistenFn } from "@tauri-apps/api/event";
import { readDragDrop } from "../dragdrop";

/** Calls `onHover` while files are dragged over the window and `onDrop` with the dropped paths. */
export function listenForDroppedFiles(onHover: (hovering: boolean) => void, onDrop: (paths: string[]) => void): Promise<UnlistenFn> {
  return getCurrentWebview().onDragDropEvent((event) => {
    const reading = readDragDrop(event.payload);
    onHover(reading.hovering);
    if (reading.dropped.length > 0) onDrop(reading.dropped);
  });
}
