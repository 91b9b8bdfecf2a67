// The access-token signature check (src/sign-in/access-token-signature.ts), alone: tokens signed
// with jose as this pool signs them verify; anything else, from a flipped bit to a header member
// more or an algorithm the key does not name, gives nothing. The end-to-end refusals (tampered,
// unsigned, another pool's token at userinfo and introspection) are in refusals.test.ts and
// userinfo-usual.test.ts.
import { CompactSign, exportJWK, generateKeyPair, type CryptoKey, type JWK } from "jose";
import { createPrivateKey, sign as signRaw } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { accessTokenVerifier, MAX_ACCESS_TOKEN } from "../../src/sign-in/access-token-signature.js";

type Keys = { es: CryptoKey; rs: CryptoKey; other: CryptoKey; published: JWK[] };
let keys: Keys;
// Built in each test, not in beforeAll: what the verifier does with the keys is under test too.
const verify = (value: unknown) => accessTokenVerifier(keys.published)(value);

beforeAll(async () => {
  const es = await generateKeyPair("ES256", { extractable: true });
  const rs = await generateKeyPair("RS256", { extractable: true });
  const other = await generateKeyPair("ES256", { extractable: true });
  const retired = await generateKeyPair("ES256", { extractable: true });
  keys = {
    es: es.privateKey,
    rs: rs.privateKey,
    other: other.privateKey,
    // As the provider's JWKS: the current keys with their private members, a retired public one.
    published: [
      { ...(await exportJWK(es.privateKey)), kid: "es", alg: "ES256", use: "sig" },
      { ...(await exportJWK(rs.privateKey)), kid: "rs", alg: "RS256", use: "sig" },
      { ...(await exportJWK(retired.publicKey)), kid: "old", alg: "ES256", use: "sig" },
    ],
  };
  (keys as Keys & { retired: CryptoKey }).retired = retired.privateKey;
});

const claims = { jti: "abc", sub: "user", iss: "https://id.example.com/userpool/p", exp: 2_000_000_000 };
/** A JWS made with node:crypto, whatever its header says: for headers jose would not write. */
function rawJws(privateJwk: JWK, header: Record<string, unknown>, payload: unknown = claims) {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const input = `${part(header)}.${part(payload)}`;
  const key = createPrivateKey({ key: privateJwk as never, format: "jwk" });
  return `${input}.${signRaw("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" }).toString("base64url")}`;
}

const sign = (key: CryptoKey, header: Record<string, unknown>, payload: unknown = claims) =>
  new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader(header as never).sign(key);

describe("accessTokenVerifier", () => {
  it("gives the claims of a token signed with a current or retired key, ES256 or RS256", async () => {
    expect(verify(await sign(keys.es, { alg: "ES256", kid: "es", typ: "at+jwt" }))).toEqual(claims);
    expect(verify(await sign(keys.rs, { alg: "RS256", kid: "rs", typ: "at+jwt" }))).toEqual(claims);
    const retired = (keys as Keys & { retired: CryptoKey }).retired;
    expect(verify(await sign(retired, { typ: "at+jwt", kid: "old", alg: "ES256" }))).toEqual(claims);
  });

  it("refuses a token whose bytes were changed", async () => {
    const token = await sign(keys.es, { alg: "ES256", kid: "es", typ: "at+jwt" });
    const [h, p, s] = token.split(".") as [string, string, string];
    const flip = (part: string) => `${part.slice(0, 5)}${part[5] === "A" ? "B" : "A"}${part.slice(6)}`;
    expect(verify(`${flip(h)}.${p}.${s}`)).toBeUndefined();
    expect(verify(`${h}.${flip(p)}.${s}`)).toBeUndefined();
    expect(verify(`${h}.${p}.${flip(s)}`)).toBeUndefined();
    expect(verify(`${h}.${p}.`)).toBeUndefined();
    expect(verify(`${h}.${p}`)).toBeUndefined();
    expect(verify(`${h}.${p}.${s}.`)).toBeUndefined();
    expect(verify(`${h}.${p}.${s}=`)).toBeUndefined();
    expect(verify(`${h}.${p}.${s.slice(0, 40)}*${s.slice(40)}`)).toBeUndefined();
    expect(verify(`${h}.${p}.${s.slice(0, -4)}`)).toBeUndefined();
    expect(verify(`${token}${"A".repeat(4096)}`)).toBeUndefined();
  });

  it.each([
    ["signed by a key the pool does not publish", "other", { alg: "ES256", kid: "es", typ: "at+jwt" }],
    ["an unknown kid", "es", { alg: "ES256", kid: "nope", typ: "at+jwt" }],
    ["no kid", "es", { alg: "ES256", typ: "at+jwt" }],
    ["a kid that is not a string", "es", { alg: "ES256", kid: 1, typ: "at+jwt" }],
    ["an algorithm other than the key's", "rs", { alg: "RS256", kid: "es", typ: "at+jwt" }],
    ["another typ", "es", { alg: "ES256", kid: "es", typ: "JWT" }],
    ["no typ (an ID token)", "es", { alg: "ES256", kid: "es" }],
    ["a crit member", "es", { alg: "ES256", kid: "es", typ: "at+jwt", crit: ["b64"], b64: true }],
    ["a b64 member", "es", { alg: "ES256", kid: "es", typ: "at+jwt", b64: true }],
    ["an embedded jwk", "es", { alg: "ES256", kid: "es", typ: "at+jwt", jwk: { kty: "EC" } }],
  ])("refuses a token with %s", async (_name, key, header) => {
    expect(verify(await sign(keys[key as "es" | "rs" | "other"], header))).toBeUndefined();
  });

  it("takes the algorithm from the key, never from the token", () => {
    // An ES256 signature by the ES256 key, in a header that names another algorithm.
    const [es, rs] = keys.published as [JWK, JWK];
    expect(verify(rawJws(es, { alg: "ES256", kid: "es", typ: "at+jwt" }))).toEqual(claims);
    expect(verify(rawJws(es, { alg: "RS256", kid: "es", typ: "at+jwt" }))).toBeUndefined();
    expect(verify(rawJws(rs, { alg: "RS256", kid: "rs", typ: "at+jwt" }))).toEqual(claims);
    expect(verify(rawJws(rs, { alg: "PS256", kid: "rs", typ: "at+jwt" }))).toBeUndefined();
    expect(verify(rawJws(rs, { alg: "none", kid: "rs", typ: "at+jwt" }))).toBeUndefined();
  });

  it("reads a token up to its bound, and nothing longer", async () => {
    // A base64url part is never 4k + 1 long, so whether the bound itself can be hit depends on the
    // header's length: the kid is varied until a token of exactly MAX_ACCESS_TOKEN characters exists.
    const [es] = keys.published as [JWK];
    let hit = false;
    for (const kid of ["es", "es1", "es12", "es123"]) {
      const header = { alg: "ES256", kid, typ: "at+jwt" };
      const check = accessTokenVerifier([{ ...es, kid }]);
      const tokenOf = (n: number) => sign(keys.es, header, { ...claims, fill: "x".repeat(n) });
      let n = 2800;
      let token = await tokenOf(n);
      expect(token.length).toBeLessThan(MAX_ACCESS_TOKEN);
      while (token.length < MAX_ACCESS_TOKEN) token = await tokenOf(++n);
      if (token.length !== MAX_ACCESS_TOKEN) continue;
      expect(check(token)).toMatchObject({ jti: "abc" });
      const longer = await tokenOf(n + 1);
      expect(longer.length).toBeGreaterThan(MAX_ACCESS_TOKEN);
      expect(check(longer)).toBeUndefined();
      hit = true;
      break;
    }
    expect(hit).toBe(true);
  });

  it("refuses a payload that is not an object with a jti", async () => {
    const header = { alg: "ES256", kid: "es", typ: "at+jwt" };
    for (const payload of [{ sub: "u" }, { jti: "" }, { jti: 1 }, ["jti"], "jti", null]) {
      expect(verify(await sign(keys.es, header, payload))).toBeUndefined();
    }
  });

  it("refuses what is not a JWT at all, and an unsigned one", () => {
    const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    for (const value of [undefined, 1, "", "a.b.c", "not-a-jwt", `${part({ alg: "none", typ: "at+jwt" })}.${part(claims)}.`]) {
      expect(verify(value)).toBeUndefined();
    }
    expect(verify(`${part([1])}.${part(claims)}.AAAA`)).toBeUndefined();
  });

  it("publishes nothing it cannot use: keys without a kid or of another algorithm are left out", async () => {
    const [es, rs] = keys.published as [JWK, JWK];
    const only = accessTokenVerifier([
      { ...es, kid: undefined },
      { ...rs, alg: "PS256" },
    ]);
    expect(only(await sign(keys.es, { alg: "ES256", kid: "es", typ: "at+jwt" }))).toBeUndefined();
    expect(only(await sign(keys.es, { alg: "ES256", typ: "at+jwt" }))).toBeUndefined();
    expect(only(await sign(keys.rs, { alg: "RS256", kid: "rs", typ: "at+jwt" }))).toBeUndefined();
    expect(only(rawJws(rs, { alg: "PS256", kid: "rs", typ: "at+jwt" }))).toBeUndefined();
    // The same keys, properly named, verify both.
    const both = accessTokenVerifier([es, rs]);
    expect(both(await sign(keys.es, { alg: "ES256", kid: "es", typ: "at+jwt" }))).toEqual(claims);
    expect(both(rawJws(rs, { alg: "RS256", kid: "rs", typ: "at+jwt" }))).toEqual(claims);
  });
});
