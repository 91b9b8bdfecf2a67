// Our client store as oidc-provider's client source: the one normalized record of the kit's
// findSignInClient, for either face of a client (a UserPoolClient's Uid, an OAuth credential's
// ClientApiIdentifier), turned into the client metadata the library validates and enforces.
//
// What each kind of client may do is the kit's decision (src/oauth-credentials/client-policy.ts,
// docs/sign-in.md "Clients"); this file only spells it as metadata.
// The library compares client secrets itself; ours are stored only as SHA-256, so the provider's
// Client model is given compareClientSecret over our store (src/sign-in/provider.ts), and the
// metadata carries a per-process placeholder secret the library never shows anyone: symmetric
// algorithms (the only use of a client secret beside authentication) are turned off.
import { randomBytes } from "node:crypto";
import type { ClientMetadata } from "oidc-provider";
import type { SignInClient } from "../oauth-credentials/client-auth.js";

export const PLACEHOLDER_SECRET = randomBytes(32).toString("base64url");

/** The standard scopes a client may ask for, beside the pool's custom scopes. */
export const STANDARD_SCOPES = ["openid", "profile", "email", "phone", "offline_access"] as const;

/**
 * What a client may ask for: the standard scopes among its own Scopes (all of them when it names
 * none), and every custom scope of its pool (the pool's API has one audience for all its clients).
 */
function allowedScopes(client: SignInClient, customScopes: readonly string[]): string[] {
  const standard = new Set<string>(STANDARD_SCOPES);
  const own = client.scopes.filter((s) => standard.has(s));
  return [...new Set(["openid", ...(own.length ? own : STANDARD_SCOPES), ...customScopes])];
}

export function clientMetadata(client: SignInClient, customScopes: readonly string[]): ClientMetadata {
  const isPublic = !client.confidential;
  const redirects = client.redirectUris;
  // The kit's grants (client-policy.ts), less the code flow for a client with nowhere to return to.
  const grants = client.grantTypes.filter((g) => redirects.length > 0 || g === "client_credentials");
  return {
    client_id: client.clientId,
    client_name: client.name || undefined,
    ...(client.logoUri && { logo_uri: client.logoUri }),
    application_type: client.type === "NATIVE" ? "native" : "web",
    token_endpoint_auth_method: isPublic ? "none" : "client_secret_basic",
    ...(!isPublic && { client_secret: PLACEHOLDER_SECRET }),
    grant_types: grants,
    response_types: redirects.length ? ["code"] : [],
    redirect_uris: redirects,
    post_logout_redirect_uris: client.logoutUris,
    scope: allowedScopes(client, customScopes).join(" "),
    id_token_signed_response_alg: "ES256",
  };
}

/** The origin of a URI as a browser sends it, or undefined. */
function originOf(uri: string): string | undefined {
  try {
    return new URL(uri).origin;
  } catch {
    return undefined;
  }
}

/**
 * Whether a browser page at `origin` may read this client's cross-origin answers at the token,
 * userinfo, introspection and revocation endpoints (oidc-provider's clientBasedCORS): an origin the
 * client lists in AllowedCors (stored in the exact form a browser sends), and, as the library allows
 * by default, its callback URLs' origins at userinfo and for public clients. A sandboxed or file page
 * ("null") never. AllowedWebOrigins has no part in it: it names pages for web_message responses,
 * which idplane does not offer.
 */
export function corsAllowed(
  client: { corsOrigins: readonly string[]; redirectUris: readonly string[]; confidential: boolean },
  origin: string,
  route: string | undefined,
): boolean {
  if (origin === "null") return false;
  if (client.corsOrigins.includes(origin)) return true;
  return (route === "userinfo" || !client.confidential) && client.redirectUris.some((uri) => originOf(uri) === origin);
}
