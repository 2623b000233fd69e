// Unit tests of the settings form's checks and request.

import { describe, expect, it } from "vitest";

import type { SettingsView } from "../src/api/workspace";
import { formFromView, isNetwork, networkLines, requestFromForm, validateSettingsForm } from "../src/settingsForm";

const VIEW: SettingsView = {
  examiner: "Ada",
  organisation: null,
  classification: "TLP:AMBER",
  defaultZone: "Europe/Berlin",
  internalNetworks: ["10.0.0.0/8", "192.168.0.0/16"],
  parameters: [
    { name: "min_ports_vertical", value: 9, defaultValue: 6, isSet: true, description: "" },
    { name: "campaign_gap_s", value: 86400, defaultValue: 86400, isSet: false, description: "" },
  ],
  readOnlyReason: null,
};

describe("isNetwork", () => {
  it.each(["10.0.0.0/8", "192.0.2.7", "0.0.0.0/0", "2001:db8::/32", "::1", "fe80::1/64", "::ffff:192.0.2.1"])("accepts %s", (text) => {
    expect(isNetwork(text)).toBe(true);
  });

  it.each(["10.0.0.0/33", "256.0.0.1", "10.0.0", "2001:db8::/129", "1::2::3", "host.example", "10.0.0.0/8/1", ""])("rejects %s", (text) => {
    expect(isNetwork(text)).toBe(false);
  });
});

describe("networkLines", () => {
  it("splits on lines, commas and spaces", () => {
    expect(networkLines("10.0.0.0/8\n 192.0.2.7, 2001:db8::/32\n\n")).toEqual(["10.0.0.0/8", "192.0.2.7", "2001:db8::/32"]);
  });
});

describe("validateSettingsForm", () => {
  it("accepts the stored settings", () => {
    expect(validateSettingsForm(formFromView(VIEW))).toEqual({});
  });

  it("names each invalid field", () => {
    const form = formFromView(VIEW);
    form.internalNetworks = "10.0.0.0/8\n10.0.0.0/33";
    form.parameters.min_ports_vertical = "0";
    form.parameters.campaign_gap_s = "1.5";
    form.organisation = "x".repeat(201);
    const problems = validateSettingsForm(form);
    expect(problems.internalNetworks).toContain("10.0.0.0/33");
    expect(problems["parameter:min_ports_vertical"]).toContain("at least 1");
    expect(problems["parameter:campaign_gap_s"]).toContain("'1.5'");
    expect(problems.organisation).toContain("at most 200");
    expect(problems.examiner).toBeUndefined();
  });
});

describe("requestFromForm", () => {
  it("sends set parameters as numbers and empty ones as null", () => {
    const form = formFromView(VIEW);
    expect(form.parameters).toEqual({ min_ports_vertical: "9", campaign_gap_s: "" });
    form.organisation = "  Example GmbH ";
    const request = requestFromForm(form);
    expect(request.organisation).toBe("Example GmbH");
    expect(request.internalNetworks).toEqual(["10.0.0.0/8", "192.168.0.0/16"]);
    expect(request.parameters).toEqual([
      { name: "min_ports_vertical", value: 9 },
      { name: "campaign_gap_s", value: null },
    ]);
  });
});
