// The checks of userinfo's usual request and the claims it releases, as plain functions (no
// database: tested and mutated on their own, test/sign-in/userinfo.unit.test.ts). Each accepts only
// what oidc-provider's userinfo accepts (src/sign-in/userinfo.ts names the library's code each one
// follows); whatever one refuses, the library answers.
import type { AdapterPayload } from "oidc-provider";
import type { PlainRequest } from "./request-info.js";

/** A JWT: three base64url parts. Anything else is not the usual request. */
const BEARER_JWT = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;
/** Payload members that make the library refuse a stored token (models/formats/opaque.js verify). */
const FOREIGN_FORMATS = ["jwt", "jwt-ietf", "paseto"];

const str = (v: unknown): v is string => typeof v === "string";

/** The bearer JWT of a request of the usual shape, or undefined. */
export function usualBearer(req: PlainRequest): string | undefined {
  if (req.method !== "GET" || req.url.includes("?")) return undefined;
  if (req.header("dpop") !== undefined || req.header("origin") !== undefined) return undefined;
  if (req.header("transfer-encoding") !== undefined || (req.header("content-length") ?? "0") !== "0") return undefined;
  // No header reads as "undefined", which is no Bearer JWT either.
  return BEARER_JWT.exec(String(req.header("authorization")))?.[1];
}

/** The stored token as the library accepts it here, less what only the library handles. */
export function tokenPasses(token: AdapterPayload, now: number): boolean {
  if (FOREIGN_FORMATS.some((f) => f in token) || (token.format !== undefined && token.format !== "opaque")) return false;
  if (typeof token.exp !== "number" || token.exp <= now || token.nbf !== undefined) return false;
  if (token.iat !== undefined && typeof token.iat !== "number") return false;
  if (!str(token.clientId) || !str(token.accountId) || !str(token.grantId) || !str(token.scope)) return false;
  if (token.jkt !== undefined || token["x5t#S256"] !== undefined || token.aud !== undefined || token.claims !== undefined) return false;
  return token.scope.split(" ").includes("openid");
}

/** checkSessionBinding: a token that ends with its session needs it, for its account and grant. */
export function sessionPasses(token: AdapterPayload, session: AdapterPayload | undefined): boolean {
  if (!token.expiresWithSession) return true;
  const authorizations = session?.authorizations as Record<string, { grantId?: unknown }> | undefined;
  return (
    session !== undefined &&
    session.accountId === token.accountId &&
    Object.hasOwn(authorizations ?? {}, token.clientId as string) &&
    authorizations![token.clientId as string]!.grantId === token.grantId
  );
}

/** loadAccessTokenGrant, and no rejected claims (the library's mask removes them; it answers those). */
export function grantPasses(token: AdapterPayload, grant: AdapterPayload | undefined, now: number): boolean {
  if (!grant || typeof grant.exp !== "number" || grant.exp <= now) return false;
  if (grant.clientId !== token.clientId || grant.accountId !== token.accountId) return false;
  return grant.rejected === undefined;
}

/** Grant#getOIDCScopeFiltered: the grant's OpenID scopes that the token carries, in the grant's order. */
export function grantedScope(grant: AdapterPayload, token: AdapterPayload): string {
  const carried = new Set((token.scope as string).split(" "));
  const openid = grant.openid as { scope?: unknown } | undefined;
  const granted = str(openid?.scope) ? openid.scope : "";
  return granted
    .split(" ")
    .filter((s) => carried.has(s))
    .join(" ");
}

/** helpers/claims.js: of the claims available, those the scope releases, in the order it names them. */
export function released(
  available: Record<string, unknown>,
  scope: string,
  claimsByScope: Readonly<Record<string, readonly string[]>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of scope.split(" ")) {
    if (!Object.hasOwn(claimsByScope, s)) continue;
    for (const name of claimsByScope[s]!) {
      if (Object.hasOwn(available, name) && !Object.hasOwn(out, name)) out[name] = available[name];
    }
  }
  return out;
}
