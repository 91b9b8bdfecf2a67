// Every access token is a JWT (RFC 9068: `typ: at+jwt`, iss, sub, aud, client_id, scope, jti, iat,
// exp), signed ES256 with the pool's key, and every one is also stored (by the SHA-256 of its jti,
// like the library's opaque tokens), so userinfo, introspection and revocation work on all of them.
//
// oidc-provider issues JWT access tokens only for a resource server and never stores them: the
// userinfo endpoint refuses a token with an audience, introspection answers `active: false` and
// revocation cannot end one. So the library is left to issue and keep its opaque tokens (jti =
// 256 random bits), and this file changes only what the client is handed: the token's value is a
// JWT of the stored payload instead of the bare jti. Looking a token up (Model.find, which
// userinfo, introspection and revocation all use) verifies the JWT's signature against the pool's
// keys (current and retired, as published) and then finds the stored token by its jti: expiry,
// revocation, the grant and the user are the library's checks as before. A bare jti, a JWT of another
// pool or a tampered one finds nothing. The stored payload has no audience for a userinfo token, so
// the library's userinfo accepts it; the JWT's `aud` is then the issuer (RFC 9068 requires one: the
// pool's own endpoints and API are that audience).
//
// Introspection and revocation are the exception: the library refuses any JWT there before looking
// it up ("Structured JWT Tokens cannot be introspected"). For those two endpoints app.ts hands the
// library a copy of the request whose `token` parameter, when it is a JWT this pool signed, is
// replaced by `<marker>.<jti>`: the marker is random per provider and never leaves the process, so
// no client can present that form itself, and Model.find accepts it as it accepts the JWT.
import { randomBytes } from "node:crypto";
import { IncomingMessage } from "node:http";
import * as querystring from "node:querystring";
import { compactVerify, createLocalJWKSet, importJWK, SignJWT, type JWK } from "jose";
import type Provider from "oidc-provider";

/** The library's own bound on a request body (selective_body.js). */
const BODY_LIMIT = 56 * 1024;

const PRIVATE_PARTS = ["d", "p", "q", "dp", "dq", "qi"];

interface StoredPayload {
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
  /** A copy of an introspection or revocation request with its JWT `token` in the lookup form the library accepts there. */
  forTokenEndpoint(req: IncomingMessage): Promise<IncomingMessage>;
}

export function jwtAccessTokens(provider: Provider, pool: { issuer: string; jwks: { keys: Record<string, unknown>[] } }): JwtAccessTokens {
  const marker = randomBytes(18).toString("base64url");
  const signingJwk = pool.jwks.keys.find((k) => k.alg === "ES256");
  if (!signingJwk) throw new Error("the pool has no ES256 signing key");
  const kid = String(signingJwk.kid);
  let signingKey: ReturnType<typeof importJWK> | undefined;
  const publicKeys = createLocalJWKSet({
    keys: pool.jwks.keys.map((k) => Object.fromEntries(Object.entries(k).filter(([n]) => !PRIVATE_PARTS.includes(n))) as JWK),
  });

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

  /** The jti of a JWT this pool signed as an access token; undefined for anything else. */
  async function jtiOf(value: unknown): Promise<string | undefined> {
    if (typeof value !== "string" || value.length > 4096 || value.split(".").length !== 3) return undefined;
    try {
      const { payload, protectedHeader } = await compactVerify(value, publicKeys, { algorithms: ["ES256", "RS256"] });
      if (protectedHeader.typ !== "at+jwt") return undefined;
      const jti = (JSON.parse(new TextDecoder().decode(payload)) as { jti?: unknown }).jti;
      return typeof jti === "string" && jti.length > 0 ? jti : undefined;
    } catch {
      return undefined;
    }
  }

  for (const Model of [provider.AccessToken, provider.ClientCredentials] as unknown as TokenModel[]) {
    const getValueAndPayload = Model.prototype.getValueAndPayload;
    Model.prototype.getValueAndPayload = async function valueAsJwt(this: unknown) {
      const out = await getValueAndPayload.call(this);
      // Only the library's opaque form (value = jti, payload stored) is wrapped.
      if (!out.payload || out.value !== out.payload.jti) return out;
      return { value: await sign(out.payload), payload: out.payload };
    };
    const find = Model.find;
    Model.find = async function findByJwt(this: unknown, value: unknown, opts?: unknown) {
      const jti =
        typeof value === "string" && value.startsWith(`${marker}.`) ? value.slice(marker.length + 1) || undefined : await jtiOf(value);
      return jti === undefined ? undefined : find.call(this, jti, opts);
    };
  }

  return {
    async forTokenEndpoint(req) {
      const length = Number(req.headers["content-length"]);
      const form = /^application\/x-www-form-urlencoded\b/i.test(req.headers["content-type"] ?? "");
      // Anything the library would refuse anyway (no form, no length, too large) reaches it untouched.
      if (req.method !== "POST" || !form || !Number.isInteger(length) || length < 0 || length > BODY_LIMIT) return req;
      const chunks: Buffer[] = [];
      let received = 0;
      for await (const chunk of req as AsyncIterable<Buffer>) {
        received += chunk.length;
        if (received > length) break;
        chunks.push(chunk);
      }
      let body = Buffer.concat(chunks);
      if (received === length) {
        const params = querystring.parse(body.toString("utf8"));
        // A JWT that is not one of this pool's access tokens (tampered, another pool's, an ID token)
        // becomes a lookup of nothing: introspection answers `active: false`, revocation 200 (RFC 7009).
        if (typeof params.token === "string" && params.token.split(".").length === 3) {
          const jti = (await jtiOf(params.token)) ?? "";
          body = Buffer.from(querystring.stringify({ ...params, token: `${marker}.${jti}` }));
        }
      }
      // The same request (method, path, headers, socket) with the body read above.
      const copy = new IncomingMessage(req.socket);
      copy.method = req.method;
      copy.url = req.url;
      copy.httpVersion = req.httpVersion;
      copy.headers = { ...req.headers, "content-length": String(body.length) };
      (copy as IncomingMessage & { originalUrl?: string }).originalUrl = (req as IncomingMessage & { originalUrl?: string }).originalUrl;
      copy.push(body);
      copy.push(null);
      // Complete: an IncomingMessage destroyed before it is would destroy the shared socket with it.
      copy.complete = true;
      return copy;
    },
  };
}
