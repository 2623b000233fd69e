// The report blocks renderer: text from evidence or the examiner, including markup and
// script links, must come out as escaped text and never as elements or attributes.

import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { ReportBlock } from "../src/api/report";
import { ReportBlocks } from "../src/views/report/ReportBlocks";

function render(blocks: ReportBlock[]): string {
  return renderToStaticMarkup(createElement(ReportBlocks, { blocks }));
}

describe("ReportBlocks", () => {
  it("renders HTML in a paragraph as text", () => {
    const html = render([{ type: "paragraph", text: "<script>alert(1)</script><b>bold</b>" }]);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;");
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<b>");
  });

  it("renders a javascript link as text, not a link", () => {
    // The back end turns [click](javascript:alert(1)) into this text (report_ops tests).
    const html = render([{ type: "paragraph", text: "click (javascript:alert(1))" }]);
    expect(html).toBe("<p>click (javascript:alert(1))</p>");
    expect(html).not.toContain("<a");
    expect(html).not.toContain("href");
  });

  it("escapes markup in every block kind", () => {
    const hostile = '<img src=x onerror="alert(1)">';
    const html = render([
      { type: "subheading", level: 1, text: hostile },
      { type: "subheading", level: 2, text: hostile },
      { type: "fields", fields: [[hostile, hostile]] },
      { type: "table", columns: [hostile], rows: [[hostile]] },
      { type: "list", items: [hostile] },
      { type: "examinerEntry", key: "k", label: hostile, guidance: hostile, value: null },
      { type: "examinerEntry", key: "k2", label: "Root cause", guidance: "", value: hostile },
    ]);
    expect(html).not.toContain("<img");
    expect(html).not.toMatch(/<[^>]*\sonerror=/);
    expect(html.match(/&lt;img src=x onerror=&quot;alert\(1\)&quot;&gt;/g)?.length).toBe(10);
  });

  it("splits paragraphs at line breaks", () => {
    expect(render([{ type: "paragraph", text: "one\ntwo" }])).toBe("<p>one</p><p>two</p>");
  });

  it("marks pending and filled examiner entries", () => {
    const html = render([
      { type: "examinerEntry", key: "impact.damages", label: "Damages", guidance: "Say what", value: null },
      { type: "examinerEntry", key: "detection.root_cause", label: "Root cause", guidance: "", value: "VLAN" },
    ]);
    expect(html).toContain('class="examiner-entry pending"');
    expect(html).toContain("To be completed by the examiner.");
    expect(html).toContain('class="examiner-entry filled"');
    expect(html).toContain('data-key="detection.root_cause"');
  });
});
