// The ID token's checks (OpenID Connect Core 1.0 §3.1.3.7), apart from where the keys come from
// (oidc.ts: the issuer's JWKS through the guarded client), so they can be unit-tested against local
// keys: the signature under an asymmetric algorithm, iss, aud, exp and iat with a small skew, then
// sub, the nonce we sent, azp when present or when there are several audiences, and at_hash when
// present. Each refusal is a FederationFailure naming the check; jose's own refusals are thrown as
// they are (oidc.ts turns them into failures).
import { createHash, timingSafeEqual } from "node:crypto";
import { type JWTPayload, type JWTVerifyGetKey, jwtVerify } from "jose";
import { FederationFailure } from "./profile.js";

/** Clock skew allowed on exp, iat and nbf. */
export const SKEW_SECONDS = 60;
/** Asymmetric algorithms only: a symmetric one would be keyed with our own client secret. */
export const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];

/** OIDC Core §3.2.2.9: the left half of the token's hash under the ID token's algorithm's hash. */
export function atHashMatches(alg: string, accessToken: string, atHash: string): boolean {
  const bits = alg === "EdDSA" ? "512" : alg.slice(2);
  const hash = createHash(`sha${bits === "384" || bits === "512" ? bits : "256"}`)
    .update(accessToken, "ascii")
    .digest();
  const expected = Buffer.from(hash.subarray(0, hash.length / 2).toString("base64url"));
  const got = Buffer.from(atHash);
  return expected.length === got.length && timingSafeEqual(expected, got);
}

export interface IdTokenExpectation {
  issuer: string;
  clientId: string;
  nonce: string;
  accessToken: string;
}

/** The ID token's payload once every check of Core §3.1.3.7 holds; `keys` is the issuer's key set. */
export async function verifyIdToken(
  idToken: string,
  keys: JWTVerifyGetKey,
  expected: IdTokenExpectation,
): Promise<JWTPayload & { sub: string }> {
  const { payload, protectedHeader } = await jwtVerify(idToken, keys, {
    issuer: expected.issuer,
    audience: expected.clientId,
    algorithms: ALGORITHMS,
    clockTolerance: SKEW_SECONDS,
    requiredClaims: ["sub", "exp", "iat"],
  });
  if (typeof payload.sub !== "string" || payload.sub === "") throw new FederationFailure("invalid_response", "the ID token has no sub");
  if (payload.nonce !== expected.nonce) throw new FederationFailure("invalid_response", "the ID token's nonce is not the one sent");
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if ((audiences.length > 1 || payload.azp !== undefined) && payload.azp !== expected.clientId)
    throw new FederationFailure("invalid_response", "the ID token's azp is not our client id");
  if (
    payload.at_hash !== undefined &&
    (typeof payload.at_hash !== "string" || !atHashMatches(protectedHeader.alg, expected.accessToken, payload.at_hash))
  )
    throw new FederationFailure("invalid_response", "the ID token's at_hash does not match the access token");
  return payload as JWTPayload & { sub: string };
}
