// The hash primitives of the signature: SHA-256 and HMAC-SHA256, and a constant-time comparison.
// node:crypto (OpenSSL) rather than @noble/hashes on this path: bench/micro.ts measured one HMAC at
// 1.3 µs against 7.9 µs, which decides whether verification fits its 10 µs budget (bench/REPORT.md).
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export type Bytes = Uint8Array;

export function sha256Hex(data: string | Bytes): string {
  return createHash("sha256").update(data).digest("hex");
}

export function hmacSha256(key: string | Bytes, message: string | Bytes): Bytes {
  return createHmac("sha256", key).update(message).digest();
}

export function hmacHex(key: Bytes, message: string): string {
  return createHmac("sha256", key).update(message).digest("hex");
}

/** kSigning = HMAC chain over (date, region, service, "request"); the secret is used as UTF-8, unprefixed. */
export function deriveSigningKey(secret: string, shortDate: string, region: string, service: string): Bytes {
  const kDate = hmacSha256(Buffer.from(secret, "utf8"), shortDate);
  const kRegion = hmacSha256(kDate, region);
  const kService = hmacSha256(kRegion, service);
  return hmacSha256(kService, "request");
}

/** Compares two hex signatures without an early exit. */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a, "latin1"), Buffer.from(b, "latin1"));
}
