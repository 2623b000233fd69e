// Renders report blocks (drafted text, examiner text and the editor's preview) as React
// elements. Every string is inserted as text: nothing from the evidence or the examiner can
// become an element, a link or a script.

import type { ReportBlock } from "../../api/report";

export function ReportBlocks({ blocks }: { blocks: readonly ReportBlock[] }) {
  return (
    <>
      {blocks.map((block, index) => (
        <Block key={index} block={block} />
      ))}
    </>
  );
}

function Block({ block }: { block: ReportBlock }) {
  switch (block.type) {
    case "subheading":
      return block.level <= 1 ? <h3>{block.text}</h3> : <h4>{block.text}</h4>;
    case "paragraph":
      return (
        <>
          {block.text.split("\n").map((line, index) => (
            <p key={index}>{line}</p>
          ))}
        </>
      );
    case "fields":
      return (
        <dl className="facts">
          {block.fields.map(([label, value], index) => (
            <div key={index} className="fact">
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      );
    case "table":
      return (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                {block.columns.map((column, index) => (
                  <th key={index}>{column}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {block.rows.map((row, rowIndex) => (
                <tr key={rowIndex}>
                  {row.map((cell, cellIndex) => (
                    <td key={cellIndex}>{cell}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    case "list":
      return (
        <ul>
          {block.items.map((item, index) => (
            <li key={index}>{item}</li>
          ))}
        </ul>
      );
    case "examinerEntry":
      return (
        <div
          className={block.value === null ? "examiner-entry pending" : "examiner-entry filled"}
          data-testid="report-entry"
          data-key={block.key}
        >
          <span className="origin-tag examiner">Examiner entry</span> <strong>{block.label}:</strong>{" "}
          {block.value ?? "To be completed by the examiner."}
          {block.value === null && <div className="hint">{block.guidance}</div>}
        </div>
      );
    case "chart":
      return (
        <p className="hint">
          Probe charts of {block.findingId} ({block.probesTotal} probes) appear in the PDF export.
        </p>
      );
  }
}
