// Helpers for the end-to-end tests: a WebDriver session on the built app through
// tauri-driver, waits on page text, and screenshots for the docs.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Builder, By, Capabilities, Key, until } from "selenium-webdriver";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const DRIVER_URL = process.env.TAURI_DRIVER_URL ?? "http://127.0.0.1:4444/";
const WAIT_MS = 30_000;

/** Starts the app given in SCANCASE_APP (an absolute path) and returns the driver. */
export async function startApp() {
  const application = process.env.SCANCASE_APP;
  if (!application || !path.isAbsolute(application)) {
    throw new Error("set SCANCASE_APP to the absolute path of the built scancase-app binary");
  }
  const capabilities = new Capabilities();
  capabilities.setBrowserName("wry");
  capabilities.set("tauri:options", { application });
  const driver = await new Builder().usingServer(DRIVER_URL).withCapabilities(capabilities).build();
  await driver.wait(until.elementLocated(By.css("[data-testid=new-case-form]")), WAIT_MS);
  return driver;
}

/** Returns a new empty folder under the system temp folder. */
export function tempFolder(prefix) {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function byTestId(id) {
  return By.css(`[data-testid="${id}"]`);
}

/** Waits for the element with the test id and returns it. */
export async function find(driver, id) {
  const element = await driver.wait(until.elementLocated(byTestId(id)), WAIT_MS);
  await driver.wait(until.elementIsVisible(element), WAIT_MS);
  return element;
}

/**
 * Returns the rendered text of an element. WebKitWebDriver's own getText returned "" for some
 * visible elements (the case title), so this reads `innerText` in the page.
 */
export async function textOfElement(driver, element) {
  return driver.executeScript("return arguments[0].innerText", element);
}

/** Returns the text of the first element with the test id, or "" when there is none. */
export async function textOf(driver, id) {
  const found = await driver.findElements(byTestId(id));
  return found.length > 0 ? textOfElement(driver, found[0]) : "";
}

/** Types into a field after clearing it by selecting all, so React receives input events. */
export async function typeInto(driver, id, text) {
  const field = await find(driver, id);
  await field.click();
  const value = await field.getAttribute("value");
  if (value) {
    await field.sendKeys(Key.chord(Key.CONTROL, "a"), Key.BACK_SPACE);
  }
  await field.sendKeys(text);
}

/**
 * Waits until `condition` returns a truthy value and returns it. The condition must not wait
 * itself (no `find`), because Selenium waits do not nest.
 */
export async function waitFor(driver, description, condition) {
  return driver.wait(async () => {
    try {
      return await condition();
    } catch (error) {
      // A page that changes under a query is retried. A failure the app shows is not.
      if (error instanceof AppFailure) throw error;
      return false;
    }
  }, WAIT_MS, `timed out waiting for ${description}`);
}

/** A failure the app itself shows, which no amount of waiting will change. */
export class AppFailure extends Error {}

/** Fails with the app's error banner when one is shown. */
export async function assertNoError(driver) {
  const banners = await driver.findElements(byTestId("error-banner"));
  if (banners.length > 0) {
    throw new AppFailure(`the app shows an error: ${await textOfElement(driver, banners[0])}`);
  }
}

/**
 * Creates a case in `folder` through the start screen. `settings` may give `organisation`,
 * `classification`, `zone` and `networks` (one string, a network a line or space-separated).
 */
export async function createCase(driver, folder, name, settings = {}) {
  await typeInto(driver, "new-case-path", path.join(folder, "case.scancase"));
  await typeInto(driver, "new-case-name", name);
  await typeInto(driver, "new-case-examiner", "E2E Examiner");
  const fields = { organisation: "new-case-organisation", classification: "new-case-classification", zone: "new-case-zone", networks: "new-case-networks" };
  for (const [key, id] of Object.entries(fields)) {
    if (settings[key] !== undefined) await typeInto(driver, id, settings[key]);
  }
  await (await find(driver, "create-case")).click();
  await waitFor(driver, "the case header", async () => {
    await assertNoError(driver);
    return (await textOf(driver, "case-title")) === name;
  });
}

/** Imports files by typed path with year 2026 and zone UTC, and waits for every card. */
export async function importFiles(driver, files) {
  await typeInto(driver, "import-year", "2026");
  await typeInto(driver, "import-zone", "UTC");
  // One path at a time: WebKitWebDriver does not type a line break into a textarea.
  for (const file of files) {
    await typeInto(driver, "import-path", file);
    await (await find(driver, "import-typed")).click();
  }
  await waitFor(driver, `${files.length} evidence cards`, async () => {
    await assertNoError(driver);
    const jobs = await driver.findElements(byTestId("import-job"));
    const states = await Promise.all(jobs.map((job) => job.getAttribute("data-state")));
    if (states.some((state) => state === "failed")) {
      throw new AppFailure(`an import failed: ${await textOfElement(driver, jobs[states.indexOf("failed")])}`);
    }
    return (await driver.findElements(byTestId("evidence-card"))).length === files.length;
  });
}

/** Runs the analysis, waits for a findings row that names `source` and selects it. */
export async function analyzeAndFind(driver, source) {
  await (await find(driver, "analyze")).click();
  const row = await waitFor(driver, `a finding from ${source}`, async () => {
    await assertNoError(driver);
    const rows = await driver.findElements(byTestId("finding-row"));
    for (const row of rows) {
      if ((await textOfElement(driver, row)).includes(source)) return row;
    }
    return false;
  });
  await row.findElement(By.css("td")).click();
  return row;
}

/** Opens one of the case's view tabs, for example "timeline". */
export async function openTab(driver, id) {
  await (await find(driver, `tab-${id}`)).click();
}

/**
 * Saves a screenshot as NAME.png in SCANCASE_SCREENSHOTS, when that folder is set. Waits a
 * moment first, because a screenshot right after an action can show the previous frame.
 */
export async function screenshot(driver, name) {
  const folder = process.env.SCANCASE_SCREENSHOTS;
  if (!folder) return;
  await driver.sleep(800);
  writeFileSync(path.join(folder, `${name}.png`), Buffer.from(await driver.takeScreenshot(), "base64"));
}
