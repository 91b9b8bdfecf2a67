// The hash primitives of the signature: SHA-256 and HMAC-SHA256 from @noble/hashes, and a
// constant-time comparison. Kept in one place so the benchmark can swap implementations.
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";

export type Bytes = Uint8Array;

export const toBytes = (s: string | Bytes): Bytes => (typeof s === "string" ? utf8ToBytes(s) : s);

export function sha256Hex(data: string | Bytes): string {
  return bytesToHex(sha256(toBytes(data)));
}

export function hmacSha256(key: string | Bytes, message: string | Bytes): Bytes {
  return hmac(sha256, toBytes(key), toBytes(message));
}

export function hmacHex(key: Bytes, message: string): string {
  return bytesToHex(hmacSha256(key, message));
}

/** kSigning = HMAC chain over (date, region, service, "request"); the secret is used as UTF-8, unprefixed. */
export function deriveSigningKey(secret: string, shortDate: string, region: string, service: string): Bytes {
  const kDate = hmacSha256(secret, shortDate);
  const kRegion = hmacSha256(kDate, region);
  const kService = hmacSha256(kRegion, service);
  return hmacSha256(kService, "request");
}

/** Compares two equal-length ASCII strings without an early exit. */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
