// Unit tests of how drag-and-drop events become imports.

import { describe, expect, it } from "vitest";

import { readDragDrop } from "../src/dragdrop";

const position = { x: 10, y: 20 } as never;

describe("readDragDrop", () => {
  it("shows the drop zone while files hover", () => {
    expect(readDragDrop({ type: "enter", paths: ["/cases/a.pcap"], position })).toEqual({ hovering: true, dropped: [] });
    expect(readDragDrop({ type: "over", position })).toEqual({ hovering: true, dropped: [] });
  });

  it("imports each dropped path once, in order", () => {
    const reading = readDragDrop({ type: "drop", paths: ["/e/b.log", "/e/a.pcap", "/e/b.log", " "], position });
    expect(reading.hovering).toBe(false);
    expect(reading.dropped).toEqual(["/e/b.log", "/e/a.pcap"]);
  });

  it("imports nothing when the drag leaves", () => {
    expect(readDragDrop({ type: "leave" })).toEqual({ hovering: false, dropped: [] });
  });
});
