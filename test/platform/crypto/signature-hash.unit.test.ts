// The hash primitives of the signature against known answers (FIPS 180 / RFC 4231 and docs/spec/signing.md's
// worked example), and the constant-time comparison's refusals.
import { describe, expect, it } from "vitest";
import { constantTimeEqual, deriveSigningKey, hmacHex, hmacSha256, sha256Hex } from "../../../src/platform/crypto/signature-hash.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("SHA-256 and HMAC-SHA256", () => {
  it("match the published test vectors", () => {
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256Hex(new Uint8Array(0))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    // RFC 4231 test case 2
    const expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    expect(hex(hmacSha256("Jefe", "what do ya want for nothing?"))).toBe(expected);
    expect(hmacHex(Buffer.from("Jefe"), "what do ya want for nothing?")).toBe(expected);
  });

  it("derive the signing key of docs/spec/signing.md's worked example", () => {
    const canonical = [
      "POST",
      "/",
      "Action=CreateThing&Version=2025-10-30",
      "x-content-sha256:b80af213cb34e22ae7b6ec8c31810430500a39a6e00a7c2a3ff9390ca17e1359\nx-date:20251030T080910Z\n",
      "x-content-sha256;x-date",
      "b80af213cb34e22ae7b6ec8c31810430500a39a6e00a7c2a3ff9390ca17e1359",
    ].join("\n");
    const stringToSign = `HMAC-SHA256\n20251030T080910Z\n20251030/cn-beijing/id/request\n${sha256Hex(canonical)}`;
    const key = deriveSigningKey("ZXhhbXBsZVNlY3JldEtleQ==", "20251030", "cn-beijing", "id");
    expect(hmacHex(key, stringToSign)).toBe("01148550a23db10f7b9fb57ee85484ec493bf052681c8c18fa9036879dac9b8d");
  });

  it("use every part of the scope and the secret as UTF-8", () => {
    const base = hex(deriveSigningKey("sk", "20251030", "cn-beijing", "id"));
    expect(hex(deriveSigningKey("sk2", "20251030", "cn-beijing", "id"))).not.toBe(base);
    expect(hex(deriveSigningKey("sk", "20251031", "cn-beijing", "id"))).not.toBe(base);
    expect(hex(deriveSigningKey("sk", "20251030", "cn-shanghai", "id"))).not.toBe(base);
    expect(hex(deriveSigningKey("sk", "20251030", "cn-beijing", "iam"))).not.toBe(base);
    const kDate = hmacSha256(Buffer.from("sé", "utf8"), "20251030");
    const expected = hmacSha256(hmacSha256(hmacSha256(kDate, "cn-beijing"), "id"), "request");
    expect(hex(deriveSigningKey("sé", "20251030", "cn-beijing", "id"))).toBe(hex(expected));
  });
});

describe("constantTimeEqual", () => {
  it("is true only for equal strings", () => {
    expect(constantTimeEqual("ab12", "ab12")).toBe(true);
    expect(constantTimeEqual("ab12", "ab13")).toBe(false);
    expect(constantTimeEqual("", "")).toBe(true);
  });
  it("answers false, without throwing, for strings of different lengths", () => {
    expect(constantTimeEqual("ab", "abc")).toBe(false);
    expect(constantTimeEqual("abc", "")).toBe(false);
  });
  it("compares one byte per character, so non-ASCII input cannot make it throw", () => {
    expect(constantTimeEqual("é", "e")).toBe(false);
    expect(constantTimeEqual("e", "é")).toBe(false);
  });
});
