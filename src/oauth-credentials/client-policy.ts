// What a client may do at the sign-in side, decided from its row alone (no database, no I/O, so the
// unit set and the mutation run cover it): the normalized client record findSignInClient returns
// (client-auth.ts), the grants and token endpoint authentication per kind of client
// (docs/sign-in.md, "Clients"), and exact matching of redirect and logout URIs.
//
// | client                                   | grants                                             | authentication          |
// | WEB; credential GrantType authorization_code | authorization_code (+PKCE optional), refresh_token, client_credentials | client_secret_basic, client_secret_post |
// | SPA, NATIVE                              | authorization_code with PKCE required, refresh_token | none (public)           |
// | credential GrantType single_sign_on      | authorization_code (+PKCE optional), refresh_token | client_secret_basic, client_secret_post |
// single_sign_on is the seed's "sign users into one service" (ServiceId): it acts for users only, so
// it has no client_credentials grant (a token of its own would stand for no user).
import { redirectUriProblem } from "./rules.js";
import type { CredentialRow } from "./queries.js";
import { isPublicClient, type ClientType } from "./tables.js";

export type SignInGrant = "authorization_code" | "refresh_token" | "client_credentials";
export type TokenEndpointAuthMethod = "client_secret_basic" | "client_secret_post" | "none";

/**
 * Access tokens have no lifetime field upstream; one hour, as the ID token's default and Cognito's.
 * Short enough that a revoked user's JWT access token (not checked against the database by resource
 * servers) stops working soon; refresh tokens carry the long session.
 */
export const ACCESS_TOKEN_LIFETIME_SECONDS = 3600;

export interface SignInClient {
  accountId: string;
  poolUid: string;
  clientId: string;
  name: string;
  logoUri: string;
  /** The UserPoolClient face's ClientType (OAuth credentials are WEB). */
  type: ClientType;
  /** The OAuth credential face's GrantType (UserPoolClients are authorization_code). */
  grantType: CredentialRow["grant_type"];
  /** Holds a secret and must authenticate at the token endpoint. */
  confidential: boolean;
  tokenEndpointAuthMethods: readonly TokenEndpointAuthMethod[];
  /** PKCE (S256) required on every authorization request: public clients. */
  pkceRequired: boolean;
  grantTypes: readonly SignInGrant[];
  redirectUris: string[];
  logoutUris: string[];
  webOrigins: string[];
  corsOrigins: string[];
  idTokenLifetimeSeconds: number;
  accessTokenLifetimeSeconds: number;
  refreshToken: {
    /** The client may be given refresh tokens: it may ask for offline_access. */
    enabled: boolean;
    rotation: boolean;
    /** Unused this long, a refresh token expires; null: no idle limit. */
    idleLifetimeSeconds: number | null;
    /** From the first sign-in of its family, a refresh token expires after this; null: no limit. */
    absoluteLifetimeSeconds: number | null;
  };
  skipConsent: boolean;
  /** Clients have no switch of their own: a client serves while its pool is enabled. */
  enabled: boolean;
  /** The scopes the client may ask for (standard ones, and any of the pool's custom scopes given to it). */
  scopes: string[];
  serviceId: string | null;
  developmentMode: boolean;
  dismissLoginPage: boolean;
  /** Changes when the client does: a cache keyed on it never serves a stale client. */
  updatedAt: Date;
}

const CONFIDENTIAL_AUTH: readonly TokenEndpointAuthMethod[] = ["client_secret_basic", "client_secret_post"];
const PUBLIC_AUTH: readonly TokenEndpointAuthMethod[] = ["none"];

/** The grants a client may use (the table above). */
export function grantsOf(type: ClientType, grantType: CredentialRow["grant_type"]): readonly SignInGrant[] {
  if (isPublicClient(type)) return ["authorization_code", "refresh_token"];
  if (grantType === "single_sign_on") return ["authorization_code", "refresh_token"];
  return ["authorization_code", "refresh_token", "client_credentials"];
}

type ClientColumns = Omit<CredentialRow, "secret_hash" | "secret_version" | "secret_updated_at" | "credential_id" | "description" | "created_at">;

/** The row as sign-in sees it. `poolEnabled`: the pool's switch. The secret's hash is never part of it. */
export function signInClientOf(row: ClientColumns, poolEnabled: boolean): SignInClient {
  const confidential = !isPublicClient(row.client_type);
  return {
    accountId: String(row.account_id),
    poolUid: row.user_pool_uid,
    clientId: row.client_api_identifier,
    name: row.name,
    logoUri: row.logo_uri ?? "",
    type: row.client_type,
    grantType: row.grant_type,
    confidential,
    tokenEndpointAuthMethods: confidential ? CONFIDENTIAL_AUTH : PUBLIC_AUTH,
    pkceRequired: !confidential,
    grantTypes: grantsOf(row.client_type, row.grant_type),
    redirectUris: [...row.redirect_uris],
    logoutUris: [...row.allowed_logout_urls],
    webOrigins: [...row.allowed_web_origins],
    corsOrigins: [...row.allowed_cors],
    idTokenLifetimeSeconds: row.id_token_lifetime_seconds,
    accessTokenLifetimeSeconds: ACCESS_TOKEN_LIFETIME_SECONDS,
    refreshToken: {
      enabled: row.scopes.includes("offline_access"),
      rotation: row.refresh_token_rotation,
      idleLifetimeSeconds: row.refresh_token_has_idle_lifetime ? row.refresh_token_idle_lifetime_seconds : null,
      absoluteLifetimeSeconds: row.refresh_token_has_combined_lifetime ? row.refresh_token_combined_lifetime_seconds : null,
    },
    skipConsent: row.skip_consent_enabled,
    enabled: poolEnabled,
    scopes: [...row.scopes],
    serviceId: row.service_id,
    developmentMode: row.development_mode_enabled,
    dismissLoginPage: row.dismiss_login_page_enabled,
    updatedAt: row.updated_at,
  };
}

/** A URI in its WHATWG serialization, or undefined when it is not one a client may register. */
function serialized(uri: string): string | undefined {
  if (redirectUriProblem(uri) !== undefined) return undefined;
  return new URL(uri).href;
}

/**
 * Exact matching of a presented redirect_uri or post_logout_redirect_uri against the registered list
 * (RFC 9700 §2.1; OpenID Connect Core §3.1.2.1): equal after serialization, so only spellings a URL
 * parser cannot tell apart are equal (case of scheme and host, an empty path and "/", a default
 * port). No prefix, no wildcard, no loopback port relaxation; a presented URI that breaks the
 * registration rules (http to a non-loopback host, a fragment, credentials) matches nothing.
 * Returns the registered spelling, which is what a redirect should use.
 */
export function matchRegisteredUri(registered: readonly string[], presented: string): string | undefined {
  const wanted = serialized(presented);
  if (wanted === undefined) return undefined;
  return registered.find((r) => serialized(r) === wanted);
}
