// The check of an access token's signature against its pool's published keys, with node:crypto.
//
// Why not jose here (it signs them, access-tokens.ts): jose verifies through WebCrypto, an
// asynchronous job on libuv's thread pool, about 120 µs of CPU an ES256 verification on the
// machine of bench/REPORT.md against about 70 µs for node:crypto's one-shot verify; every userinfo
// call and every token lookup makes one. What is accepted is narrow on purpose: exactly the JWS
// this pool writes (compact form, a protected header of `alg`, `kid` and `typ: at+jwt` and nothing
// else, so no `crit`, `b64`, `jku` or `jwk`), a key named by its `kid` whose own `alg` is the
// header's (no algorithm is taken from the token), ES256 (IEEE P1363 signature) or RS256.
import { createPublicKey, verify, type KeyObject } from "node:crypto";

export type SigningAlg = "ES256" | "RS256";

/** A pool's published signing key, as its JWKS lists it (a private key yields its public part). */
export interface PublishedKey {
  kid?: unknown;
  alg?: unknown;
  [member: string]: unknown;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const HEADER_MEMBERS = new Set(["alg", "kid", "typ"]);
/** Longer than any access token this service writes: refused unread. */
export const MAX_ACCESS_TOKEN = 4096;

/** A base64url part's JSON; undefined when it is not JSON. */
function parsed(part: string): Record<string, unknown> | null | undefined {
  try {
    return JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown> | null;
  } catch {
    return undefined;
  }
}

/**
 * A verifier of this pool's access tokens: the claims of a JWT signed by one of `keys` as an access
 * token (`typ: at+jwt`) with a non-empty `jti`; undefined for anything else. Expiry is not checked
 * here: a token's stored row, or for a stateless one its `exp`, is the caller's.
 */
export function accessTokenVerifier(keys: readonly PublishedKey[]): (value: unknown) => Record<string, unknown> | undefined {
  const byKid = new Map<unknown, { alg: SigningAlg; key: KeyObject }>();
  for (const k of keys) {
    if (typeof k.kid !== "string" || (k.alg !== "ES256" && k.alg !== "RS256")) continue;
    byKid.set(k.kid, { alg: k.alg, key: createPublicKey({ key: k as never, format: "jwk" }) });
  }
  return (value) => {
    if (typeof value !== "string" || value.length > MAX_ACCESS_TOKEN) return undefined;
    const parts = value.split(".");
    if (parts.length !== 3 || !parts.every((p) => BASE64URL.test(p))) return undefined;
    const [head, body, signature] = parts as [string, string, string];
    // Any JSON but an object has no `typ` (and null is refused first).
    const header = parsed(head);
    if (!header || header.typ !== "at+jwt" || Object.keys(header).some((m) => !HEADER_MEMBERS.has(m))) return undefined;
    const key = byKid.get(header.kid);
    if (!key || header.alg !== key.alg) return undefined;
    // dsaEncoding is the JWS form of an ECDSA signature (r || s); RSA keys ignore it.
    const valid = verify(
      "sha256",
      Buffer.from(`${head}.${body}`),
      { key: key.key, dsaEncoding: "ieee-p1363" },
      Buffer.from(signature, "base64url"),
    );
    const claims = valid ? parsed(body) : undefined;
    return typeof claims?.jti === "string" && claims.jti.length > 0 ? claims : undefined;
  };
}
