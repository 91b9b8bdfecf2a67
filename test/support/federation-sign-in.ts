// Test helpers of federated sign-in: a pool (taking sign-ups) with a client that skips consent and
// an OIDC or OAuth connection to the loopback upstream (upstream-oidc.ts), and a walk of the whole
// flow in the cookie-keeping Browser of sign-in.ts, across both servers.
import * as oidc from "openid-client";
import type { TestService } from "./harness.js";
import { createPool, uniqueName } from "./families/user-pools.js";
import { type Browser, REDIRECT, rpConfig } from "./sign-in.js";
import { UPSTREAM_CLIENT, type Upstream } from "./upstream-oidc.js";

/** The outbound settings that let the service reach the http upstream on loopback. */
export const LOOPBACK_OUTBOUND = {
  ID_OUTBOUND_ALLOW_ADDRESSES: "127.0.0.1",
  ID_OUTBOUND_ALLOW_HTTP_LOOPBACK: "on",
  ID_OUTBOUND_TIMEOUT_SECONDS: "5",
};

/** A person at the upstream provider: a fresh subject and verified address unless `overrides` say otherwise. */
export const upstreamAccount = <T extends Record<string, unknown>>(overrides: T = {} as T) => ({
  sub: uniqueName("up"),
  email: `${uniqueName("fed")}@example.org`,
  email_verified: true,
  name: "Grace Federated",
  ...overrides,
});

export interface FedFixture {
  poolUid: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  connectionUid: string;
  connectionName: string;
  config: oidc.Configuration;
}

export async function fedFixture(
  svc: TestService,
  upstream: Upstream,
  opts: { type?: "OIDC" | "OAUTH"; pool?: Record<string, unknown>; connection?: Record<string, unknown> } = {},
): Promise<FedFixture> {
  const poolUid = await createPool(svc, { SelfSignUpEnabled: true, ...opts.pool });
  const client = await svc.ok("CreateUserPoolClient", {
    UserPoolUid: poolUid,
    Name: "shop web",
    ClientType: "WEB",
    AllowedCallbackUrls: [REDIRECT],
  });
  await svc.ok("UpdateUserPoolClient", { UserPoolUid: poolUid, ClientUid: client.Uid, SkipConsentEnabled: true });
  const pool = await svc.ok("GetUserPool", { UserPoolUid: poolUid });
  const name = uniqueName(opts.type === "OAUTH" ? "oauth" : "oidc");
  const common = {
    UserPoolUid: poolUid,
    Name: name,
    ClientId: UPSTREAM_CLIENT.id,
    ClientSecret: UPSTREAM_CLIENT.secret,
    UsePkce: true,
    Enabled: true,
    ScopesList: ["openid", "email", "profile"],
  };
  const created =
    opts.type === "OAUTH"
      ? await svc.ok("CreateIdentityProviderOAuth", {
          ...common,
          AuthorizationEndpoint: `${upstream.issuer}/auth`,
          TokenEndpoint: `${upstream.issuer}/token`,
          UserEndpoint: `${upstream.issuer}/me`,
          IdAttribute: "sub",
          ...opts.connection,
        })
      : await svc.ok("CreateIdentityProviderOIDC", { ...common, Issuer: upstream.issuer, IsIdTokenMapping: false, ...opts.connection });
  upstream.allowRedirects(pool.OauthLoginCallbackUrl, pool.OauthSignUpCallbackUrl, pool.OidcLoginCallbackUrl, pool.OidcSignUpCallbackUrl);
  const f = { poolUid, issuer: pool.IssuerUrl as string, clientId: client.Uid as string, clientSecret: client.ClientSecret as string };
  return { ...f, connectionUid: created.Uid, connectionName: name, config: await rpConfig(f, f.clientSecret) };
}

export type Response = Awaited<ReturnType<Browser["request"]>>;

/** Follows redirects on any host until one leaves for the client (REDIRECT) or a page answers. */
export async function walk(browser: Browser, url: string, init: { form?: Record<string, string> } = {}): Promise<Response> {
  let res = await browser.request(url, init);
  for (let i = 0; i < 20 && res.location && !res.location.startsWith(REDIRECT); i++) res = await browser.request(res.location);
  return res;
}

/** The client's authorization request for the pool: its URL, and what openid-client checks the answer with. */
export async function authorization(f: Pick<FedFixture, "config">, params: Record<string, string> = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(f.config, {
    redirect_uri: REDIRECT,
    scope: "openid email profile",
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
    ...params,
  });
  return { url: url.href, verifier, state, nonce };
}

/** The sign-in page's link to a connection, absolute. */
export function connectionLink(page: Response, base: string, connectionUid: string): string {
  const m = new RegExp(`href="([^"]+/federate/${connectionUid})"`).exec(page.body);
  if (!m) throw new Error(`no link to connection ${connectionUid} in:\n${page.body.slice(0, 3000)}`);
  return new URL(m[1]!.replace(/&amp;/g, "&"), base).href;
}

/** Up to the provider's answer at our callback: the page, the link followed, and the callback URL the provider sent the browser to. */
export async function toCallback(browser: Browser, f: FedFixture, params: Record<string, string> = {}) {
  const auth = await authorization(f, params);
  const page = await browser.follow(auth.url);
  // The page's link, unless the page already sent the browser on (idp_hint, SoleProviderConnection).
  let next = page.location ?? connectionLink(page, auth.url, f.connectionUid);
  for (let i = 0; i < 20 && !next.includes("/callback/"); i++) {
    const r = await browser.request(next);
    if (!r.location) return { auth, page, callback: undefined, stopped: r };
    next = r.location;
  }
  return { auth, page, callback: next, stopped: undefined };
}

/** The whole flow: sign in at the upstream, come back, finish at the client. */
export async function fedSignIn(browser: Browser, f: FedFixture, params: Record<string, string> = {}) {
  const { auth, callback, stopped } = await toCallback(browser, f, params);
  if (!callback) return { auth, final: stopped!, tokens: undefined };
  const final = await walk(browser, callback);
  if (!final.location?.startsWith(REDIRECT)) return { auth, final, tokens: undefined };
  const tokens = await oidc.authorizationCodeGrant(f.config, new URL(final.location), {
    pkceCodeVerifier: auth.verifier,
    expectedState: auth.state,
    expectedNonce: auth.nonce,
  });
  return { auth, final, tokens, callback };
}
