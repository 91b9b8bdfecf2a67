// The userinfo endpoint's usual request, answered without oidc-provider's request pipeline.
//
// Why: through the library (Koa, its middleware chain, its models, three error objects built per
// call whether thrown or not) a userinfo call cost 1.4 ms of CPU, and answered 0.26 of the rate of a
// bare route doing the same reads (`npm run bench:tokens`, bench/REPORT.md "Userinfo beside the
// library"), against issue 24's 0.7. The library stays the endpoint: this file answers only when the
// request has the one shape relying parties send (below) and every check the library would make
// passes, and then with the answer the library would give (test/sign-in/userinfo-usual.test.ts
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
//   its grant exists, has not expired, and names the same client and account (loadAccessTokenGrant);
//   no claims were asked for (the `claims` parameter) or rejected: the library's mask handles those.
// The answer: the user's claims for the grant's OpenID scopes that the token carries, released by
// the provider's claims configuration (helpers/claims.js), `sub` always, as JSON with no-store.
import type { SignInDeps } from "./provider.js";
import type { PoolRef } from "./adapter.js";
import type { ClaimsUser } from "../users/sign-in.js";
import { findAccessTokenWithItsRows } from "./userinfo-queries.js";
import { grantedScope, grantPasses, released, sessionPasses, tokenPasses, usualBearer } from "./userinfo-checks.js";
import type { PlainRequest } from "./request-info.js";

export interface UserinfoSources {
  pool: PoolRef;
  /** The claims of a JWT this pool signed as an access token (access-tokens.ts). */
  verify(value: string): Record<string, unknown> | undefined;
  /** The claims the provider's findAccount gives for an ACTIVE user and a scope. */
  accountClaims(user: ClaimsUser, scope: string): Promise<Record<string, unknown>>;
  /** The provider's claims configuration: the claims each scope releases. */
  claimsByScope: Readonly<Record<string, readonly string[]>>;
}

/** The token's claims as the library would release them at userinfo, or undefined when the library must answer. */
export async function usualUserinfo(
  deps: Pick<SignInDeps, "db" | "clock">,
  sources: UserinfoSources,
  req: PlainRequest,
): Promise<Record<string, unknown> | undefined> {
  const jwt = usualBearer(req);
  const verified = jwt === undefined ? undefined : sources.verify(jwt);
  if (!verified || typeof verified.jti !== "string") return undefined;
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
