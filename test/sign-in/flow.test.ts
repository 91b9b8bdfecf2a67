// A pool is an OpenID Provider an unmodified certified relying party (openid-client) can use:
// discovery, code + PKCE through the hosted page, token, userinfo, refresh, introspection,
// revocation, client credentials and RP-initiated logout, on the suite's database (Postgres or the
// embedded default).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as oidc from "openid-client";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { startTestService, type TestService } from "../support/harness.js";
import { Browser, LOGOUT_REDIRECT, rpConfig, signIn, signInFixture, type SignInFixture } from "../support/sign-in.js";

let svc: TestService;
let f: SignInFixture;
let config: oidc.Configuration;

beforeAll(async () => {
  svc = await startTestService();
  f = await signInFixture(svc);
  config = await rpConfig(f, f.clientSecret);
}, 60_000);
afterAll(() => svc?.close());

describe("a pool as an OpenID Provider", () => {
  it("publishes discovery at the addresses the control plane returns", async () => {
    const wk = await svc.ok("ListUserPoolWellKnownEndpoints", { UserPoolUid: f.poolUid }).catch(() => undefined);
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(f.issuer);
    if (wk) {
      const e = (wk as any).Items?.[0] ?? wk;
      if (e.TokenEndpoint) expect(meta.token_endpoint).toBe(e.TokenEndpoint);
    }
    expect(meta.token_endpoint).toBe(`${f.issuer}/oauth2/token`);
    expect(meta.jwks_uri).toBe(`${f.issuer}/.well-known/jwks.json`);
    expect(meta.code_challenge_methods_supported).toEqual(["S256"]);
    expect(meta.authorization_response_iss_parameter_supported).toBe(true);
    const rfc8414 = await fetch(`${svc.url}/.well-known/oauth-authorization-server/userpool/${f.poolUid}`);
    expect(rfc8414.status).toBe(200);
    expect(((await rfc8414.json()) as { issuer: string }).issuer).toBe(f.issuer);
  });

  it("completes code + PKCE through the hosted page, then userinfo, refresh, introspection, revocation and logout", async () => {
    const browser = new Browser();
    const { callback, verifier, state, nonce } = await signIn(browser, config, f, {
      scope: "openid profile email offline_access",
      prompt: "consent",
    });
    expect(callback).toMatch(/^https:\/\/app\.example\.com\/cb\?code=/);
    expect(new URL(callback!).searchParams.get("iss")).toBe(f.issuer);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(callback!), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    const claims = tokens.claims()!;
    expect(claims.sub).toBe(f.userUid);
    expect(claims.aud).toBe(f.clientId);
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe("ES256");
    expect(tokens.refresh_token).toBeTruthy();

    const info = await oidc.fetchUserInfo(config, tokens.access_token, f.userUid);
    expect(info.email).toBe(f.email);
    expect(info.name).toBe("Ada Person");

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);

    const active = await oidc.tokenIntrospection(config, refreshed.access_token);
    expect(active.active).toBe(true);
    expect(active.sub).toBe(f.userUid);
    await oidc.tokenRevocation(config, refreshed.access_token);
    expect((await oidc.tokenIntrospection(config, refreshed.access_token)).active).toBe(false);

    // A second sign-in in the same browser needs no password: the pool's session.
    const again = await signIn(browser, config, f, {}, "wrong password never typed");
    expect(again.callback).toMatch(/code=/);

    const logoutUrl = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: LOGOUT_REDIRECT });
    const confirm = await browser.follow(logoutUrl.href);
    expect(confirm.status).toBe(200);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.body)?.[1];
    const action = /<form[^>]*action="([^"]+)"/.exec(confirm.body)?.[1];
    const done = await browser.follow(new URL(action!, logoutUrl).href, { form: { xsrf: xsrf!, logout: "yes" } });
    expect(done.location ?? "").toMatch(/^https:\/\/app\.example\.com\/bye/);
    const afterLogout = await browser.follow(
      oidc.buildAuthorizationUrl(config, {
        redirect_uri: "https://app.example.com/cb",
        scope: "openid",
        prompt: "none",
        code_challenge: "x".repeat(43),
        code_challenge_method: "S256",
      }).href,
    );
    expect(afterLogout.location).toMatch(/error=login_required/);

    // The request log names endpoints, never what passed through them.
    const logged = svc.logs.join("");
    expect(logged).toContain('"audience":"sign-in"');
    const code = new URL(callback!).searchParams.get("code")!;
    for (const secret of [
      code,
      tokens.access_token,
      tokens.refresh_token!,
      refreshed.access_token,
      tokens.id_token!,
      f.clientSecret,
      "Corr3ct-Horse-Battery",
      ...browser.cookies.map((c) => c.value),
    ]) {
      expect(logged).not.toContain(secret);
    }
  });

  it("remembers consent per user and client beyond the session", async () => {
    // The first test consented to openid profile email offline_access; a new browser (no session)
    // asking for no more goes from the password straight back to the client.
    const browser = new Browser();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: "https://app.example.com/cb",
      scope: "openid email",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
    });
    const page = await browser.follow(url.href);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const action = new URL(/action="([^"]+\/login)"/.exec(page.body)![1]!, url).href;
    const done = await browser.follow(action, { form: { csrf, identifier: f.email, password: "Corr3ct-Horse-Battery" } });
    expect(done.location).toMatch(/^https:\/\/app\.example\.com\/cb\?code=/);
    // Asking for more (phone) shows the consent page again.
    const more = await browser.follow(
      oidc.buildAuthorizationUrl(config, {
        redirect_uri: "https://app.example.com/cb",
        scope: "openid phone",
        code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        code_challenge_method: "S256",
      }).href,
    );
    expect(more.body).toContain('/consent"');
  });

  it("issues client_credentials tokens as RFC 9068 JWTs for the pool's custom scopes", async () => {
    const tokens = await oidc.clientCredentialsGrant(config, { scope: "api.read" }).catch((e) => {
      throw new Error(JSON.stringify(e.cause ?? e.error ?? e.message));
    });
    const header = decodeProtectedHeader(tokens.access_token);
    expect(header.typ).toBe("at+jwt");
    const payload = decodeJwt(tokens.access_token);
    expect(payload).toMatchObject({ iss: f.issuer, aud: f.issuer, client_id: f.clientId, scope: "api.read" });
    const post = await rpConfig(f, f.clientSecret, true);
    expect((await oidc.clientCredentialsGrant(post, { scope: "api.read" })).access_token).toBeTruthy();
  });
});
