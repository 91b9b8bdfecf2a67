// The token endpoint's usual client_credentials request, answered without oidc-provider's request
// pipeline.
//
// Why: a client_credentials grant makes the same two reads through the library as without it (the
// pool located, the client with its secret) and signs one JWT, yet through the library's pipeline
// (Koa, its middleware chain, its models, its AsyncLocalStorage) it answered 0.62 of the rate of a
// bare route doing the same (`npm run bench:tokens`, bench/REPORT.md "client_credentials beside the
// library"), against issue 24's 0.7. As for userinfo (userinfo.ts), the library stays the endpoint:
// this file answers only the one shape services send (below), only when every check the library
// would make passes, and then with the answer the library would give
// (test/sign-in/client-credentials-usual.test.ts asks both and compares). Anything else returns
// undefined and app.ts hands the request, body and all, to the library: every refusal (its error,
// status and WWW-Authenticate), every other grant, and every rarer shape (a `resource` or
// `authorization_details` parameter, DPoP, attestation, a cross-origin request, a client id in
// both places, `basic` in lower case) is still the library's.
//
// The shape (client-credentials-checks.ts): POST, no query, a form of at most 4 KiB with
// grant_type=client_credentials, an optional scope, and the client's id and secret either in an
// `Authorization: Basic` header or as client_id and client_secret in the form; no parameter twice,
// none empty, none other.
// The checks, each as node_modules/oidc-provider/lib and our provider configuration make it:
//   the client exists in this pool, enabled, in an enabled pool (Client.find over our client store,
//     provider.ts clientSource), and the secret matches its stored hash (compareClientSecret: the
//     same findSignInClientWithSecret read and secretMatchesStored);
//   it authenticates with a secret and may use the grant (shared/client_auth.js, actions/token.js);
//   the pool has an API, that is custom scopes (provider.ts getResourceServerInfo), and no standard
//     scope asked for is outside the client's (helpers/grant_authorization.js validateClientScope).
// The answer: the library's stateless RFC 9068 JWT (models/formats/jwt.js: jti, sub = client_id,
// iat, exp, scope, client_id, iss, aud = the issuer; ES256 with the pool's key, `typ: at+jwt`), the
// requested scopes of the pool's API (actions/grants/client_credentials.js), an hour's lifetime
// (provider.ts resourceServer), as RFC 6749 JSON with no-store. Nothing is written, as by the library.
import { randomBytes } from "node:crypto";
import { findSignInClientWithSecret, secretMatchesStored } from "../oauth-credentials/client-auth.js";
import type { SignInDeps } from "./provider.js";
import type { PlainRequest } from "./request-info.js";
import { clientMetadata, STANDARD_SCOPES } from "./clients.js";
import { clientCredentialsScope, usualClientCredentials } from "./client-credentials-checks.js";
import { TTL } from "./token-policy.js";

export { usualTokenHead } from "./client-credentials-checks.js";

export interface ClientCredentialsSources {
  pool: { accountId: string; poolUid: string; issuer: string; customScopes: readonly string[] };
  /** Signs a client_credentials access token as the library's JWT format does (access-tokens.ts). */
  sign(token: { jti: string; iat: number; exp: number; clientId: string; scope: string | undefined; aud: string }): Promise<string>;
}

export interface TokenAnswer {
  access_token: string;
  expires_in: number;
  scope?: string;
  token_type: "Bearer";
}

/** The library's answer to a usual client_credentials request, or undefined when the library must answer. */
export async function usualClientCredentialsToken(
  deps: Pick<SignInDeps, "db">,
  sources: ClientCredentialsSources,
  req: PlainRequest,
  form: string,
): Promise<TokenAnswer | undefined> {
  const asked = usualClientCredentials(req.header("authorization"), form);
  if (!asked) return undefined;
  const { pool } = sources;
  const found = await findSignInClientWithSecret(deps, pool.accountId, pool.poolUid, asked.clientId);
  if (!found?.client.enabled || !secretMatchesStored(asked.secret, found.secretHash)) return undefined;
  const scope = clientCredentialsScope(clientMetadata(found.client, pool.customScopes), asked.scope, {
    statics: new Set([...STANDARD_SCOPES, ...pool.customScopes]),
    api: pool.customScopes,
  });
  if (scope === "refuse") return undefined;
  // The library's clock (epochTime), not the service's: the token is the one the library would sign now.
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + TTL.accessToken;
  // As the library's token ids: 43 characters of the URL-safe alphabet, 256 bits.
  const jti = randomBytes(32).toString("base64url");
  const token = await sources.sign({ jti, iat, exp, clientId: asked.clientId, scope, aud: pool.issuer });
  return { access_token: token, expires_in: TTL.accessToken, ...(scope && { scope }), token_type: "Bearer" };
}
