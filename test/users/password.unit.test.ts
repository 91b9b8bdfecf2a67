// Password hashing and policy on their own: the stored format and its parameters, verification
// (NFC, malformed and empty hashes refused), when a hash needs a rehash, and every policy rule at its
// boundary. Small scrypt parameters where the cost does not matter, so the file runs in milliseconds.
import { scryptSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { PasswordPolicy } from "../../src/user-pools/tables.js";
import { createHashQueue, type HashQueue } from "../../src/users/hash-queue.js";
import {
  hashPassword,
  hashPasswordFor,
  MAX_PASSWORD_LENGTH,
  needsRehash,
  policyViolation,
  SCRYPT_PARAMS,
  verifyPasswordFor,
  verifyPasswordHash,
} from "../../src/users/password.js";

const FAST = { N: 1024, r: 8, p: 1 };
const b64 = (b: Buffer) => b.toString("base64");
/** A stored hash written by hand, for formats hashPassword never produces. */
const stored = (password: string, N: number, r: number, p: number, keyLength = 32, salt = Buffer.alloc(16, 7)) =>
  `scrypt$${N}$${r}$${p}$${b64(salt)}$${b64(scryptSync(password, salt, keyLength, { N, r, p }))}`;

describe("hashPassword and verifyPasswordHash", () => {
  it("store scrypt$N$r$p$salt$key with a 16-byte random salt and a 32-byte key", async () => {
    // Today's cost (the default) is hashed once, in the queue test below; every other hash here is cheap.
    expect(SCRYPT_PARAMS).toEqual({ N: 32768, r: 8, p: 1 });
    const h = await hashPassword("Correct horse 1", FAST);
    const [alg, N, r, p, salt, key] = h.split("$");
    expect([alg, N, r, p]).toEqual(["scrypt", "1024", "8", "1"]);
    expect([Buffer.from(salt!, "base64").length, Buffer.from(key!, "base64").length]).toEqual([16, 32]);
    expect(await verifyPasswordHash("Correct horse 1", h)).toBe(true);
    expect(await verifyPasswordHash("Correct horse 2", h)).toBe(false);
  });
  it("salt every hash afresh and record the parameters used", async () => {
    const a = await hashPassword("pw", FAST);
    const b = await hashPassword("pw", FAST);
    expect(a).not.toBe(b);
    expect(a.startsWith("scrypt$1024$8$1$")).toBe(true);
    expect(await verifyPasswordHash("pw", a)).toBe(true);
    expect(await verifyPasswordHash("pw", await hashPassword("pw", { N: 1024, r: 4, p: 2 }))).toBe(true);
  });
  it("hash the NFC form, so the same password typed composed or decomposed matches", async () => {
    const h = await hashPassword("caf\u00e9", FAST);
    expect(await verifyPasswordHash("cafe\u0301", h)).toBe(true);
    expect(await verifyPasswordHash("cafe\u0301", stored("caf\u00e9", 1024, 8, 1))).toBe(true);
  });
  it("verify with the key length the hash was stored with", async () => {
    expect(await verifyPasswordHash("pw", stored("pw", 1024, 8, 1, 16))).toBe(true);
    expect(await verifyPasswordHash("px", stored("pw", 1024, 8, 1, 16))).toBe(false);
  });
  it.each([
    ["empty", ""],
    ["another algorithm", stored("pw", 1024, 8, 1).replace(/^scrypt/, "bcrypt")],
    ["five fields", stored("pw", 1024, 8, 1).split("$").slice(0, 5).join("$")],
    ["seven fields", `${stored("pw", 1024, 8, 1)}$x`],
    ["N of 0", stored("pw", 1024, 8, 1).replace("$1024$", "$0$")],
    ["r of -1", stored("pw", 1024, 8, 1).replace("$8$", "$-1$")],
    ["p of 1.5", stored("pw", 1024, 8, 1).replace(/\$1\$/, "$1.5$")],
    ["N not a number", stored("pw", 1024, 8, 1).replace("$1024$", "$x$")],
    ["N beyond safe integers", stored("pw", 1024, 8, 1).replace("$1024$", "$9007199254740993$")],
    ["an empty key", stored("pw", 1024, 8, 1).replace(/\$[^$]*$/, "$")],
  ])("refuse a stored hash with %s, without throwing", async (_name, hash) => {
    expect(await verifyPasswordHash("pw", hash)).toBe(false);
  });
  it("refuse a stored hash with a zero cost parameter, which Node's scrypt would silently replace by its default", async () => {
    // Written as r=0 or p=0 but computed with Node's defaults for them (r=8, p=1): accepting the zero would match.
    expect(await verifyPasswordHash("pw", stored("pw", 1024, 8, 1).replace("$1024$8$1$", "$1024$0$1$"))).toBe(false);
    expect(await verifyPasswordHash("pw", stored("pw", 1024, 8, 1).replace("$1024$8$1$", "$1024$8$0$"))).toBe(false);
  });
  it("fail on parameters scrypt cannot use", async () => {
    await expect(hashPassword("pw", { N: 3, r: 1, p: 1 })).rejects.toThrow();
  });
});

describe("hashPasswordFor and verifyPasswordFor", () => {
  /** The real fair queue, recording the lane of every job it is handed. */
  function recordingQueue(): HashQueue & { lanes: string[] } {
    const queue = createHashQueue({ concurrency: 1 });
    const lanes: string[] = [];
    return {
      lanes,
      concurrency: queue.concurrency,
      stats: () => queue.stats(),
      run: (lane, work) => (lanes.push(lane), queue.run(lane, work)),
    };
  }
  it("hash at today's cost in the account's lane, which scrypt's default memory bound could not", async () => {
    // 128 * N * r bytes of today's parameters is exactly Node's default maxmem of 32 MiB: without a
    // raised bound scrypt refuses, so this one hash at full cost is the test of that bound.
    const queue = recordingQueue();
    const h = await hashPasswordFor(queue, "2100000001", "Correct horse 1");
    expect(h.startsWith(`scrypt$${SCRYPT_PARAMS.N}$${SCRYPT_PARAMS.r}$${SCRYPT_PARAMS.p}$`)).toBe(true);
    expect(needsRehash(h)).toBe(false);
    expect(await verifyPasswordFor(queue, "2100000002", "Correct horse 1", h)).toBe(true);
    expect(queue.lanes).toEqual(["2100000001", "2100000002"]);
  });
  it("verify in the account's lane, false for a wrong password", async () => {
    const queue = recordingQueue();
    expect(await verifyPasswordFor(queue, "A", "pw", stored("pw", 1024, 8, 1))).toBe(true);
    expect(await verifyPasswordFor(queue, "B", "px", stored("pw", 1024, 8, 1))).toBe(false);
    expect(queue.lanes).toEqual(["A", "B"]);
  });
});

describe("needsRehash", () => {
  it("is false at today's parameters or above, true below any of them or for a malformed hash", () => {
    const at = (N: number, r: number, p: number) => `scrypt$${N}$${r}$${p}$AAAA$AAAA`;
    expect(needsRehash(at(32768, 8, 1))).toBe(false);
    expect(needsRehash(at(65536, 16, 2))).toBe(false);
    expect(needsRehash(at(16384, 8, 1))).toBe(true);
    expect(needsRehash(at(32768, 4, 1))).toBe(true);
    expect(needsRehash(at(65536, 16, 0))).toBe(true);
    expect(needsRehash("scrypt$1$2$3")).toBe(true);
  });
});

describe("policyViolation", () => {
  const none: PasswordPolicy = {
    MinLength: 1,
    RequireUppercase: false,
    RequireLowercase: false,
    RequireDigits: false,
    RequireSymbols: false,
  };
  const all: PasswordPolicy = { MinLength: 4, RequireUppercase: true, RequireLowercase: true, RequireDigits: true, RequireSymbols: true };
  it("passes a password that meets every rule", () => {
    expect(policyViolation("Ab1!", all)).toBeUndefined();
    expect(policyViolation("Éé٣—", all)).toBeUndefined();
    expect(policyViolation("aaaa", none)).toBeUndefined();
  });
  it("counts characters, not UTF-16 units, for MinLength and the maximum", () => {
    expect(policyViolation("😀😀😀", { ...none, MinLength: 4 })).toBe("the password is shorter than the pool's MinLength of 4 characters");
    expect(policyViolation("😀😀😀😀", { ...none, MinLength: 4 })).toBeUndefined();
    expect(policyViolation("😀".repeat(MAX_PASSWORD_LENGTH), none)).toBeUndefined();
    expect(policyViolation("a".repeat(MAX_PASSWORD_LENGTH + 1), none)).toBe("the password is longer than 256 characters");
    expect(MAX_PASSWORD_LENGTH).toBe(256);
  });
  it.each([
    ["an upper-case letter", "ab1!", "the pool's policy RequireUppercase needs an upper-case letter"],
    ["a lower-case letter", "AB1!", "the pool's policy RequireLowercase needs a lower-case letter"],
    ["a digit", "Abc!", "the pool's policy RequireDigits needs a digit"],
    ["a symbol", "Ab12", "the pool's policy RequireSymbols needs a symbol (neither letter, digit nor space)"],
    ["a symbol, which a space is not", "Ab1 ", "the pool's policy RequireSymbols needs a symbol (neither letter, digit nor space)"],
  ])("names the missing %s", (_name, password, message) => {
    expect(policyViolation(password, all)).toBe(message);
  });
  it("checks only the rules the pool turned on", () => {
    expect(policyViolation("ab1!", { ...all, RequireUppercase: false })).toBeUndefined();
    expect(policyViolation("AB1!", { ...all, RequireLowercase: false })).toBeUndefined();
    expect(policyViolation("Abc!", { ...all, RequireDigits: false })).toBeUndefined();
    expect(policyViolation("Ab12", { ...all, RequireSymbols: false })).toBeUndefined();
    expect(policyViolation("ABCD", { ...none, RequireUppercase: true })).toBeUndefined();
    expect(policyViolation("abcd", { ...none, RequireLowercase: true })).toBeUndefined();
    expect(policyViolation("1234", { ...none, RequireDigits: true })).toBeUndefined();
    expect(policyViolation("!!!!", { ...none, RequireSymbols: true })).toBeUndefined();
  });
});
