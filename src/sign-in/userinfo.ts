// The userinfo endpoint's usual request, answered without oidc-provider's request pipeline.
//
// Why: through the library (Koa, its middleware chain, its models, three error objects built per
// call whether thrown or not) a userinfo call cost 1.4 ms of CPU, and answered 0.26 of the rate of a
// bare route doing the same reads (`npm run bench:tokens`, bench/REPORT.md "userinfo beside the
// library"), against issue 24's 0.7. The library stays the endpoint: this file answers only when the
// request has the one shape relying parties send (below) and every check the library would make
// passes, and then with the answer the library would give (test/sign-in/userinfo-fast-path.test.ts
// asks both for the same tokens and compares). Anything else returns undefined and app.ts hands the
// request to the library, so every refusal (its error, its status, its WWW-Authenticate) and every
// rarer shape (a POST, a token in the body or the query, DPoP, a `scope` parameter, a cross-origin
// request, a sender-constrained token, requested or rejected claims) is still the library's.
//
// The shape: GET, no query string, no body, `Authorization: Bearer <token>`, no DPoP or Origin header.
// The checks, each as node_modules/oidc-provider/lib/actions/userinfo.js and the models it calls
// make it (their file in brackets):
//   the token is a JWT access token this pool signed, and its stored row exists and has not expired
//     (access-tokens.ts, as the library's AccessToken.find here; models/formats/opaque.js verify);
//   a token that ends with its session still has that session, of the same account, naming this
//     grant for this client (models/token_helpers.js checkSessionBinding);
//   not bound to a DPoP key or a certificate (shared/access_token.js), granted `openid`, no audience
//     (actions/userinfo.js afterFind, validateAudience);
//   its client exists and is enabled (Client.find over our client store: clients.ts);
//   its user exists and is ACTIVE (findAccount: provider.ts);
//   its grant exists, has not expired, and names the same client and account (loadAccessTokenGrant).
// The answer: the user's claims for the grant's OpenID scopes that the token carries, released by
// the provider's claims configuration (helpers/claims.js), `sub` always, as JSON with no-store.
import type { AdapterPayload } from "oidc-provider";
import type { SignInDeps } from "./provider.js";
import type { PoolRef } from "./adapter.js";
import type { ClaimsUser } from "../users/claims.js";
import { findAccessTokenWithItsRows } from "./userinfo-queries.js";

export interface UserinfoRequest {
  method: string;
  /** The request's target (path and query) as the client sent it. */
  url: string;
  header(name: string): string | undefined;
}

export interface UserinfoSources {
  pool: PoolRef;
  /** The claims of a JWT this pool signed as an access token (access-tokens.ts). */
  verify(value: string): Promise<Record<string, unknown> | undefined>;
  /** The claims the provider's findAccount gives for an ACTIVE user and a scope. */
  accountClaims(user: ClaimsUser, scope: string): Promise<Record<string, unknown>>;
  /** The provider's claims configuration: the claims each scope releases. */
  claimsByScope: Readonly<Record<string, readonly string[]>>;
}

/** A JWT: three base64url parts. Anything else is not the usual request. */
const BEARER_JWT = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;
/** Payload members that make the library refuse a stored token (models/formats/opaque.js verify). */
const FOREIGN_FORMATS = ["jwt", "jwt-ietf", "paseto"];

const str = (v: unknown): v is string => typeof v === "string";

/** The bearer JWT of a request of the usual shape, or undefined. */
export function usualBearer(req: UserinfoRequest): string | undefined {
  if (req.method !== "GET" || req.url.includes("?")) return undefined;
  if (req.header("dpop") !== undefined || req.header("origin") !== undefined) return undefined;
  if (req.header("transfer-encoding") !== undefined || (req.header("content-length") ?? "0") !== "0") return undefined;
  return BEARER_JWT.exec(req.header("authorization") ?? "")?.[1];
}

/** The token's claims as the library would release them at userinfo, or undefined when the library must answer. */
export async function usualUserinfo(
  deps: Pick<SignInDeps, "db" | "clock">,
  sources: UserinfoSources,
  req: UserinfoRequest,
): Promise<Record<string, unknown> | undefined> {
  const jwt = usualBearer(req);
  const verified = jwt === undefined ? undefined : await sources.verify(jwt);
  if (!verified || !str(verified.jti)) return undefined;
  const found = await findAccessTokenWithItsRows(deps.db, deps.clock, sources.pool, verified.jti);
  if (!found) return undefined;
  const { token, session, grant, clientFound, user } = found;
  const now = Math.floor(deps.clock.now().getTime() / 1000);
  if (!tokenPasses(token, now) || !sessionPasses(token, session) || !grantPasses(token, grant, now)) return undefined;
  // The client as the library's Client.find finds it; the user as findAccount does (gone or DISABLED: no account).
  if (!clientFound || user?.user_state !== "ACTIVE") return undefined;
  const scope = grantedScope(grant!, token);
  const available = await sources.accountClaims(user, scope);
  return released({ ...available, sub: token.accountId }, scope, sources.claimsByScope);
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
    for (const name of Object.hasOwn(claimsByScope, s) ? claimsByScope[s]! : []) {
      if (Object.hasOwn(available, name) && !Object.hasOwn(out, name)) out[name] = available[name];
    }
  }
  return out;
}
