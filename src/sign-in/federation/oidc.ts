// OIDC connections (OpenID Connect Core 1.0, authorization code flow): the endpoints discovered from
// the connection's Issuer when it was saved (src/identity-providers/oidc-discovery.ts), the code
// exchanged as for OAuth (oauth.ts), and the ID token validated in full with `jose` (Core §3.1.3.7;
// the checks are id-token-checks.ts): its signature against the issuer's JWKS (fetched through the guarded client, cached, and fetched
// again when a token names a key it does not hold: the provider rolled its keys), iss, aud, exp and
// iat with a small skew, the nonce we sent, azp when present or when there are several audiences,
// and at_hash when present. IsIdTokenMapping: the ID token's claims are the profile; otherwise the
// UserInfo answer, whose `sub` must be the ID token's (Core §5.3.2).
import { createRemoteJWKSet, customFetch, errors as joseErrors, type JWTPayload } from "jose";
import { LRUCache } from "lru-cache";
import type { IdentityProviderRow } from "../../identity-providers/queries.js";
import { fetcherFor, OutboundError, type OutboundPolicy } from "../../platform/outbound/guarded-fetch.js";
import type { SignInDeps } from "../provider.js";
import { authorizationUrl, codeFrom, emailOf, exchangeCode, fetchUser, outboundFailure } from "./oauth.js";
import { verifyIdToken } from "./id-token-checks.js";
import { FederationFailure, type FederatedProfile } from "./profile.js";
import type { CallbackInput, FederationProtocol } from "./protocol.js";

/** The ID token's own mechanics: never a user's attribute, never kept as metadata. */
const PROTOCOL_CLAIMS = ["nonce", "at_hash", "c_hash", "s_hash", "auth_time", "acr", "amr", "azp", "sid", "jti", "iat", "exp", "nbf"];

type KeySet = ReturnType<typeof createRemoteJWKSet>;
/** One key set per JWKS URL and outbound policy: jose keeps the keys 10 minutes and refetches on an unknown `kid`, at most every 2 s. */
const keySets = new LRUCache<string, { policy: OutboundPolicy; set: KeySet }>({ max: 500 });

function keySetFor(policy: OutboundPolicy, jwksUri: string): KeySet {
  const cached = keySets.get(jwksUri);
  if (cached && cached.policy === policy) return cached.set;
  const set = createRemoteJWKSet(new URL(jwksUri), {
    cooldownDuration: 2000,
    cacheMaxAge: 600_000,
    // The guarded client, not jose's fetch: the same address, size, time and redirect rules.
    [customFetch]: async (url: string) => {
      const res = await fetcherFor(policy).get(url);
      return new Response(new Uint8Array(res.body), { status: 200, headers: { "content-type": "application/json" } });
    },
  });
  keySets.set(jwksUri, { policy, set });
  return set;
}

function joseFailure(err: unknown): FederationFailure {
  const cause = (err as { cause?: unknown })?.cause;
  if (err instanceof OutboundError) return outboundFailure(err, "the JWKS");
  if (cause instanceof OutboundError) return outboundFailure(cause, "the JWKS");
  if (err instanceof joseErrors.JOSEError)
    return new FederationFailure("invalid_response", `the ID token is not valid: ${err.code}: ${err.message}`);
  throw err;
}

/** The ID token's payload once every check of Core §3.1.3.7 holds. */
export async function validateIdToken(
  deps: Pick<SignInDeps, "config">,
  connection: IdentityProviderRow,
  idToken: string,
  expected: { nonce: string; accessToken: string },
): Promise<JWTPayload & { sub: string }> {
  if (!connection.issuer || !connection.jwks_uri) throw new FederationFailure("invalid_response", "the connection has no issuer or JWKS");
  try {
    return await verifyIdToken(idToken, keySetFor(deps.config.outbound, connection.jwks_uri), {
      issuer: connection.issuer,
      clientId: connection.client_id,
      nonce: expected.nonce,
      accessToken: expected.accessToken,
    });
  } catch (err) {
    // The checks' own refusals are FederationFailures already, thrown on as they are.
    if (err instanceof FederationFailure) throw err;
    throw joseFailure(err);
  }
}

const withoutProtocolClaims = (claims: Record<string, unknown>) => {
  const out = { ...claims };
  for (const name of PROTOCOL_CLAIMS) delete out[name];
  return out;
};

export const oidcProtocol: FederationProtocol = {
  async begin(_deps, input) {
    return {
      redirect: authorizationUrl(input.connection.authorization_endpoint, input, {
        // A connection saved without openid in its scopes still asks for an ID token.
        scope: [...new Set(["openid", ...input.connection.scopes_list])].join(" "),
        nonce: input.nonce,
        login_hint: input.loginHint,
      }),
    };
  },

  async readState(c) {
    return { state: c.req.query("state"), binding: "cookie" };
  },

  async complete(deps, input: CallbackInput): Promise<FederatedProfile> {
    const { connection, claimed } = input;
    const code = codeFrom(input.c, connection.issuer ?? undefined);
    const tokens = await exchangeCode(deps, connection, { code, callbackUrl: input.callbackUrl, codeVerifier: claimed.codeVerifier });
    if (!tokens.id_token) throw new FederationFailure("invalid_response", "the token endpoint's answer has no id_token");
    const idClaims = await validateIdToken(deps, connection, tokens.id_token, { nonce: claimed.nonce, accessToken: tokens.access_token });
    let claims: Record<string, unknown> = withoutProtocolClaims(idClaims);
    if (!connection.is_id_token_mapping && connection.user_endpoint) {
      const info = await fetchUser(deps, connection.user_endpoint, tokens.access_token);
      if (info.sub !== idClaims.sub) throw new FederationFailure("invalid_response", "the UserInfo sub is not the ID token's");
      claims = { ...info, iss: idClaims.iss };
    }
    return { connectionUid: connection.uid, provider: "oidc", subject: idClaims.sub, ...emailOf(claims), claims };
  },
};
