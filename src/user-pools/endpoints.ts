// The addresses a data plane would serve for a pool, derived from the configured public base URL
// (ID_PUBLIC_BASE_URL), so clients read the same URLs upstream's results give them. One path per pool
// under the base: <base>/userpool/<uid>, which is also the pool's OIDC issuer. idplane serves none of
// these paths yet (it has no sign-in flow); they are stable, so a data plane can take them over.

const CALLBACK_PROTOCOLS = { Oauth: "oauth", Oidc: "oidc", Saml: "saml" } as const;

export function poolEndpoints(publicBaseUrl: string, uid: string) {
  const issuer = `${publicBaseUrl}/userpool/${encodeURIComponent(uid)}`;
  const callback = (protocol: keyof typeof CALLBACK_PROTOCOLS, flow: "login" | "signup") => `${issuer}/callback/${CALLBACK_PROTOCOLS[protocol]}/${flow}`;
  return {
    // Every pool shares the base URL's host: pools are told apart by path, not by subdomain.
    Domain: new URL(publicBaseUrl).host,
    CustomDomain: "",
    IssuerUrl: issuer,
    DiscoveryUrl: `${issuer}/.well-known/openid-configuration`,
    TokenUrl: `${issuer}/oauth2/token`,
    TokenSigningKeyUrl: `${issuer}/.well-known/jwks.json`,
    OauthLoginCallbackUrl: callback("Oauth", "login"),
    OauthSignUpCallbackUrl: callback("Oauth", "signup"),
    OidcLoginCallbackUrl: callback("Oidc", "login"),
    OidcSignUpCallbackUrl: callback("Oidc", "signup"),
    SamlLoginCallbackUrl: callback("Saml", "login"),
    SamlSignUpCallbackUrl: callback("Saml", "signup"),
  };
}
