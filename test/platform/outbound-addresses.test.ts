// The outbound address policy as a table (issue 22, items 6 and 7): which literal addresses and
// which host names a tenant's URL may make idplane reach, with and without the operator's allowances.
import { describe, expect, it } from "vitest";
import { AddressPolicy, isInternalName } from "../../src/platform/outbound/addresses.js";

const strict = new AddressPolicy([]);

describe("outbound address policy", () => {
  it.each([
    // IPv4-compatible (::/96) and IPv4-translated (::ffff:0:0:0/96) forms of any address.
    ["::127.0.0.1", false],
    ["::7f00:1", false],
    ["::8.8.8.8", false],
    ["::a9fe:a9fe", false],
    ["::ffff:0:127.0.0.1", false],
    ["::ffff:0:7f00:1", false],
    ["::ffff:0:808:808", false],
    // IPv4-mapped: judged as the IPv4 address inside.
    ["::ffff:127.0.0.1", false],
    ["::ffff:7f00:1", false],
    ["::ffff:169.254.169.254", false],
    ["::ffff:10.0.0.1", false],
    ["::ffff:8.8.8.8", true],
    ["::ffff:808:808", true],
    // The rest, as before.
    ["::", false],
    ["::1", false],
    ["169.254.169.254", false],
    ["10.0.0.1", false],
    ["127.0.0.1", false],
    ["fd00::1", false],
    ["fe80::1", false],
    ["8.8.8.8", true],
    ["2606:4700:4700::1111", true],
  ])("%s is reachable: %s", (address, reachable) => {
    expect(strict.refusal(address) === undefined).toBe(reachable);
  });

  it("lets the operator allow what it lists, in every form", () => {
    const lan = new AddressPolicy(["10.0.0.0/8", "::1"]);
    expect(lan.refusal("10.1.2.3")).toBeUndefined();
    expect(lan.refusal("::ffff:10.1.2.3")).toBeUndefined();
    expect(lan.refusal("::1")).toBeUndefined();
    expect(lan.refusal("127.0.0.1")).toMatch(/not a public address/);
  });

  it.each([
    ["localhost", true],
    ["LOCALHOST.", true],
    ["app.localhost", true],
    ["metadata.google.internal", true],
    ["printer.local", true],
    ["nas.home.arpa", true],
    ["vm", true],
    ["metadata", true],
    ["idp.example.com", false],
    ["internal.example.com", false],
    ["accounts.google.com", false],
  ])("%s is an internal name: %s", (host, internal) => {
    expect(isInternalName(host)).toBe(internal);
  });
});
