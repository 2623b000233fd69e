// The case settings form: its fields as typed, the checks made before saving, and the
// request sent to the back end, which checks everything again.

import type { SettingsRequest, SettingsView } from "./api/workspace";

/** Maximum length of the examiner, organisation or classification text, in characters, as the case file accepts. */
export const MAX_SETTING_TEXT_CHARS = 200;

/** Classification labels offered in the form (Traffic Light Protocol 2.0); any other label may be typed. */
export const CLASSIFICATION_LABELS = ["TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"];

export interface SettingsForm {
  examiner: string;
  organisation: string;
  classification: string;
  defaultZone: string;
  /** Internal networks, one a line. */
  internalNetworks: string;
  /** Parameter values as typed by name; empty keeps the default. */
  parameters: Record<string, string>;
}

export function formFromView(view: SettingsView): SettingsForm {
  return {
    examiner: view.examiner ?? "",
    organisation: view.organisation ?? "",
    classification: view.classification ?? "",
    defaultZone: view.defaultZone ?? "",
    internalNetworks: view.internalNetworks.join("\n"),
    parameters: Object.fromEntries(view.parameters.map((parameter) => [parameter.name, parameter.isSet ? String(parameter.value) : ""])),
  };
}

/** Splits a field of networks, one a line or separated by commas or spaces, into its entries. */
export function networkLines(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIpv6(text: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || !text.includes(":")) return false;
  const halves = text.split("::");
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half === "" ? [] : half.split(":")));
  const last = groups[groups.length - 1];
  const embeddedIpv4 = last !== undefined && last.includes(".");
  if (embeddedIpv4 && !IPV4.test(last)) return false;
  const hexGroups = embeddedIpv4 ? groups.slice(0, -1) : groups;
  if (!hexGroups.every((group) => /^[0-9a-fA-F]{1,4}$/.test(group))) return false;
  const count = hexGroups.length + (embeddedIpv4 ? 2 : 0);
  return halves.length === 2 ? count < 8 : count === 8;
}

/** Returns true for an IPv4 or IPv6 address, with or without a prefix length. */
export function isNetwork(text: string): boolean {
  const [address, prefix, ...rest] = text.split("/");
  if (rest.length > 0) return false;
  const v4 = IPV4.test(address);
  if (!v4 && !isIpv6(address)) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (v4 ? 32 : 128);
}

/** Checks a text field; returns the problem or null. */
function textProblem(text: string): string | null {
  const length = [...text.trim()].length;
  if (length > MAX_SETTING_TEXT_CHARS) return `${length} characters; at most ${MAX_SETTING_TEXT_CHARS}`;
  return null;
}

/** Checks the form; returns the problems by field name, empty when it can be saved. */
export function validateSettingsForm(form: SettingsForm): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const field of ["examiner", "organisation", "classification"] as const) {
    const problem = textProblem(form[field]);
    if (problem !== null) problems[field] = problem;
  }
  const invalid = networkLines(form.internalNetworks).filter((line) => !isNetwork(line));
  if (invalid.length > 0) problems.internalNetworks = `not a network: ${invalid.join(", ")}; enter addresses or CIDR such as 10.0.0.0/8`;
  for (const [name, typed] of Object.entries(form.parameters)) {
    const text = typed.trim();
    if (text === "") continue;
    if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
      problems[`parameter:${name}`] = `'${text}' is not a whole number of at least 1; leave it empty for the default`;
    }
  }
  return problems;
}

/** Builds the request from a form that passed validateSettingsForm. */
export function requestFromForm(form: SettingsForm): SettingsRequest {
  return {
    examiner: form.examiner.trim(),
    organisation: form.organisation.trim(),
    classification: form.classification.trim(),
    defaultZone: form.defaultZone.trim(),
    internalNetworks: networkLines(form.internalNetworks),
    parameters: Object.entries(form.parameters).map(([name, typed]) => ({
      name,
      value: typed.trim() === "" ? null : Number(typed.trim()),
    })),
  };
}
