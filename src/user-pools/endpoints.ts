// The addresses a data plane would serve for a pool, derived from the configured public base URL
// (ID_PUBLIC_BASE_URL), so clients read the same URLs upstream's results give them. One path per pool
// under the base: <base>/userpool/<uid>, which is also the pool's OIDC issuer. A pool whose custom
// domain is ACTIVE (src/user-pool-domains/) has its addresses on https://<domain> with the same path,
// so a data plane behind the CNAME routes by path exactly as on the shared host. idplane serves none
// of these paths yet (it has no sign-in flow); they are stable, so a data plane can take them over.

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
function issuerOf(publicBaseUrl: string, uid: string, customDomain: string): string {
  const base = customDomain ? `https://${customDomain}${partsOf(publicBaseUrl).path}` : publicBaseUrl;
  return `${base}/userpool/${encodeURIComponent(uid)}`;
}

/** The endpoint fields of a pool's results (GetUserPool and the like). `customDomain`: its ACTIVE domain, or "". */
export function poolEndpoints(publicBaseUrl: string, uid: string, customDomain = "") {
  const issuer = issuerOf(publicBaseUrl, uid, customDomain);
  const callback = (protocol: keyof typeof CALLBACK_PROTOCOLS, flow: "login" | "signup") => `${issuer}/callback/${CALLBACK_PROTOCOLS[protocol]}/${flow}`;
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

/** The OIDC discovery document's addresses of a pool (ListUserPoolWellKnownEndpoints). */
export function wellKnownEndpoints(publicBaseUrl: string, uid: string, customDomain = "") {
  const issuer = issuerOf(publicBaseUrl, uid, customDomain);
  return {
    UserPoolUid: uid,
    CustomDomain: customDomain,
    IssuerUrl: issuer,
    DiscoveryUrl: `${issuer}/.well-known/openid-configuration`,
    JwksUri: `${issuer}/.well-known/jwks.json`,
    AuthorizationEndpoint: `${issuer}/oauth2/authorize`,
    TokenEndpoint: `${issuer}/oauth2/token`,
    UserinfoEndpoint: `${issuer}/oauth2/userinfo`,
    RevocationEndpoint: `${issuer}/oauth2/revoke`,
    IntrospectionEndpoint: `${issuer}/oauth2/introspect`,
    EndSessionEndpoint: `${issuer}/oauth2/logout`,
  };
}
