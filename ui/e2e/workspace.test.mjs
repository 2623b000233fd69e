// End-to-end tests of the investigator's workspace screens: a new case with its settings,
// verification and chain of custody, the probe chart and allowlist in the finding detail,
// the timeline, the settings view and the recent cases on the start screen.

import assert from "node:assert/strict";
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
  openTab,
  screenshot,
  startApp,
  tempFolder,
  textOf,
  textOfElement,
  typeInto,
  waitFor,
} from "./session.mjs";

const CAPTURE = path.join(REPO_ROOT, "fixtures/capture/scan_nmap_sS_8ports_vic1.pcap");
const LOG = path.join(REPO_ROOT, "fixtures/fwlog/scan_nmap_sS_8ports_vic1.log");
const CASE_NAME = "Workspace scan on 10.200.0.100";

/** Returns the texts of every element with the test id. */
async function textsOf(driver, id) {
  const elements = await driver.findElements(byTestId(id));
  return Promise.all(elements.map((element) => textOfElement(driver, element)));
}

describe("investigator's workspace", () => {
  let driver;
  let folder;
  before(async () => {
    driver = await startApp();
    folder = tempFolder("scancase-e2e-workspace-");
  });
  after(async () => {
    await driver?.quit();
  });

  it("creates a case with organisation, classification and internal network", async () => {
    await createCase(driver, folder, CASE_NAME, {
      organisation: "Example GmbH",
      classification: "TLP:AMBER",
      zone: "UTC",
      networks: "10.200.0.0/24",
    });
    // The header shows the classification once the case's settings are read, which may come
    // after the title, so the test waits for it as it does for the organisation.
    await waitFor(driver, "the classification in the header", async () => (await textOf(driver, "case-classification")) === "TLP:AMBER");
    await waitFor(driver, "the organisation in the header", async () => (await textOf(driver, "case-meta")).includes("Example GmbH"));
  });

  it("verifies the evidence and saves a custody entry", async () => {
    await importFiles(driver, [CAPTURE, LOG]);
    await (await find(driver, "verify-evidence")).click();
    await waitFor(driver, "two matching verifications", async () => {
      await assertNoError(driver);
      const states = await driver.findElements(byTestId("verification-state"));
      const statuses = await Promise.all(states.map((state) => state.getAttribute("data-status")));
      return statuses.length === 2 && statuses.every((status) => status === "match");
    });

    const custody = await find(driver, "custody");
    await custody.findElement(By.css("summary")).click();
    await typeInto(driver, "custody-acquiredBy", "A. Examiner");
    await typeInto(driver, "custody-sourceSystem", "fw01");
    await typeInto(driver, "custody-storage", "evidence locker 7");
    await (await find(driver, "custody-save")).click();
    const entry = await waitFor(driver, "the saved custody entry", async () => {
      await assertNoError(driver);
      const entries = await textsOf(driver, "custody-entry");
      return entries.find((text) => text.includes("evidence locker 7")) ?? false;
    });
    assert.match(entry, /A\. Examiner/);
    assert.match(entry, /fw01/);
    await screenshot(driver, "app-evidence-custody");
  });

  it("shows the probe chart and allowlists the source with a reason", async () => {
    await analyzeAndFind(driver, "10.200.0.10");
    const chart = await find(driver, "probe-chart");
    const dots = await waitFor(driver, "chart dots", async () => {
      const found = await chart.findElements(By.css("circle"));
      return found.length >= 8 ? found : false;
    });
    assert.ok(dots.length >= 8, `the 8-port scan has ${dots.length} dots`);
    assert.match(await textOf(driver, "finding-detail"), /internal/, "10.200.0.10 is inside the internal network set");
    await driver.executeScript("arguments[0].scrollIntoView({ block: 'center' })", chart);
    await screenshot(driver, "app-findings-chart");

    await typeInto(driver, "allowlist-reason", "weekly vulnerability scan");
    await (await find(driver, "allowlist-add")).click();
    await find(driver, "allowlist-stale");
    await (await find(driver, "findings-analyze")).click();
    const suppressed = await waitFor(driver, "the suppressed finding", async () => {
      await assertNoError(driver);
      const text = await textOf(driver, "suppressed");
      return text !== "" ? text : false;
    });
    assert.match(suppressed, /weekly vulnerability scan/);
    assert.equal((await driver.findElements(byTestId("allowlist-stale"))).length, 0, "the notice goes after the new analysis");
    await (await find(driver, "allowlist-remove")).click();
    await find(driver, "allowlist-stale");
    await (await find(driver, "findings-analyze")).click();
    await waitFor(driver, "the finding without suppression", async () => {
      await assertNoError(driver);
      return (await driver.findElements(byTestId("allowlist-stale"))).length === 0 && (await textOf(driver, "suppressed")) === "";
    });
  });

  it("lists the finding in the timeline and filters by address", async () => {
    await openTab(driver, "timeline");
    const entries = await waitFor(driver, "timeline entries", async () => {
      await assertNoError(driver);
      const texts = await textsOf(driver, "timeline-entry");
      return texts.length > 0 ? texts : false;
    });
    assert.ok(entries.some((text) => text.includes("F-1") && text.includes("10.200.0.10")), entries.join(" | "));
    await screenshot(driver, "app-timeline");

    await typeInto(driver, "timeline-source", "192.0.2.");
    await waitFor(driver, "no entry from 192.0.2.x", async () => (await driver.findElements(byTestId("timeline-entry"))).length === 0);
    await typeInto(driver, "timeline-source", "10.200.0.10");
    await waitFor(driver, "the entry from 10.200.0.10", async () => (await driver.findElements(byTestId("timeline-entry"))).length > 0);
  });

  it("changes the settings", async () => {
    await openTab(driver, "settings");
    assert.equal(await (await find(driver, "settings-classification")).getAttribute("value"), "TLP:AMBER");
    assert.equal(await (await find(driver, "settings-networks")).getAttribute("value"), "10.200.0.0/24");
    await typeInto(driver, "settings-organisation", "Example AG");
    await typeInto(driver, "parameter-min_ports_vertical", "0");
    assert.equal(await (await find(driver, "settings-save")).isEnabled(), false, "0 cannot be saved");
    await typeInto(driver, "parameter-min_ports_vertical", "9");
    await (await find(driver, "settings-save")).click();
    await waitFor(driver, "the saved notice", async () => {
      await assertNoError(driver);
      return (await driver.findElements(byTestId("settings-saved"))).length === 1;
    });
    await waitFor(driver, "the new organisation in the header", async () => (await textOf(driver, "case-meta")).includes("Example AG"));
    await screenshot(driver, "app-settings");

    await openTab(driver, "findings");
    await (await find(driver, "findings-analyze")).click();
    await waitFor(driver, "no finding with at least 9 ports", async () => {
      await assertNoError(driver);
      return (await textOf(driver, "findings-table")) === "" && (await driver.findElements(byTestId("finding-row"))).length === 0;
    });
  });

  it("lists the case among the recent cases", async () => {
    await (await find(driver, "close-case")).click();
    const recent = await waitFor(driver, "the recent case", async () => {
      const texts = await textsOf(driver, "recent-case");
      return texts.find((text) => text.includes(CASE_NAME)) ?? false;
    });
    assert.ok(!recent.includes("file missing"), recent);
    await screenshot(driver, "app-start-recent");
  });
});
