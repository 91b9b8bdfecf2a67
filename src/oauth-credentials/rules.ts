// The rules a credential must satisfy (docs/spec/api.md §6 "OAuth credentials"). The seed's rules are checked
// here, by the service, on the credential as it would end up, and in the seed's order; the URI
// rules are pure checks the action schemas use as refinements.
import { errors } from "../core/errors.js";
import { quote, urlProblem, type UrlRule } from "../core/url.js";

export const GRANT_TYPES = ["authorization_code", "single_sign_on"] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

/** The standard OIDC scopes; a pool adds its own through CustomScopes (UpdateUserPool). */
export const STANDARD_SCOPES: readonly string[] = ["openid", "profile", "email", "phone", "address", "offline_access"];

/** Space-separated scope text to tokens: any whitespace separates, repeats are dropped, order kept. */
export function scopeTokens(scope: string): string[] {
  return [...new Set(scope.split(/\s+/).filter(Boolean))];
}

export const isGrantType = (value: string): value is GrantType => (GRANT_TYPES as readonly string[]).includes(value);

/** The credential as it would be stored: what the seed's rules look at. */
export interface CredentialEndState {
  grantType: string;
  name: string;
  serviceId: number | null;
  scopes: string[];
}

/**
 * Throws the first broken rule, in the seed's order: grant type, name, service id, scope. The
 * lookup errors (MissingParameter.CredentialId, NotFound) come before, from the service.
 */
export function checkCredentialRules(
  state: CredentialEndState,
  customScopes: readonly string[],
): asserts state is CredentialEndState & { grantType: GrantType } {
  if (!isGrantType(state.grantType)) {
    throw errors.invalidParameter("GrantType", `requested grant type ${quote(state.grantType)} is invalid`);
  }
  if (state.grantType === "authorization_code" && state.name === "") {
    throw errors.missingParameter("Name", "a name is required for a credential with the authorization_code grant type");
  }
  if (state.grantType === "single_sign_on" && state.serviceId === null) {
    throw errors.missingParameter("ServiceId", "a service id is required for the single_sign_on grant type");
  }
  if (state.scopes.length === 0) throw errors.missingParameter("Scope", "at least one scope is required");
  const allowed = new Set([...STANDARD_SCOPES, ...customScopes]);
  const outside = state.scopes.find((s) => !allowed.has(s));
  if (outside !== undefined) throw errors.invalidParameter("Scope", `requested scope ${quote(outside)} is invalid`);
}

const REDIRECT_URI: UrlRule = { http: "loopback", nativeSchemes: true, noWhitespace: true, noWildcards: true };
const LOGO_URI: UrlRule = { http: "never", noWhitespace: true, fragment: true };

/** Why a redirect URI is refused, or undefined when it is acceptable. */
export function redirectUriProblem(uri: string): string | undefined {
  const why = urlProblem(uri, REDIRECT_URI);
  return why && `redirect URI ${quote(uri)} is invalid: ${why}`;
}

/**
 * Why a web origin (AllowedWebOrigins, AllowedCors) is refused: scheme://host[:port] and nothing
 * more, https or http on a loopback host. A browser sends exactly that in its Origin header, so
 * anything else (a path, a trailing slash, a wildcard) would never match it.
 */
export function originProblem(origin: string): string | undefined {
  const why = urlProblem(origin, { http: "loopback", noWhitespace: true, noWildcards: true });
  if (why) return `origin ${quote(origin)} is invalid: ${why}`;
  const url = new URL(origin);
  if (!["http:", "https:"].includes(url.protocol) || url.origin !== origin) {
    return `origin ${quote(origin)} is invalid: an origin is scheme://host[:port] as a browser sends it (lower case, no default port), without path, query or trailing slash`;
  }
  return undefined;
}

/** Token lifetimes in seconds: what a client may ask for (sql/012 holds the same bounds). */
export const LIFETIMES = {
  idToken: { min: 60, max: 2_592_000 },
  refreshToken: { min: 60, max: 31_536_000 },
} as const;

/** The refresh-token settings as they would be stored. */
export interface RefreshTokenEndState {
  hasIdle: boolean;
  idleSeconds: number;
  hasCombined: boolean;
  combinedSeconds: number;
}

/** An idle lifetime longer than the combined one could never apply: refused rather than stored. */
export function checkRefreshTokenRules(state: RefreshTokenEndState): void {
  if (state.hasIdle && state.hasCombined && state.idleSeconds > state.combinedSeconds) {
    throw errors.invalidParameter(
      "RefreshToken.IdleLifetimeSeconds",
      `IdleLifetimeSeconds (${state.idleSeconds}) must not be greater than CombinedLifetimeSeconds (${state.combinedSeconds}) when both lifetimes are on`,
    );
  }
}

/** Why a logo URI is refused, or undefined: an absolute https URL. */
export function logoUriProblem(uri: string): string | undefined {
  const why = urlProblem(uri, LOGO_URI);
  if (why === undefined) return undefined;
  return /longer than|whitespace/.test(why)
    ? "must be an absolute https URL of at most 2048 characters"
    : "must be an absolute https URL without credentials";
}
