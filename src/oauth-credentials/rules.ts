// The rules a credential must satisfy (api.md §6 "OAuth credentials"). The seed's rules are checked
// here, by the service, on the credential as it would end up, and in the seed's order; the URI
// rules are pure checks the action schemas use as refinements.
import { errors } from "../core/errors.js";

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
export function checkCredentialRules(state: CredentialEndState, customScopes: readonly string[]): asserts state is CredentialEndState & { grantType: GrantType } {
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

/** JSON-quoted and cut short, so an error message never echoes a huge or multi-line value. */
function quote(value: string): string {
  return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}...` : value);
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
/**
 * The one host rule for every URL that carries a secret back to a client (redirect URIs, reset
 * links): plain http only to the caller's own machine (RFC 8252 §7.3), https everywhere else.
 */
export const isLoopbackHost = (hostname: string): boolean => LOOPBACK_HOSTS.has(hostname);
// A private-use scheme for native apps is a reverse domain name (RFC 8252 §7.1), so it holds a dot;
// that also shuts out javascript:, data:, file: and the like.
const NATIVE_SCHEME = /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+$/;

/** Why a redirect URI is refused, or undefined when it is acceptable. */
export function redirectUriProblem(uri: string): string | undefined {
  const why = redirectUriReason(uri);
  return why && `redirect URI ${quote(uri)} is invalid: ${why}`;
}

function redirectUriReason(uri: string): string | undefined {
  if (uri.length === 0) return "it is empty";
  if (uri.length > 2048) return "it is longer than 2048 characters";
  if (/[\s\x00-\x1f\x7f]/.test(uri)) return "it contains whitespace or control characters";
  if (uri.includes("#")) return "it must not contain a fragment";
  if (uri.includes("*")) return "wildcards are not allowed";
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return "it is not an absolute URI";
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (url.username || url.password) return "it must not contain credentials";
  if (scheme === "https") return url.hostname ? undefined : "it has no host";
  if (scheme === "http") return isLoopbackHost(url.hostname) ? undefined : "http is allowed only for localhost, 127.0.0.1 and [::1]; use https";
  if (NATIVE_SCHEME.test(scheme)) return undefined;
  return `the scheme ${quote(scheme)} is not allowed; use https, http on a loopback host, or a reverse-domain scheme such as com.example.app`;
}

/**
 * An absolute https URL without credentials or fragment, or http on a loopback host: where a link
 * carrying a secret (a reset token) may point. Also checked on stored values that predate the rule.
 */
export function isSecureWebUrl(s: string): boolean {
  try {
    const u = new URL(s);
    const secure = u.protocol === "https:" || (u.protocol === "http:" && isLoopbackHost(u.hostname));
    return secure && u.hostname !== "" && !u.username && !u.password && !s.includes("#");
  } catch {
    return false;
  }
}

/** Why a logo URI is refused, or undefined: an absolute https URL. */
export function logoUriProblem(uri: string): string | undefined {
  if (uri.length > 2048 || /[\s\x00-\x1f\x7f]/.test(uri)) return "must be an absolute https URL of at most 2048 characters";
  try {
    const url = new URL(uri);
    if (url.protocol === "https:" && url.hostname && !url.username && !url.password) return undefined;
  } catch {
    // fall through
  }
  return "must be an absolute https URL without credentials";
}
