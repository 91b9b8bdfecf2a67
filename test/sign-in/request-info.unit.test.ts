// Which client address and scheme sign-in believes (src/sign-in/request-info.ts): forwarded headers
// only from a listed proxy, the right-most address no listed proxy wrote, the issuer's own origin
// shown to the library whatever a request carried.
import { describe, expect, it } from "vitest";
import { originHeaders, originOf, trustedProxies } from "../../src/sign-in/request-info.js";

describe("originOf", () => {
  const trusted = trustedProxies(["10.0.0.0/8", "127.0.0.1", "fd00::/8"]);
  const socket = (remoteAddress: string, encrypted = false) => ({ remoteAddress, encrypted });

  it("ignores forwarded headers from a peer that is not listed", () => {
    const o = originOf(trusted, socket("203.0.113.9"), { "x-forwarded-for": "198.51.100.1", "x-forwarded-proto": "https" });
    expect(o).toEqual({ address: "203.0.113.9", scheme: undefined, viaTrustedProxy: false });
    expect(originOf(() => false, socket("127.0.0.1"), { "x-forwarded-for": "198.51.100.1" }).address).toBe("127.0.0.1");
  });

  it("takes the right-most address no listed proxy wrote", () => {
    const headers = { "x-forwarded-for": "1.1.1.1, 198.51.100.7, 10.1.2.3", "x-forwarded-proto": "https" };
    expect(originOf(trusted, socket("127.0.0.1"), headers)).toEqual({ address: "198.51.100.7", scheme: "https", viaTrustedProxy: true });
    // IPv4-mapped peers, ports and brackets are read as the addresses they are.
    expect(originOf(trusted, socket("::ffff:127.0.0.1"), { "x-forwarded-for": "198.51.100.7:4711" }).address).toBe("198.51.100.7");
    expect(originOf(trusted, socket("fd00::1"), { "x-forwarded-for": "[2001:db8::5]:443" }).address).toBe("2001:db8::5");
  });

  it("stops at an entry that is no address, and falls back to the proxy without a header", () => {
    expect(originOf(trusted, socket("127.0.0.1"), { "x-forwarded-for": "evil, 10.0.0.2" }).address).toBe("10.0.0.2");
    expect(originOf(trusted, socket("127.0.0.1"), {}).address).toBe("127.0.0.1");
    expect(originOf(trusted, socket("127.0.0.1"), { "x-forwarded-proto": "gopher" }).scheme).toBeUndefined();
    expect(originOf(trusted, socket("127.0.0.1"), { "x-forwarded-proto": "https, http" }).scheme).toBe("http");
  });

  it("a TLS socket is https whoever the peer is", () => {
    expect(originOf(trusted, socket("203.0.113.9", true), { "x-forwarded-proto": "http" }).scheme).toBe("https");
  });
});

describe("originHeaders", () => {
  it("replaces whatever forwarded headers a request carried with the issuer's origin and the trusted address", () => {
    const headers: Record<string, string | string[] | undefined> = {
      host: "id.example.com",
      forwarded: "host=evil.example;proto=http",
      "x-forwarded-host": "evil.example",
      "x-forwarded-proto": "http",
      "x-forwarded-for": "1.2.3.4, 5.6.7.8",
    };
    originHeaders(headers, "https://id.example.com/base/userpool/p1", {
      address: "198.51.100.7",
      scheme: undefined,
      viaTrustedProxy: false,
    });
    expect(headers).toEqual({
      host: "id.example.com",
      "x-forwarded-host": "id.example.com",
      "x-forwarded-proto": "https",
      "x-forwarded-for": "198.51.100.7",
    });
  });
});
