// The decisions sign-in's provider configuration (provider.ts) hands oidc-provider as callbacks,
// written as plain functions of the client's record (client-policy.ts) so that they can be tested,
// and mutated, without a provider, a database or a request: PKCE, refresh-token lifetimes and
// rotation, and who may introspect or revoke which token.
import type { SignInClient } from "../oauth-credentials/client-auth.js";

const DAY = 86_400;
export const TTL = { code: 60, accessToken: 3600, session: 14 * DAY, interaction: 600, grant: 365 * DAY, refreshDefault: 30 * DAY };

/** PKCE (S256) on every authorization request of a public client, and of a client not (or no longer) known. */
export const pkceRequired = (client: SignInClient | undefined): boolean => client?.pkceRequired ?? true;

/**
 * A refresh token's lifetime in seconds from the client's settings: the idle bound when rotating (each
 * rotation starts a new idle period), else the combined bound, else the idle one, else 30 days; never
 * past the combined bound counted from the family's first issue (`issuedFirst`, epoch seconds), and
 * at least 1 second (the library refuses 0).
 */
export function refreshTtl(client: SignInClient | undefined, issuedFirst: number | undefined, now: number, rotating: boolean): number {
  const idle = client?.refreshToken.idleLifetimeSeconds ?? undefined;
  const combined = client?.refreshToken.absoluteLifetimeSeconds ?? undefined;
  let ttl = (rotating ? idle : undefined) ?? combined ?? idle ?? TTL.refreshDefault;
  if (combined !== undefined) ttl = Math.min(ttl, combined - (issuedFirst === undefined ? 0 : now - issuedFirst));
  return Math.max(ttl, 1);
}

/** OAuth Security BCP (RFC 9700 §4.14.2): a public client's refresh token is always rotated; others as they are set. */
export const rotatesRefreshToken = (authMethod: string | undefined, client: SignInClient | undefined): boolean =>
  authMethod === "none" || (client?.refreshToken.rotation ?? false);

/**
 * A confidential client of the pool may introspect any token of the pool (it is how a resource server
 * of the pool checks opaque tokens); a public client only its own.
 */
export const mayIntrospect = (caller: { clientId: string; authMethod: string | undefined }, tokenClientId: string | undefined): boolean =>
  caller.authMethod !== "none" || tokenClientId === caller.clientId;

/**
 * A client revokes only its own tokens: "revoke" for its own; for another's, a public client gets
 * RFC 7009's success answer without effect ("ignore"), a confidential one an error ("refuse").
 */
export function revocation(
  caller: { clientId: string; authMethod: string | undefined },
  tokenClientId: string | undefined,
): "revoke" | "ignore" | "refuse" {
  if (tokenClientId === caller.clientId) return "revoke";
  return caller.authMethod === "none" ? "ignore" : "refuse";
}
