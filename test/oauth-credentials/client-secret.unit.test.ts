// Client ids and secrets on their own (src/oauth-credentials/secret.ts): their shape and entropy, the
// stored SHA-256, and the constant-time check the token endpoint's client authentication rests on
// (client-auth.ts), including the dummy comparison for a client without a stored hash.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashClientSecret, newClientApiIdentifier, newClientSecret, secretMatches } from "../../src/oauth-credentials/secret.js";

describe("newClientApiIdentifier and newClientSecret", () => {
  it("make 128-bit hex ids and 256-bit base64url secrets, new each time", () => {
    const ids = new Set(Array.from({ length: 50 }, newClientApiIdentifier));
    const secrets = new Set(Array.from({ length: 50 }, newClientSecret));
    expect(ids.size).toBe(50);
    expect(secrets.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    for (const s of secrets) {
      expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(s, "base64url").length).toBe(32);
    }
  });
});

describe("hashClientSecret", () => {
  it("is the SHA-256 of the secret's UTF-8 bytes", () => {
    expect(hashClientSecret("sécret")).toEqual(createHash("sha256").update(Buffer.from("sécret", "utf8")).digest());
    expect(hashClientSecret("a").length).toBe(32);
  });
});

describe("secretMatches", () => {
  const secret = newClientSecret();
  const stored = new Uint8Array(hashClientSecret(secret));
  it("accepts the secret against its stored hash", () => {
    expect(secretMatches(secret, stored)).toBe(true);
  });
  it.each([
    ["a wrong secret", `${secret}x`],
    ["a different case", secret.toUpperCase() === secret ? secret.toLowerCase() : secret.toUpperCase()],
    ["an empty secret", ""],
  ])("refuses %s", (_name, presented) => {
    expect(secretMatches(presented, stored)).toBe(false);
  });
  it("refuses everything when nothing is stored (unknown or public client), and a malformed stored hash", () => {
    expect(secretMatches(secret, undefined)).toBe(false);
    expect(secretMatches("", undefined)).toBe(false);
    expect(secretMatches(secret, stored.subarray(0, 31))).toBe(false);
    expect(secretMatches(secret, new Uint8Array(0))).toBe(false);
  });
});
