// The ID token's checks (src/sign-in/federation/id-token-checks.ts; OpenID Connect Core 1.0
// §3.1.3.7) against keys made here, no JWKS server: every asymmetric algorithm accepted and nothing
// else, iss, aud, exp with its skew, nbf, the required claims, sub, nonce, azp and at_hash. The
// integration tests (test/sign-in/federation-*.test.ts) drive the same checks through a real
// provider and its JWKS.
import { createHash, generateKeyPairSync, type KeyObject } from "node:crypto";
import fc from "fast-check";
import { errors, type JWTPayload, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { ALGORITHMS, atHashMatches, SKEW_SECONDS, verifyIdToken } from "../../../src/sign-in/federation/id-token-checks.js";
import { FederationFailure } from "../../../src/sign-in/federation/profile.js";

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ec = {
  ES256: generateKeyPairSync("ec", { namedCurve: "P-256" }),
  ES384: generateKeyPairSync("ec", { namedCurve: "P-384" }),
  ES512: generateKeyPairSync("ec", { namedCurve: "P-521" }),
};
const ed = generateKeyPairSync("ed25519");
const keyFor = (alg: string): { privateKey: KeyObject; publicKey: KeyObject } =>
  alg.startsWith("ES") ? ec[alg as keyof typeof ec] : alg === "EdDSA" ? ed : rsa;

const expected = { issuer: "https://idp.example.test", clientId: "client-1", nonce: "nonce-1", accessToken: "access-token-1" };
const now = () => Math.floor(Date.now() / 1000);
const claims = (over: Record<string, unknown> = {}): JWTPayload => {
  const base: Record<string, unknown> = {
    iss: expected.issuer,
    aud: expected.clientId,
    sub: "user-1",
    nonce: expected.nonce,
    iat: now(),
    exp: now() + 300,
  };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete base[k];
    else base[k] = v;
  }
  return base as JWTPayload;
};
const sign = (payload: JWTPayload, alg = "ES256") => new SignJWT(payload).setProtectedHeader({ alg }).sign(keyFor(alg).privateKey);
/** The issuer's key set as jose asks for it: the public key for the header's algorithm. */
const keys = async (header: { alg?: string }) => keyFor(header.alg ?? "ES256").publicKey;

/** "accepted", a FederationFailure's detail, or jose's error code. */
async function verdict(token: string, expect_ = expected): Promise<string> {
  try {
    const payload = await verifyIdToken(token, keys, expect_);
    expect(payload.sub).toBeTypeOf("string");
    return "accepted";
  } catch (err) {
    if (err instanceof FederationFailure) {
      expect(err.reason).toBe("invalid_response");
      return err.detail;
    }
    expect(err).toBeInstanceOf(errors.JOSEError);
    return `${(err as errors.JOSEError).code}: ${(err as Error).message}`;
  }
}

/** at_hash computed from the spec, not from the module: the left half of the hash, base64url. */
function atHash(alg: string, token: string) {
  const hash = alg === "EdDSA" || alg.endsWith("512") ? "sha512" : alg.endsWith("384") ? "sha384" : "sha256";
  const digest = createHash(hash).update(token).digest();
  return digest.subarray(0, digest.length / 2).toString("base64url");
}

describe("verifyIdToken", () => {
  it("allows exactly the asymmetric algorithms", () => {
    expect(ALGORITHMS).toEqual(["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]);
    expect(SKEW_SECONDS).toBe(60);
  });

  it.each(ALGORITHMS)("accepts a token signed with %s, with its at_hash", async (alg) => {
    const token = await sign(claims({ at_hash: atHash(alg, expected.accessToken) }), alg);
    expect(await verdict(token)).toBe("accepted");
    const payload = await verifyIdToken(token, keys, expected);
    expect(payload).toMatchObject({ sub: "user-1", iss: expected.issuer, nonce: expected.nonce });
  });

  it("refuses a symmetric algorithm, even with the right secret", async () => {
    const secret = new TextEncoder().encode("a client secret that is long enough for HS256!");
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: "HS256" }).sign(secret);
    await expect(verifyIdToken(token, async () => secret, expected)).rejects.toMatchObject({ code: "ERR_JOSE_ALG_NOT_ALLOWED" });
  });

  it("refuses a token signed by another key", async () => {
    const other = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: "ES256" }).sign(other.privateKey);
    expect(await verdict(token)).toMatch(/^ERR_JWS_SIGNATURE_VERIFICATION_FAILED/);
  });

  it.each([
    ["another issuer", { iss: "https://evil.example.test" }, 'ERR_JWT_CLAIM_VALIDATION_FAILED: unexpected "iss" claim value'],
    ["no issuer", { iss: undefined }, 'ERR_JWT_CLAIM_VALIDATION_FAILED: missing required "iss" claim'],
    ["another audience", { aud: "client-2" }, 'ERR_JWT_CLAIM_VALIDATION_FAILED: unexpected "aud" claim value'],
    ["no audience", { aud: undefined }, 'ERR_JWT_CLAIM_VALIDATION_FAILED: missing required "aud" claim'],
    ["no sub", { sub: undefined }, 'ERR_JWT_CLAIM_VALIDATION_FAILED: missing required "sub" claim'],
    ["no exp", { exp: undefined }, 'ERR_JWT_CLAIM_VALIDATION_FAILED: missing required "exp" claim'],
    ["no iat", { iat: undefined }, 'ERR_JWT_CLAIM_VALIDATION_FAILED: missing required "iat" claim'],
    ["an exp past the skew", { exp: now() - 3 * SKEW_SECONDS }, 'ERR_JWT_EXPIRED: "exp" claim timestamp check failed'],
    ["an nbf past the skew", { nbf: now() + 3 * SKEW_SECONDS }, 'ERR_JWT_CLAIM_VALIDATION_FAILED: "nbf" claim timestamp check failed'],
    ["an empty sub", { sub: "" }, "the ID token has no sub"],
    ["a sub that is not a string", { sub: 42 }, "the ID token has no sub"],
    ["another nonce", { nonce: "nonce-2" }, "the ID token's nonce is not the one sent"],
    ["no nonce", { nonce: undefined }, "the ID token's nonce is not the one sent"],
    ["several audiences without azp", { aud: [expected.clientId, "client-2"] }, "the ID token's azp is not our client id"],
    [
      "several audiences, azp another client",
      { aud: [expected.clientId, "client-2"], azp: "client-2" },
      "the ID token's azp is not our client id",
    ],
    ["one audience, azp another client", { azp: "client-2" }, "the ID token's azp is not our client id"],
    ["one audience, an empty azp", { azp: "" }, "the ID token's azp is not our client id"],
    [
      "an at_hash of another token",
      { at_hash: atHash("ES256", "another-token") },
      "the ID token's at_hash does not match the access token",
    ],
    [
      "an at_hash under another hash",
      { at_hash: atHash("ES512", expected.accessToken) },
      "the ID token's at_hash does not match the access token",
    ],
    [
      "an at_hash one character short",
      { at_hash: atHash("ES256", expected.accessToken).slice(1) },
      "the ID token's at_hash does not match the access token",
    ],
    ["an empty at_hash", { at_hash: "" }, "the ID token's at_hash does not match the access token"],
    ["an at_hash that is not a string", { at_hash: 7 }, "the ID token's at_hash does not match the access token"],
    ["a null at_hash", { at_hash: null }, "the ID token's at_hash does not match the access token"],
  ])("refuses %s", async (_, over, detail) => {
    expect(await verdict(await sign(claims(over)))).toBe(detail);
  });

  it.each([
    ["an exp within the skew", { exp: now() - SKEW_SECONDS / 2 }],
    ["an nbf within the skew", { nbf: now() + SKEW_SECONDS / 2 }],
    ["an audience list with our client as azp", { aud: ["client-2", expected.clientId], azp: expected.clientId }],
    ["a one-item audience list without azp", { aud: [expected.clientId] }],
    ["one audience with our client as azp", { azp: expected.clientId }],
    ["no at_hash", {}],
  ])("accepts %s", async (_, over) => {
    expect(await verdict(await sign(claims(over)))).toBe("accepted");
  });

  it("checks in order: sub, nonce, azp, at_hash", async () => {
    const all = { sub: "", nonce: "x", azp: "x", at_hash: "x" };
    expect(await verdict(await sign(claims(all)))).toBe("the ID token has no sub");
    expect(await verdict(await sign(claims({ ...all, sub: "u" })))).toBe("the ID token's nonce is not the one sent");
    expect(await verdict(await sign(claims({ ...all, sub: "u", nonce: expected.nonce })))).toBe("the ID token's azp is not our client id");
  });
});

describe("atHashMatches", () => {
  it.each([
    ["RS256", "sha256"],
    ["PS256", "sha256"],
    ["ES256", "sha256"],
    ["RS384", "sha384"],
    ["PS384", "sha384"],
    ["ES384", "sha384"],
    ["RS512", "sha512"],
    ["PS512", "sha512"],
    ["ES512", "sha512"],
    ["EdDSA", "sha512"],
    ["ES256K", "sha256"],
  ])("%s hashes with %s", (alg, hash) => {
    const digest = createHash(hash).update(expected.accessToken).digest();
    const half = digest.subarray(0, digest.length / 2).toString("base64url");
    expect(atHashMatches(alg, expected.accessToken, half)).toBe(true);
    expect(atHashMatches(alg, expected.accessToken, digest.toString("base64url"))).toBe(false);
    expect(atHashMatches(alg, expected.accessToken, `${half}A`)).toBe(false);
    expect(atHashMatches(alg, expected.accessToken, half.slice(0, -1))).toBe(false);
  });

  it("matches iff the token is the one hashed (fast-check)", () => {
    const token = fc.stringMatching(/^[\x20-\x7e]{1,64}$/);
    fc.assert(
      fc.property(fc.constantFrom(...ALGORITHMS), token, token, (alg, hashed, presented) => {
        expect(atHashMatches(alg, presented, atHash(alg, hashed))).toBe(hashed === presented);
      }),
      { endOnFailure: true },
    );
  });
});
