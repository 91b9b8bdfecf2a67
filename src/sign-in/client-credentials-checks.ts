// The checks of the token endpoint's usual client_credentials request and the scope it grants, as
// plain functions (no database: tested and mutated on their own,
// test/sign-in/client-credentials.unit.test.ts). Each accepts only what oidc-provider's token
// endpoint accepts (src/sign-in/client-credentials.ts names the library's code each one follows);
// whatever one refuses, the library answers.
import type { PlainRequest } from "./request-info.js";

/** Larger forms are the library's (its own bound is 56 KiB); a usual one is well under 1 KiB. */
export const USUAL_FORM_LIMIT_BYTES = 4096;

/** The form's parameters a usual request may carry, each at most once and never empty. */
const USUAL_PARAMETERS = new Set(["grant_type", "scope", "client_id", "client_secret"]);
/** Headers that ask for more than the usual exchange: sender-constrained tokens, attestation, CORS. */
const UNUSUAL_HEADERS = ["dpop", "origin", "oauth-client-attestation", "oauth-client-attestation-pop", "transfer-encoding"];
/** helpers/is_valid_scope.js. */
const SCOPE_SYNTAX = /^[\x21\x23-\x5B\x5D-\x7E]+(?: [\x21\x23-\x5B\x5D-\x7E]+)*$/;
/** consts/client_attributes.js noVSCHAR: a client id or secret holds only visible ASCII and spaces. */
const NOT_VSCHAR = /[^\x20-\x7E]/;
/** An Authorization header of the Basic scheme, its value as shared/client_auth.js's isValidBase64 accepts it. */
const BASIC = /^Basic ((?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?)$/;
/** The form media type, in UTF-8 (the library's default, and what every client sends). */
const FORM_TYPE = /^application\/x-www-form-urlencoded(?:; ?charset=utf-8)?$/i;

/** Whether the request's head is the usual one: a POST of a small form, no query, nothing unusual. */
export function usualTokenHead(req: PlainRequest): boolean {
  if (req.method !== "POST" || req.url.includes("?")) return false;
  if (UNUSUAL_HEADERS.some((h) => req.header(h) !== undefined)) return false;
  // An absent header reads as "undefined", which neither pattern accepts.
  if (!FORM_TYPE.test(String(req.header("content-type")))) return false;
  const length = String(req.header("content-length"));
  return /^\d{1,4}$/.test(length) && Number(length) > 0 && Number(length) <= USUAL_FORM_LIMIT_BYTES;
}

/** shared/client_auth.js decodeAuthToken: undefined where the library refuses the encoding. */
function decodeAuthToken(token: string): string | undefined {
  try {
    const decoded = decodeURIComponent(token.replace(/\+/g, "%20"));
    return NOT_VSCHAR.test(decoded) ? undefined : decoded;
  } catch {
    return undefined;
  }
}

export interface ClientCredentialsRequest {
  clientId: string;
  secret: string;
  /** The scope parameter, when sent. */
  scope: string | undefined;
}

/**
 * A usual client_credentials form with its client's id and secret, or undefined. The client
 * authenticates in exactly one way: client_secret_basic (the Authorization header, no client_id
 * or client_secret in the form) or client_secret_post (both in the form, no Authorization header).
 */
export function usualClientCredentials(authorization: string | undefined, form: string): ClientCredentialsRequest | undefined {
  const params = new URLSearchParams(form);
  const seen = new Set<string>();
  for (const [name, value] of params) {
    if (!USUAL_PARAMETERS.has(name) || seen.has(name) || value === "") return undefined;
    seen.add(name);
  }
  if (params.get("grant_type") !== "client_credentials") return undefined;
  const scope = params.get("scope") ?? undefined;
  if (scope !== undefined && !SCOPE_SYNTAX.test(scope)) return undefined;
  const [postedId, postedSecret] = [params.get("client_id"), params.get("client_secret")];
  if (authorization === undefined) {
    if (postedId === null || postedSecret === null || NOT_VSCHAR.test(postedId)) return undefined;
    return { clientId: postedId, secret: postedSecret, scope };
  }
  if (postedId !== null || postedSecret !== null) return undefined;
  const basic = BASIC.exec(authorization)?.[1];
  if (basic === undefined) return undefined;
  const decoded = Buffer.from(basic, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon === -1) return undefined;
  const [clientId, secret] = [decodeAuthToken(decoded.slice(0, colon)), decodeAuthToken(decoded.slice(colon + 1))];
  if (!clientId || !secret) return undefined;
  return { clientId, secret, scope };
}

/** What the library reads of the client it found (clients.ts clientMetadata). */
export interface ClientGrantMetadata {
  token_endpoint_auth_method?: string;
  grant_types?: readonly string[];
  scope?: string;
}

/**
 * The access token's scope as the library grants it, "refuse" where the library answers with an
 * error instead: a client that does not authenticate with a secret or may not use the grant
 * (client_auth.js, actions/token.js allowedGrantTypeCheck), a pool without an API (no custom scope:
 * provider.ts getResourceServerInfo refuses the default resource), a standard or custom scope the
 * client may not ask for (helpers/grant_authorization.js validateClientScope). What the token carries is
 * the requested scopes the pool's API defines (actions/grants/client_credentials.js, the resource
 * server's scope), in the order asked, once each; undefined when none.
 */
export function clientCredentialsScope(
  client: ClientGrantMetadata,
  requested: string | undefined,
  poolScopes: { statics: ReadonlySet<string>; api: readonly string[] },
): string | undefined | "refuse" {
  const method = client.token_endpoint_auth_method;
  if (method !== "client_secret_basic" && method !== "client_secret_post") return "refuse";
  if (!client.grant_types?.includes("client_credentials") || poolScopes.api.length === 0) return "refuse";
  const asked = new Set(requested?.split(" "));
  const allowed = new Set(client.scope?.split(" "));
  if (client.scope !== undefined && [...asked].some((s) => poolScopes.statics.has(s) && !allowed.has(s))) return "refuse";
  const api = new Set(poolScopes.api);
  return [...asked].filter((s) => api.has(s)).join(" ") || undefined;
}
