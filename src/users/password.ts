// Passwords: the pool's policy check and the slow salted hash. scrypt from node:crypto runs on the
// libuv threadpool (async), so hashing never blocks the event loop and concurrent hashes use every
// core. The parameters travel with each hash (scrypt$N$r$p$salt$hash), so they can be raised later
// without invalidating stored hashes; needsRehash says when a stored hash is below today's cost.
// Services hash and verify through hashPasswordFor / verifyPasswordFor: in the account's lane of the
// fair queue (hash-queue.ts), so no tenant's batch can hold the threadpool against another's.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import type { PasswordPolicy } from "../user-pools/tables.js";
import type { HashQueue } from "./hash-queue.js";

/**
 * N=2^15, r=8, p=1: 32 MiB and about 65 ms per hash on one core of the reference machine (twice
 * libsodium's "interactive" memory). Chosen so a 100-user CreateUsers finishes in a few seconds on two
 * cores, well inside an SDK's 10 s timeout; raise it here and needsRehash flags older hashes.
 */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_BYTES = 16;
/** Upper bound on input, so a caller cannot make one hash arbitrarily expensive. */
export const MAX_PASSWORD_LENGTH = 256;

/** NFC first, as RFC 8265 asks of passwords: the same password typed on two keyboards hashes alike. */
function scryptAsync(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFC"), salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

const maxmemFor = (N: number, r: number) => 128 * N * r * 2;

export async function hashPassword(password: string, params: { N: number; r: number; p: number } = SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(password, salt, KEY_LENGTH, { ...params, maxmem: maxmemFor(params.N, params.r) });
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): ParsedHash | undefined {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isSafeInteger(n) && n > 0)) return undefined;
  return { N, r, p, salt: Buffer.from(parts[4]!, "base64"), key: Buffer.from(parts[5]!, "base64") };
}

/** Constant-time check of a password against a stored hash; false for a malformed hash. */
export async function verifyPasswordHash(password: string, stored: string): Promise<boolean> {
  const h = parseHash(stored);
  if (!h || h.key.length === 0) return false;
  const key = await scryptAsync(password, h.salt, h.key.length, { N: h.N, r: h.r, p: h.p, maxmem: maxmemFor(h.N, h.r) });
  return timingSafeEqual(key, h.key);
}

/** hashPassword in the account's lane of the fair queue. */
export function hashPasswordFor(queue: HashQueue, accountId: string, password: string): Promise<string> {
  return queue.run(accountId, () => hashPassword(password));
}

/** verifyPasswordHash in the account's lane of the fair queue: a check costs what a hash does. */
export function verifyPasswordFor(queue: HashQueue, accountId: string, password: string, stored: string): Promise<boolean> {
  return queue.run(accountId, () => verifyPasswordHash(password, stored));
}

/** True when the stored hash was made with weaker parameters than today's. */
export function needsRehash(stored: string): boolean {
  const h = parseHash(stored);
  return !h || h.N < SCRYPT_PARAMS.N || h.r < SCRYPT_PARAMS.r || h.p < SCRYPT_PARAMS.p;
}

/**
 * Checks a password against a pool's policy. Returns undefined when it passes, otherwise a
 * sentence naming the rule that failed (the caller turns it into InvalidParameter.<Param>).
 * Lengths count characters (code points), not UTF-16 units or bytes.
 */
export function policyViolation(password: string, policy: PasswordPolicy): string | undefined {
  const length = [...password].length;
  if (length < policy.MinLength) return `the password is shorter than the pool's MinLength of ${policy.MinLength} characters`;
  if (length > MAX_PASSWORD_LENGTH) return `the password is longer than ${MAX_PASSWORD_LENGTH} characters`;
  if (policy.RequireUppercase && !/\p{Lu}/u.test(password)) return "the pool's policy RequireUppercase needs an upper-case letter";
  if (policy.RequireLowercase && !/\p{Ll}/u.test(password)) return "the pool's policy RequireLowercase needs a lower-case letter";
  if (policy.RequireDigits && !/\p{Nd}/u.test(password)) return "the pool's policy RequireDigits needs a digit";
  if (policy.RequireSymbols && !/[^\p{L}\p{N}\s]/u.test(password))
    return "the pool's policy RequireSymbols needs a symbol (neither letter, digit nor space)";
  return undefined;
}
