// End-to-end tests of the built app: a real window driven through tauri-driver and
// WebKitWebDriver. scripts/app-e2e.sh builds the app and runs these under Xvfb.

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
  screenshot,
  startApp,
  tempFolder,
  textOf,
  textOfElement,
  waitFor,
} from "./session.mjs";

const CAPTURE = path.join(REPO_ROOT, "fixtures/capture/scan_nmap_sS_8ports_vic1.pcap");
const LOG = path.join(REPO_ROOT, "fixtures/fwlog/scan_nmap_sS_8ports_vic1.log");
const MARKUP_LOG = path.join(REPO_ROOT, "fixtures/fwlog/app/markup_prefix_nmap_sS_8ports_vic1.log");
const MARKUP_PREFIX = "<script>alert(1)</script><b>IPT-IN</b>";

describe("investigation from evidence to exported report", () => {
  let driver;
  before(async () => {
    driver = await startApp();
  });
  after(async () => {
    await driver?.quit();
  });

  it("creates, imports and finds", async () => {
    const folder = tempFolder("scancase-e2e-");
    await screenshot(driver, "app-start");
    await createCase(driver, folder, "Scan on 10.200.0.100");

    await importFiles(driver, [CAPTURE, LOG]);
    const cards = await driver.findElements(byTestId("evidence-card"));
    const cardText = (await Promise.all(cards.map((card) => textOfElement(driver, card)))).join("\n");
    assert.match(cardText, /scan_nmap_sS_8ports_vic1\.pcap/);
    assert.match(cardText, /netfilter/);
    assert.match(cardText, /[0-9a-f]{64}/);
    await screenshot(driver, "app-evidence");

    await analyzeAndFind(driver, "10.200.0.10");
    await find(driver, "finding-detail");
    const detailText = await waitFor(driver, "the finding detail", async () => {
      const text = await textOf(driver, "finding-detail");
      return text.includes("Confidence") ? text : false;
    });
    assert.match(detailText, /10\.200\.0\.10/);
    assert.match(detailText, /Severity \d+/);
    assert.match(await textOf(driver, "fingerprint"), /^nmap \(/, "the tool fingerprint is shown");
    await screenshot(driver, "app-findings");

    await (await find(driver, "tab-report")).click();
    const body = await find(driver, "report-body");
    assert.match(await textOfElement(driver, body), /Executive summary/);
  });
});

describe("evidence text with markup", () => {
  let driver;
  before(async () => {
    driver = await startApp();
  });
  after(async () => {
    await driver?.quit();
  });

  it("renders log prefixes literally", async () => {
    const folder = tempFolder("scancase-e2e-markup-");
    await createCase(driver, folder, "Markup in evidence");
    await importFiles(driver, [MARKUP_LOG]);
    await analyzeAndFind(driver, "10.200.0.10");

    const detail = await find(driver, "finding-detail");
    const excerpts = await waitFor(driver, "cited log lines", async () => {
      const found = await detail.findElements(byTestId("citation-excerpt"));
      return found.length > 0 ? found : false;
    });
    const texts = await Promise.all(excerpts.map((excerpt) => textOfElement(driver, excerpt)));
    assert.ok(
      texts.some((text) => text.includes(MARKUP_PREFIX)),
      `no citation shows the prefix literally: ${texts.join(" | ")}`,
    );
    assert.equal((await detail.findElements(By.css("b"))).length, 0, "a <b> from the evidence became an element");
    await driver.executeScript("arguments[0].scrollIntoView({ block: 'center' })", excerpts[0]);
    await screenshot(driver, "app-markup");

    await (await find(driver, "tab-report")).click();
    const body = await find(driver, "report-body");
    assert.ok((await textOfElement(driver, body)).includes(MARKUP_PREFIX), "the report view does not show the prefix literally");
    assert.equal((await body.findElements(By.css("b, script"))).length, 0, "markup from the evidence became elements");

    const injected = await driver.executeScript(
      "return Array.from(document.scripts).filter((script) => script.textContent.includes('alert(1)')).length",
    );
    assert.equal(injected, 0, "a <script> from the evidence became an element");
    await assertNoError(driver);
  });
});
