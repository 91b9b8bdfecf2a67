// Every access token is a JWT (RFC 9068: `typ: at+jwt`, iss, sub, aud, client_id, scope, jti, iat,
// exp), signed ES256 with the pool's key.
//
// Tokens that stand for a user (the code and refresh grants) are also stored, by the SHA-256 of
// their jti like the library's opaque tokens, so userinfo, introspection and revocation work on
// them and a revoked token or a disabled user stops at once. oidc-provider issues JWT access tokens
// only for a resource server and never stores them (userinfo refuses a token with an audience,
// introspection answers `active: false`, revocation cannot end one), so for these the library is
// left to issue and keep its opaque tokens (jti = 256 random bits) and this file changes only what
// the client is handed: a JWT of the stored payload instead of the bare jti. Looking a token up
// (Model.find, which userinfo, introspection and revocation all use) verifies the JWT's signature
// against the pool's keys (current and retired, as published) and finds the stored token by its
// jti: expiry, revocation, the grant and the user are the library's checks as before. A bare jti,
// a JWT of another pool or a tampered one finds nothing. The stored payload of a userinfo token
// has no audience, so the library's userinfo accepts it; the JWT's `aud` is the issuer (RFC 9068
// requires one: the pool's own endpoints and API are that audience).
//
// client_credentials tokens are the library's own stateless JWTs (provider.ts): nothing is written
// per token, as resource servers check them by signature alone. Introspection describes one from
// its verified claims while it has not expired (`sub` = `client_id`: no user token has that);
// revocation answers `unsupported_token_type` (RFC 7009 §2.2.1), as one cannot be ended early.
//
// Introspection and revocation refuse any JWT before looking it up ("Structured JWT Tokens cannot
// be introspected"). For those two endpoints app.ts hands the library a copy of the request whose
// `token` parameter, when it looks like a JWT, is prefixed with `<marker>~`: the marker is random
// per provider and never leaves the process (no client can send that form itself), and the prefix
// keeps the library from seeing a JWT; Model.find takes the prefix off and verifies as usual.
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import * as querystring from "node:querystring";
import { importJWK, SignJWT, type JWK } from "jose";
import { accessTokenVerifier } from "./access-token-signature.js";
import type Provider from "oidc-provider";
import { readAnnouncedBody, withBody } from "./request-body.js";

/** The library's own bound on a request body (selective_body.js). */
const BODY_LIMIT = 56 * 1024;

export interface StoredPayload {
  jti: string;
  iat: number;
  exp?: number;
  accountId?: string;
  clientId: string;
  scope?: string;
  aud?: string | string[];
  extra?: Record<string, unknown>;
}

type TokenModel = {
  find(value: unknown, opts?: unknown): Promise<unknown>;
  prototype: { getValueAndPayload(): Promise<{ value: string; payload?: StoredPayload }> };
};

export interface JwtAccessTokens {
  /** The claims of a JWT this pool signed as an access token (signature, `typ`, a `jti`); undefined for anything else. */
  verify(value: unknown): Record<string, unknown> | undefined;
  /** A token's payload as the JWT handed out for it (client-credentials.ts signs the library's stateless form with it). */
  sign(payload: StoredPayload): Promise<string>;
  /** A copy of an introspection or revocation request with its JWT `token` in the lookup form the library accepts there. */
  forTokenEndpoint(req: IncomingMessage): Promise<IncomingMessage>;
}

export function jwtAccessTokens(
  provider: Provider,
  pool: { issuer: string; jwks: { keys: Record<string, unknown>[] } },
  now: () => number,
): JwtAccessTokens {
  const prefix = `${randomBytes(18).toString("base64url")}~`;
  const signingJwk = pool.jwks.keys.find((k) => k.alg === "ES256");
  if (!signingJwk) throw new Error("the pool has no ES256 signing key");
  const kid = String(signingJwk.kid);
  let signingKey: ReturnType<typeof importJWK> | undefined;
  // The pool's keys as published (current and retired); node:crypto checks the signatures.
  const verified = accessTokenVerifier(pool.jwks.keys);

  async function sign(p: StoredPayload): Promise<string> {
    signingKey ??= importJWK(signingJwk as JWK, "ES256");
    const jwt = new SignJWT({ ...p.extra, client_id: p.clientId, ...(p.scope && { scope: p.scope }) })
      .setProtectedHeader({ alg: "ES256", kid, typ: "at+jwt" })
      .setIssuer(pool.issuer)
      .setSubject(p.accountId ?? p.clientId)
      .setAudience(p.aud ?? pool.issuer)
      .setJti(p.jti)
      .setIssuedAt(p.iat);
    if (p.exp !== undefined) jwt.setExpirationTime(p.exp);
    return jwt.sign(await signingKey);
  }

  const ClientCredentials = provider.ClientCredentials as unknown as TokenModel & { instantiate(p: object): object };
  /** A client_credentials JWT as the library's model, from its verified claims, while it has not expired. */
  function statelessClientCredentials(claims: Record<string, unknown>) {
    const { jti, client_id: clientId, sub, scope, aud, iat, exp } = claims;
    if (typeof clientId !== "string" || sub !== clientId || typeof exp !== "number" || typeof iat !== "number") return undefined;
    if (exp <= Math.floor(now() / 1000)) return undefined;
    const model = ClientCredentials.instantiate({ jti, clientId, scope, aud, iat, exp });
    return Object.assign(model, { stateless: true });
  }

  for (const Model of [provider.AccessToken, provider.ClientCredentials] as unknown as TokenModel[]) {
    const getValueAndPayload = Model.prototype.getValueAndPayload;
    Model.prototype.getValueAndPayload = async function valueAsJwt(this: unknown) {
      const out = await getValueAndPayload.call(this);
      // Only the library's opaque form (value = jti, payload stored) is wrapped; its own JWTs pass.
      if (!out.payload || out.value !== out.payload.jti) return out;
      return { value: await sign(out.payload), payload: out.payload };
    };
    const find = Model.find;
    Model.find = async function findByJwt(this: unknown, value: unknown, opts?: unknown) {
      const jwt = typeof value === "string" && value.startsWith(prefix) ? value.slice(prefix.length) : value;
      const claims = verified(jwt);
      if (!claims) return undefined;
      const stored = await find.call(this, claims.jti, opts);
      if (stored || Model !== ClientCredentials) return stored;
      return statelessClientCredentials(claims);
    };
  }

  return {
    verify: verified,
    sign,
    async forTokenEndpoint(req) {
      const length = Number(req.headers["content-length"]);
      const form = /^application\/x-www-form-urlencoded\b/i.test(req.headers["content-type"] ?? "");
      // Anything the library would refuse anyway (no form, no length, too large) reaches it untouched.
      if (req.method !== "POST" || !form || !Number.isInteger(length) || length < 0 || length > BODY_LIMIT) return req;
      const { body: read, complete } = await readAnnouncedBody(req, length);
      let body = read;
      if (complete) {
        const params = querystring.parse(body.toString("utf8"));
        // Anything shaped like a JWT is looked up by Model.find (which finds nothing for a tampered
        // token, another pool's or an ID token: `active: false`, revocation 200 as RFC 7009 says).
        if (typeof params.token === "string" && params.token.split(".").length === 3) {
          body = Buffer.from(querystring.stringify({ ...params, token: `${prefix}${params.token}` }));
        }
      }
      // A body shorter than announced stays announced as it was: the library refuses it as malformed.
      return withBody(req, body, complete ? body.length : length);
    },
  };
}
