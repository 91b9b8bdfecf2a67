// The secret box's contract: what it seals opens only under the same key and associated data, and
// every refusal (bad master key, unknown key id, truncated or tampered blob, wrong associated data)
// is its own SecretBoxError, never a raw Node error or a wrong plaintext. Every box is made inside a
// test: a constructor that throws while vitest collects the file would hide the file's tests from the
// mutation run instead of failing them.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateMasterKey, keyIdOf, SecretBox, SecretBoxError, type Sealed } from "../../../src/platform/crypto/secret-box.js";

const keyA = Buffer.alloc(32, 1).toString("base64");
const keyB = Buffer.alloc(32, 2).toString("base64");
const opening = (box: SecretBox, sealed: Sealed, ad: string) => () => box.open(sealed, ad);

describe("master keys", () => {
  it("must be 32 bytes, current and previous alike", () => {
    for (const bad of ["", Buffer.alloc(31).toString("base64"), Buffer.alloc(33).toString("base64"), "not base64!"]) {
      expect(() => new SecretBox(bad), `current ${JSON.stringify(bad)}`).toThrow(SecretBoxError);
      expect(() => new SecretBox(keyA, [keyB, bad]), `previous ${JSON.stringify(bad)}`).toThrow(SecretBoxError);
    }
    expect(() => new SecretBox(keyA, [keyB])).not.toThrow();
  });
  it("say which key is wrong", () => {
    expect(() => new SecretBox("")).toThrow(/^master key must be 32 bytes$/);
    expect(() => new SecretBox(keyA, [""])).toThrow(/^previous master key must be 32 bytes$/);
  });
  it("are named by the first 16 hex characters of their SHA-256", () => {
    expect(keyIdOf(Buffer.from("abc"))).toBe("ba7816bf8f01cfea");
    expect(new SecretBox(keyA).currentKeyId).toBe(keyIdOf(Buffer.alloc(32, 1)));
  });
  it("are generated as 32 random bytes in base64", () => {
    const k = generateMasterKey();
    expect(Buffer.from(k, "base64")).toHaveLength(32);
    expect(generateMasterKey()).not.toBe(k);
    expect(() => new SecretBox(k)).not.toThrow();
  });
});

describe("seal and open", () => {
  let made: SecretBox | undefined;
  const boxA = () => (made ??= new SecretBox(keyA));

  it("round-trips UTF-8 text, empty text included, under a fresh IV each time", () => {
    for (const plain of ["secret", "", "é中\u{1F600}"]) expect(boxA().open(boxA().seal(plain, "row-1"), "row-1")).toBe(plain);
    const a = boxA().seal("same", "ad");
    const b = boxA().seal("same", "ad");
    expect(Buffer.from(a.blob).equals(Buffer.from(b.blob))).toBe(false);
    expect(a.keyId).toBe(boxA().currentKeyId);
    // iv (12) + tag (16) + ciphertext, the same length as the UTF-8 plaintext
    expect(boxA().seal("é", "ad").blob).toHaveLength(28 + 2);
  });

  it("does not keep the plaintext in the blob", () => {
    const sealed = boxA().seal("plain-text-secret", "ad");
    expect(Buffer.from(sealed.blob).toString("latin1")).not.toContain("plain-text-secret");
  });

  it("refuses the wrong associated data", () => {
    const sealed = boxA().seal("secret", "account-1/key-1");
    expect(opening(boxA(), sealed, "account-1/key-2")).toThrow(SecretBoxError);
    expect(opening(boxA(), sealed, "")).toThrow(/does not open/);
  });

  it("refuses a tampered blob, wherever the flipped bit is", () => {
    const sealed = boxA().seal("secret", "ad");
    for (const at of [0, 11, 12, 27, 28, sealed.blob.length - 1]) {
      const blob = Buffer.from(sealed.blob);
      blob[at]! ^= 1;
      expect(opening(boxA(), { ...sealed, blob }, "ad"), `byte ${at}`).toThrow(SecretBoxError);
    }
  });

  it("refuses a truncated blob with its own error, and opens the shortest whole one", () => {
    const sealed = boxA().seal("secret", "ad");
    for (const n of [0, 1, 12, 27]) {
      expect(opening(boxA(), { ...sealed, blob: sealed.blob.subarray(0, n) }, "ad"), `${n} bytes`).toThrow(/^sealed secret is truncated$/);
    }
    expect(opening(boxA(), { ...sealed, blob: sealed.blob.subarray(0, 28) }, "ad")).toThrow(/does not open/);
    const empty = boxA().seal("", "ad");
    expect(empty.blob).toHaveLength(28);
    expect(boxA().open(empty, "ad")).toBe("");
  });

  it("refuses an unknown key id with its own error, naming the id", () => {
    const sealed = boxA().seal("secret", "ad");
    expect(opening(boxA(), { ...sealed, keyId: "0123456789abcdef" }, "ad")).toThrow(
      /^no master key with id 0123456789abcdef is configured$/,
    );
    expect(opening(new SecretBox(keyB), sealed, "ad")).toThrow(SecretBoxError);
  });

  it("refuses a blob sealed under another key with the same id", () => {
    const other = new SecretBox(keyB).seal("secret", "ad");
    expect(opening(boxA(), { ...other, keyId: boxA().currentKeyId }, "ad")).toThrow(SecretBoxError);
  });
});

describe("rotation", () => {
  it("opens with a previous key, seals with the current one, and flags the old as stale", () => {
    const old = new SecretBox(keyB).seal("secret", "ad");
    const rotated = new SecretBox(keyA, [keyB]);
    expect(rotated.open(old, "ad")).toBe("secret");
    expect(rotated.isStale(old)).toBe(true);
    const fresh = rotated.seal("secret", "ad");
    expect(fresh.keyId).toBe(keyIdOf(Buffer.alloc(32, 1)));
    expect(rotated.isStale(fresh)).toBe(false);
    expect(new SecretBox(keyB).open(old, "ad")).toBe("secret");
  });
  it("never lets a previous key seal", () => {
    const box = new SecretBox(keyA, [keyB, Buffer.from(randomBytes(32)).toString("base64")]);
    expect(box.seal("x", "ad").keyId).toBe(box.currentKeyId);
  });
});
