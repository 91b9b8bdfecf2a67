// Which addresses the guarded outbound fetch may reach: public ones, and the non-public ones the
// operator lists (ID_OUTBOUND_ALLOW_ADDRESSES); an IPv4 address inside IPv6 is judged as itself.
import { describe, expect, it } from "vitest";
import { AddressPolicy, isAddressOrBlock, isLoopbackHost } from "../../../src/platform/outbound/addresses.js";

describe("outbound address policy", () => {
  it("refuses loopback, private, link-local, shared, reserved and their IPv6 forms", () => {
    const policy = new AddressPolicy([]);
    for (const a of [
      "127.0.0.1",
      "10.1.2.3",
      "172.16.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "224.0.0.1",
      "255.255.255.255",
      "::1",
      "::",
      "fe80::1",
      "fd00::1",
      "::ffff:127.0.0.1",
      "::ffff:10.0.0.1",
      "64:ff9b::a00:1",
      "2001:db8::1",
    ]) {
      expect(policy.refusal(a), a).toMatch(/is not a public address/);
    }
  });

  it("lets public addresses through", () => {
    const policy = new AddressPolicy([]);
    for (const a of ["8.8.8.8", "1.1.1.1", "172.32.0.1", "192.169.0.1", "2606:4700::1111", "::ffff:8.8.8.8"])
      expect(policy.refusal(a), a).toBeUndefined();
  });

  it("lets the listed addresses and blocks through, and only those", () => {
    const policy = new AddressPolicy(["127.0.0.1", "10.0.0.0/8", "fd00::/8"]);
    for (const a of ["127.0.0.1", "10.200.1.1", "fd12::1", "::ffff:10.0.0.5"]) expect(policy.refusal(a), a).toBeUndefined();
    for (const a of ["127.0.0.2", "192.168.0.1", "169.254.169.254", "fe80::1"]) expect(policy.refusal(a), a).toBeDefined();
  });

  it("checks the configured entries' form", () => {
    for (const ok of ["127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8", "0.0.0.0/0"]) expect(isAddressOrBlock(ok), ok).toBe(true);
    for (const bad of ["localhost", "10.0.0.0/33", "::/129", "10.0.0.0/8/1", "10.0.0.0/x", ""])
      expect(isAddressOrBlock(bad), bad).toBe(false);
  });

  it("knows the loopback host names", () => {
    for (const h of ["localhost", "127.0.0.1", "127.1.2.3", "[::1]"]) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ["localhost.example.com", "10.0.0.1", "example.com"]) expect(isLoopbackHost(h), h).toBe(false);
  });
});
