// Client ids and client secrets of OAuth credentials: how they are made, stored and checked.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Bytes of CSPRNG output in a client secret: 256 bits. */
const SECRET_BYTES = 32;

/** A new public client id: 128 random bits, 32 lower-case hex characters. */
export function newClientApiIdentifier(): string {
  return randomBytes(16).toString("hex");
}

/** A new client secret: 256 random bits from the CSPRNG, base64url (43 characters). */
export function newClientSecret(): string {
  return randomBytes(SECRET_BYTES).toString("base64url");
}

/**
 * What is stored instead of the secret. A plain SHA-256 is enough here, unlike for passwords: the
 * secret carries 256 bits of entropy, so a stolen hash cannot be reversed by guessing, and a slow
 * KDF (scrypt, argon2) would only add cost to every token request without adding safety. Salting
 * is unnecessary for the same reason: no two secrets collide and there is no dictionary to
 * precompute.
 */
export function hashClientSecret(secret: string): Buffer {
  return createHash("sha256").update(secret, "utf8").digest();
}

// Compared against when no credential matches, so an unknown client id costs the same hash and
// comparison as a known one.
const DUMMY_HASH = hashClientSecret(newClientSecret());

/** Constant-time check of a presented secret against a stored hash (or none). */
export function secretMatches(presented: string, storedHash: Uint8Array | undefined): boolean {
  const presentedHash = hashClientSecret(presented);
  const stored = storedHash && storedHash.length === presentedHash.length ? Buffer.from(storedHash) : DUMMY_HASH;
  // Both sides are 32-byte digests, so timingSafeEqual never throws on length, and the time taken
  // does not depend on how much of the secret was right.
  const equal = timingSafeEqual(presentedHash, stored);
  return equal && storedHash !== undefined && stored !== DUMMY_HASH;
}
