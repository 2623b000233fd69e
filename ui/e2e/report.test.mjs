// End-to-end test of the Report view on the built app. The examiner writes the executive
// summary, adds events and a screenshot, withdraws an event and fills the required entries.
// A reviewer then submits and approves, and the report is exported as PDF, Markdown and STIX.

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { By } from "selenium-webdriver";
import {
  REPO_ROOT,
  analyzeAndFind,
  assertNoError,
  byTestId,
  createCase,
  find,
  importFiles,
  screenshot,
  startApp,
  tempFolder,
  textOf,
  typeInto,
  waitFor,
} from "./session.mjs";

const CAPTURE = path.join(REPO_ROOT, "fixtures/capture/scan_nmap_sS_8ports_vic1.pcap");
const SCREENSHOT = path.join(REPO_ROOT, "fixtures/report/screenshot-app-start.png");
const SUMMARY = "A SYN scan from 10.200.0.10 probed eight ports of 10.200.0.100 and was blocked.";
const MARKUP = "<b>kept as text</b>";

/** Clicks the element with the test id once it is visible. */
async function click(driver, id) {
  await (await find(driver, id)).click();
}

/** Waits until the element with the test id contains `text`, failing on an app error. */
async function waitForText(driver, id, text) {
  return waitFor(driver, `"${text}" in ${id}`, async () => {
    await assertNoError(driver);
    const found = await textOf(driver, id);
    return found.includes(text) ? found : false;
  });
}

/** Fills every open examiner entry on the review panel, one at a time. */
async function fillEntries(driver) {
  for (let round = 0; round < 40; round += 1) {
    const inputs = await driver.findElements(byTestId("entry-input"));
    if (inputs.length === 0) return;
    // The checklist scrolls inside its panel; WebKitWebDriver types only into visible fields.
    await driver.executeScript("arguments[0].scrollIntoView({ block: 'center' })", inputs[0]);
    await inputs[0].click();
    await inputs[0].sendKeys("Not applicable: no impact beyond the scan.");
    const saves = await driver.findElements(byTestId("entry-save"));
    await saves[0].click();
    await waitFor(driver, "the entry to be stored", async () => {
      await assertNoError(driver);
      return (await driver.findElements(byTestId("entry-input"))).length < inputs.length;
    });
  }
  throw new Error("the examiner entries did not fill in 40 rounds");
}

/** Exports in `format` through the path field and returns the path written. */
async function exportAs(driver, format, count) {
  await click(driver, `export-format-${format}`);
  const output = await (await find(driver, "export-path")).getAttribute("value");
  await click(driver, "export-run");
  await waitFor(driver, `${count} exported files`, async () => {
    await assertNoError(driver);
    return (await driver.findElements(byTestId("export-entry"))).length === count;
  });
  assert.ok(existsSync(output), `${output} was not written`);
  return output;
}

describe("report authoring, review and export", () => {
  let driver;
  before(async () => {
    driver = await startApp();
  });
  after(async () => {
    await driver?.quit();
  });

  it("edits, approves and exports the report", async () => {
    const folder = tempFolder("scancase-e2e-report-");
    await createCase(driver, folder, "Report workspace");
    await importFiles(driver, [CAPTURE]);
    await analyzeAndFind(driver, "10.200.0.10");

    await click(driver, "tab-report");
    await waitForText(driver, "report-body", "Executive summary");
    const navItems = await driver.findElements(byTestId("section-nav-item"));
    assert.equal(navItems.length, 8, "the navigator lists the eight sections");
    assert.match(await textOf(driver, "mark-executive_summary"), /^Drafted/);
    await screenshot(driver, "app-report");

    // The executive summary in the examiner's words, with markup that must stay text.
    await click(driver, "edit-executive_summary");
    await typeInto(driver, "section-editor-input", `${SUMMARY}\n\n${MARKUP}`);
    await waitForText(driver, "section-preview", MARKUP);
    const preview = await find(driver, "section-preview");
    assert.equal((await preview.findElements(By.css("b, script, a"))).length, 0, "the preview made elements of markup");
    await screenshot(driver, "app-report-editor");
    await click(driver, "save-section");
    await waitForText(driver, "mark-executive_summary", "Examiner text by E2E Examiner");
    await waitForText(driver, "section-executive_summary", SUMMARY);

    // Assembly: an event, a screenshot attached by path, and a withdrawn second event.
    await click(driver, "report-panel-assembly");
    for (const [at, description] of [
      ["2026-12-04T19:40:00Z", "Source blocked at the perimeter"],
      ["2026-12-04T19:45:00Z", "Entered by mistake"],
    ]) {
      await typeInto(driver, "event-at", at);
      await typeInto(driver, "event-actor", "NOC on-call");
      await typeInto(driver, "event-description", description);
      await click(driver, "event-add");
      await waitForText(driver, "events", description);
    }
    await typeInto(driver, "attach-path", SCREENSHOT);
    await typeInto(driver, "attach-description", "Start screen at the time of the alert");
    await click(driver, "attach-add");
    await waitForText(driver, "attachments", "screenshot-app-start.png");
    const rows = await driver.findElements(byTestId("event-row"));
    const mistaken = rows[1];
    await mistaken.findElement(byTestId("withdraw")).click();
    await typeInto(driver, "withdraw-reason", "Duplicate of the first event");
    await click(driver, "withdraw-confirm");
    await waitForText(driver, "withdrawals", "Duplicate of the first event");
    assert.equal((await driver.findElements(byTestId("event-row"))).length, 1, "the withdrawn event left the list");
    await screenshot(driver, "app-report-assembly");

    // Review: fill the required entries, submit and approve in a reviewer's name.
    await click(driver, "report-panel-review");
    await fillEntries(driver);
    await find(driver, "checklist-complete");
    await typeInto(driver, "reviewer-name", "B. Reviewer");
    await click(driver, "review-submit");
    await waitForText(driver, "review-state", "In review");
    await click(driver, "review-approve");
    await waitForText(driver, "review-state", "Approved by B. Reviewer");
    assert.match(await textOf(driver, "revisions"), /approved .* by B\. Reviewer/);
    await driver.executeScript("document.querySelector('.report-panel').scrollTop = 0");
    await screenshot(driver, "app-report-review");

    // Export through the prefilled path field: the native save dialog is not needed.
    await click(driver, "report-panel-export");
    const pdf = await exportAs(driver, "pdf", 1);
    const markdown = await exportAs(driver, "markdown", 2);
    const stix = await exportAs(driver, "stix", 3);
    assert.equal(path.dirname(pdf), folder, "the path field starts in the case's folder");
    assert.equal(readFileSync(pdf).subarray(0, 5).toString("latin1"), "%PDF-");
    const text = readFileSync(markdown, "utf8");
    assert.ok(text.includes(SUMMARY), "the Markdown has the examiner's summary");
    assert.ok(text.includes("\\<b\\>kept as text\\</b\\>"), "the markup is escaped in the Markdown");
    assert.match(text, /\*\*Review state:\*\* Approved by B\. Reviewer/);
    assert.match(text, /- \*\*Revision:\*\* 1/);
    assert.ok(text.includes("Source blocked at the perimeter"), "the event is in the report");
    assert.ok(!text.includes("Entered by mistake"), "the withdrawn event is not in the report");
    assert.ok(text.includes("screenshot-app-start.png"), "the attachment is listed");
    const bundle = JSON.parse(readFileSync(stix, "utf8"));
    assert.equal(bundle.type, "bundle");
    assert.ok(bundle.objects.some((object) => object.type === "indicator"), "the bundle has an indicator");
    assert.match(await textOf(driver, "exports"), /revision 1, Approved by B\. Reviewer/);
    await screenshot(driver, "app-report-export");
    await assertNoError(driver);
  });
});
