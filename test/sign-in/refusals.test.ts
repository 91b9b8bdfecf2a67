// What a pool's OpenID Provider refuses, each with the error its standard names, and never with a
// 500 or a hang: bad redirect URIs, PKCE, codes, clients, secrets, users, pools, tokens, CSRF and
// oversized or malformed input.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as oidc from "openid-client";
import { startTestService, type TestService } from "../support/harness.js";
import {
  Browser,
  formAction,
  inputValue,
  PASSWORD,
  REDIRECT,
  rpConfig,
  signIn,
  signInFixture,
  type SignInFixture,
} from "../support/sign-in.js";

let svc: TestService;
let f: SignInFixture;
let other: SignInFixture;
let config: oidc.Configuration;

beforeAll(async () => {
  svc = await startTestService();
  [f, other] = await Promise.all([signInFixture(svc), signInFixture(svc)]);
  config = await rpConfig(f, f.clientSecret);
}, 60_000);
afterEach(() => {
  svc.clock.offsetMs = 0;
});
afterAll(() => svc?.close());

const oauthError = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    // ResponseBodyError carries `error`; a WWW-Authenticate challenge (401 at userinfo, at the token
    // endpoint with client_secret_basic) carries it in the challenge's parameters.
    const err = e as { error?: string; cause?: { error?: string } | Array<{ parameters?: { error?: string } }> };
    if (Array.isArray(err.cause)) return err.cause[0]?.parameters?.error ?? String(e);
    return err.error ?? err.cause?.error ?? String(e);
  }
  throw new Error("expected a refusal");
};

const authorizeUrl = (params: Record<string, string>, c = config) =>
  oidc.buildAuthorizationUrl(c, {
    redirect_uri: REDIRECT,
    scope: "openid",
    code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    code_challenge_method: "S256",
    ...params,
  }).href;

describe("authorization requests", () => {
  it("shows an unregistered redirect_uri an error page and never redirects to it", async () => {
    const res = await new Browser().request(authorizeUrl({ redirect_uri: "https://evil.example.com/cb" }));
    expect(res.status).toBe(400);
    expect(res.location).toBeUndefined();
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(res.body).toContain("invalid_redirect_uri");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("refuses a public client's request without PKCE, and prompt=none without a session", async () => {
    const spa = await signInFixture(svc, { clientType: "SPA" });
    const spaConfig = await rpConfig(spa);
    const url = new URL(authorizeUrl({}, spaConfig));
    url.searchParams.delete("code_challenge");
    url.searchParams.delete("code_challenge_method");
    const noPkce = await new Browser().request(url.href);
    expect(new URL(noPkce.location!).searchParams.get("error")).toBe("invalid_request");
    const none = await new Browser().request(authorizeUrl({ prompt: "none" }));
    expect(new URL(none.location!).searchParams.get("error")).toBe("login_required");
  });
});

describe("the token endpoint", () => {
  it("refuses a wrong PKCE verifier, and a reused code revokes what its first use issued", async () => {
    const { callback, state, nonce, verifier } = await signIn(new Browser(), config, f);
    const wrong = await oauthError(
      oidc.authorizationCodeGrant(config, new URL(callback!), {
        pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
        expectedState: state,
        expectedNonce: nonce,
      }),
    );
    expect(wrong).toBe("invalid_grant");

    const second = await signIn(new Browser(), config, f);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(second.callback!), {
      pkceCodeVerifier: second.verifier,
      expectedState: second.state,
      expectedNonce: second.nonce,
    });
    const reused = await oauthError(
      oidc.authorizationCodeGrant(config, new URL(second.callback!), {
        pkceCodeVerifier: second.verifier,
        expectedState: second.state,
        expectedNonce: second.nonce,
      }),
    );
    expect(reused).toBe("invalid_grant");
    expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    void verifier;
  });

  it("refuses an expired code", async () => {
    const { callback, state, nonce, verifier } = await signIn(new Browser(), config, f);
    svc.clock.advance(61);
    expect(
      await oauthError(
        oidc.authorizationCodeGrant(config, new URL(callback!), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce }),
      ),
    ).toBe("invalid_grant");
  });

  it("refuses another pool's client and a wrong secret as invalid_client", async () => {
    const crossed = await rpConfig({ issuer: f.issuer, clientId: other.clientId }, other.clientSecret);
    expect(await oauthError(oidc.clientCredentialsGrant(crossed, { scope: "api.read" }))).toBe("invalid_client");
    const wrongSecret = await rpConfig(f, "not-the-secret");
    expect(await oauthError(oidc.clientCredentialsGrant(wrongSecret, { scope: "api.read" }))).toBe("invalid_client");
  });
});

describe("tokens at userinfo and introspection", () => {
  it("refuses tampered, expired and other pools' tokens", async () => {
    const { callback, state, nonce, verifier } = await signIn(new Browser(), config, f);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(callback!), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    const tampered = `${tokens.access_token.slice(0, -2)}xx`;
    expect(await oauthError(oidc.fetchUserInfo(config, tampered, f.userUid))).toBe("invalid_token");
    expect((await oidc.tokenIntrospection(config, tampered)).active).toBe(false);

    const otherConfig = await rpConfig(other, other.clientSecret);
    expect(await oauthError(oidc.fetchUserInfo(otherConfig, tokens.access_token, f.userUid))).toBe("invalid_token");
    expect((await oidc.tokenIntrospection(otherConfig, tokens.access_token)).active).toBe(false);

    svc.clock.advance(3700);
    expect(await oauthError(oidc.fetchUserInfo(config, tokens.access_token, f.userUid))).toBe("invalid_token");
    expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
  });
});

describe("users and pools", () => {
  it("answers an unknown user as a wrong password, refuses a disabled user, and ends its tokens", async () => {
    const fx = await signInFixture(svc);
    const c = await rpConfig(fx, fx.clientSecret);
    const { callback, state, nonce, verifier } = await signIn(new Browser(), c, fx);
    const tokens = await oidc.authorizationCodeGrant(c, new URL(callback!), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });

    const attempt = async (identifier: string, password: string) => {
      const b = new Browser();
      const page = await b.follow(authorizeUrl({}, c));
      return b.request(formAction(page.body, fx.issuer, "/login"), {
        form: { csrf: inputValue(page.body, "csrf")!, identifier, password },
      });
    };
    const wrong = await attempt(fx.email, "not the password");
    const unknown = await attempt("nobody@example.com", "not the password");
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const message = (html: string) => /<p class="error"[^>]*>([^<]*)</.exec(html)?.[1];
    expect(message(unknown.body)).toBe(message(wrong.body));

    await svc.ok("UpdateUser", { UserPoolUid: fx.poolUid, UserUid: fx.userUid, UserState: "DISABLED" });
    expect((await attempt(fx.email, PASSWORD)).status).toBe(401);
    expect(await oauthError(oidc.fetchUserInfo(c, tokens.access_token, fx.userUid))).toBe("invalid_token");
  });

  it("a disabled pool answers with OAuth errors and pages, never a 500", async () => {
    const fx = await signInFixture(svc);
    const c = await rpConfig(fx, fx.clientSecret);
    await svc.ok("UpdateEnableUserPool", { UserPoolUid: fx.poolUid, Enabled: false });
    expect(await oauthError(oidc.clientCredentialsGrant(c, { scope: "api.read" }))).toBe("invalid_client");
    const page = await new Browser().request(authorizeUrl({}, c));
    expect(page.status).toBe(403);
    expect(page.location).toBeUndefined();
    const unknown = await fetch(`${svc.url}/userpool/no-such-pool/oauth2/token`, { method: "POST" });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toBe("invalid_request");
  });
});

describe("a pool disabled or deleted after this instance located it", () => {
  // The instance knows the pool's account from its first requests (discovery, a sign-in), so its
  // token requests no longer locate the pool (app.ts, poolNotLocated): each way of reaching the
  // token endpoint must still get the answers a located pool gets.
  const basic = (fx: SignInFixture, secret = fx.clientSecret) => `Basic ${Buffer.from(`${fx.clientId}:${secret}`).toString("base64")}`;
  async function tokenAnswer(fx: SignInFixture, form: string, authorization = basic(fx)) {
    const res = await fetch(`${fx.issuer}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization },
      body: form,
    });
    return { status: res.status, body: (await res.json()) as { error?: string; error_description?: string } };
  }
  const requests = (fx: SignInFixture, code: string) => [
    tokenAnswer(fx, "grant_type=client_credentials&scope=api.read"),
    tokenAnswer(fx, `grant_type=client_credentials&resource=${encodeURIComponent(fx.issuer)}`),
    tokenAnswer(fx, `grant_type=authorization_code&code=${code}&redirect_uri=${encodeURIComponent(REDIRECT)}&code_verifier=x`),
    tokenAnswer(fx, "grant_type=refresh_token&refresh_token=x"),
    tokenAnswer(fx, "grant_type=client_credentials", basic(fx, "wrong")),
  ];

  it("answers every token request for a disabled pool with invalid_client, for a deleted one with 404", async () => {
    const fx = await signInFixture(svc);
    const c = await rpConfig(fx, fx.clientSecret);
    const flow = await signIn(new Browser(), c, fx);
    const code = new URL(flow.callback!).searchParams.get("code")!;
    expect((await tokenAnswer(fx, "grant_type=client_credentials")).status).toBe(200);

    await svc.ok("UpdateEnableUserPool", { UserPoolUid: fx.poolUid, Enabled: false });
    for (const answer of await Promise.all(requests(fx, code))) {
      expect(answer).toEqual({ status: 401, body: { error: "invalid_client", error_description: "the user pool is disabled" } });
    }
    await svc.ok("UpdateEnableUserPool", { UserPoolUid: fx.poolUid, Enabled: true });
    expect((await tokenAnswer(fx, "grant_type=client_credentials")).status).toBe(200);

    await svc.ok("DeleteUserPool", { UserPoolUid: fx.poolUid });
    for (const answer of await Promise.all(requests(fx, code))) {
      expect(answer).toEqual({ status: 404, body: { error: "invalid_request", error_description: "no such user pool" } });
    }
  });

  it("still refuses an unknown client of an enabled pool as the library does", async () => {
    const fx = await signInFixture(svc);
    expect((await tokenAnswer(fx, "grant_type=client_credentials")).status).toBe(200);
    const unknown = await tokenAnswer(fx, "grant_type=client_credentials", `Basic ${Buffer.from("nobody:x").toString("base64")}`);
    expect(unknown).toEqual({ status: 401, body: { error: "invalid_client", error_description: "client authentication failed" } });
  });
});

describe("forms and input", () => {
  it("refuses a sign-in form without its CSRF token", async () => {
    const b = new Browser();
    const page = await b.follow(authorizeUrl({}));
    const res = await b.request(formAction(page.body, f.issuer, "/login"), { form: { identifier: f.email, password: PASSWORD } });
    expect(res.status).toBe(403);
    expect(res.location).toBeUndefined();
  });

  it("answers oversized and malformed parameters without a 500", async () => {
    const b = new Browser();
    const huge = await b.request(authorizeUrl({ scope: `openid ${"x".repeat(12_000)}` }));
    expect(huge.status).toBeLessThan(500);
    const malformed = await fetch(`${f.issuer}/oauth2/authorize?client_id=%zz&redirect_uri=%E0%A4%A`);
    expect(malformed.status).toBeLessThan(500);
    const badToken = await fetch(`${f.issuer}/oauth2/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "grant_type=%zz&code=" + "a".repeat(70_000),
    });
    expect(badToken.status).toBeGreaterThanOrEqual(400);
    expect(badToken.status).toBeLessThan(500);
    const page = await b.follow(authorizeUrl({}));
    const big = await b.request(formAction(page.body, f.issuer, "/login"), {
      form: { csrf: inputValue(page.body, "csrf")!, identifier: "x".repeat(20_000), password: "y" },
    });
    expect(big.status).toBe(413);
    const badPath = await fetch(`${svc.url}/userpool/%E0%A4%A/oauth2/token`, { method: "POST" });
    expect(badPath.status).toBe(404);
  });
});
