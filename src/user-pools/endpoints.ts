// The addresses a data plane would serve for a pool, derived from the configured public base URL
// (ID_PUBLIC_BASE_URL), so clients read the same URLs upstream's results give them. One path per pool
// under the base: <base>/userpool/<uid>, which is also the pool's OIDC issuer. A pool whose custom
// domain is ACTIVE (src/user-pool-domains/) has its addresses on https://<domain> with the same path,
// so a data plane behind the CNAME routes by path exactly as on the shared host. The sign-in side
// (src/sign-in/) routes exactly these paths: ENDPOINT_PATHS and poolPathOf are its routing table.

const CALLBACK_PROTOCOLS = { Oauth: "oauth", Oidc: "oidc", Saml: "saml" } as const;

// Parsed once per base URL (the configuration has one): these fields are built for every pool of every
// GetUserPool and list page, and a WHATWG URL parse is a measurable share of the signed read.
const baseParts = new Map<string, { host: string; path: string }>();
function partsOf(publicBaseUrl: string) {
  let parts = baseParts.get(publicBaseUrl);
  if (!parts) {
    const url = new URL(publicBaseUrl);
    parts = { host: url.host, path: url.pathname.replace(/\/+$/, "") };
    baseParts.set(publicBaseUrl, parts);
  }
  return parts;
}

/** Every pool shares the base URL's host: pools are told apart by path, not by subdomain. */
export const poolDomain = (publicBaseUrl: string) => partsOf(publicBaseUrl).host;

/** The pool's issuer: under the public base URL, or under https://<custom domain> keeping the base's path. */
export function issuerOf(publicBaseUrl: string, uid: string, customDomain: string): string {
  const base = customDomain ? `https://${customDomain}${partsOf(publicBaseUrl).path}` : publicBaseUrl;
  return `${base}/userpool/${encodeURIComponent(uid)}`;
}

/** The endpoint fields of a pool's results (GetUserPool and the like). `customDomain`: its ACTIVE domain, or "". */
export function poolEndpoints(publicBaseUrl: string, uid: string, customDomain = "") {
  const issuer = issuerOf(publicBaseUrl, uid, customDomain);
  const callback = (protocol: keyof typeof CALLBACK_PROTOCOLS, flow: "login" | "signup") =>
    `${issuer}${ENDPOINT_PATHS.callback}/${CALLBACK_PROTOCOLS[protocol]}/${flow}`;
  const wellKnown = wellKnownEndpoints(publicBaseUrl, uid, customDomain);
  return {
    Domain: poolDomain(publicBaseUrl),
    CustomDomain: customDomain,
    IssuerUrl: issuer,
    DiscoveryUrl: wellKnown.DiscoveryUrl,
    TokenUrl: wellKnown.TokenEndpoint,
    TokenSigningKeyUrl: wellKnown.JwksUri,
    OauthLoginCallbackUrl: callback("Oauth", "login"),
    OauthSignUpCallbackUrl: callback("Oauth", "signup"),
    OidcLoginCallbackUrl: callback("Oidc", "login"),
    OidcSignUpCallbackUrl: callback("Oidc", "signup"),
    SamlLoginCallbackUrl: callback("Saml", "login"),
    SamlSignUpCallbackUrl: callback("Saml", "signup"),
  };
}

/** Where each OAuth/OIDC endpoint hangs under a pool's issuer: the addresses below and the provider's routes. */
export const ENDPOINT_PATHS = {
  discovery: "/.well-known/openid-configuration",
  jwks: "/.well-known/jwks.json",
  authorization: "/oauth2/authorize",
  token: "/oauth2/token",
  userinfo: "/oauth2/userinfo",
  revocation: "/oauth2/revoke",
  introspection: "/oauth2/introspect",
  end_session: "/oauth2/logout",
  /** The hosted pages of one authorization request (src/sign-in/interactions.ts). */
  interaction: "/interaction",
  /** A client's LoginPageUrl (`?client_id=`). */
  login: "/login",
  /** Federated sign-in callbacks: /callback/{oauth,oidc,saml}/{login,signup}. */
  callback: "/callback",
  /** The hosted page completing a password reset (the reset mail's link when the pool has no ResetPasswordUrl). */
  reset_password: "/reset-password",
} as const;

/** The path prefix of every pool: `<base path>/userpool/`. */
export const poolPathPrefix = (publicBaseUrl: string) => `${partsOf(publicBaseUrl).path}/userpool/`;

/** The RFC 8414 metadata path of every pool starts with this (the issuer's path appended after it). */
export const oauthMetadataPrefix = (publicBaseUrl: string) =>
  `/.well-known/oauth-authorization-server${partsOf(publicBaseUrl).path}/userpool/`;

/**
 * A request path split into its pool and the rest under the pool's issuer, or undefined when the
 * path is not a pool's. `/userpool/<uid>/oauth2/token` -> { poolUid, rest: "/oauth2/token" }; the
 * RFC 8414 form `/.well-known/oauth-authorization-server/userpool/<uid>` -> rest that same path.
 */
export function poolPathOf(publicBaseUrl: string, path: string): { poolUid: string; rest: string } | undefined {
  const metadata = oauthMetadataPrefix(publicBaseUrl);
  if (path.startsWith(metadata)) {
    const uid = path.slice(metadata.length);
    return uid && !uid.includes("/") ? { poolUid: safeDecode(uid), rest: "/.well-known/oauth-authorization-server" } : undefined;
  }
  const prefix = poolPathPrefix(publicBaseUrl);
  if (!path.startsWith(prefix)) return undefined;
  const slash = path.indexOf("/", prefix.length);
  const uid = path.slice(prefix.length, slash === -1 ? undefined : slash);
  return uid ? { poolUid: safeDecode(uid), rest: slash === -1 ? "/" : path.slice(slash) } : undefined;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return "";
  }
}

/** The OIDC discovery document's addresses of a pool (ListUserPoolWellKnownEndpoints). */
export function wellKnownEndpoints(publicBaseUrl: string, uid: string, customDomain = "") {
  const issuer = issuerOf(publicBaseUrl, uid, customDomain);
  return {
    UserPoolUid: uid,
    CustomDomain: customDomain,
    IssuerUrl: issuer,
    DiscoveryUrl: `${issuer}${ENDPOINT_PATHS.discovery}`,
    JwksUri: `${issuer}${ENDPOINT_PATHS.jwks}`,
    AuthorizationEndpoint: `${issuer}${ENDPOINT_PATHS.authorization}`,
    TokenEndpoint: `${issuer}${ENDPOINT_PATHS.token}`,
    UserinfoEndpoint: `${issuer}${ENDPOINT_PATHS.userinfo}`,
    RevocationEndpoint: `${issuer}${ENDPOINT_PATHS.revocation}`,
    IntrospectionEndpoint: `${issuer}${ENDPOINT_PATHS.introspection}`,
    EndSessionEndpoint: `${issuer}${ENDPOINT_PATHS.end_session}`,
  };
}
