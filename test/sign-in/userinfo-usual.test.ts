// Userinfo's usual request is answered beside oidc-provider (src/sign-in/userinfo.ts); every other
// request, and every refusal, by the library. Each case asks twice for the same token: as relying
// parties do (GET, Authorization: Bearer), and with a query parameter the library ignores, which
// keeps the request from our side. The two answers must be the same (status, claims, content type,
// caching, challenge), and the request log says which side answered each, so a case cannot pass by
// both going to the library.
import * as oidc from "openid-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTestService, type TestService } from "../support/harness.js";
import { Browser, LOGOUT_REDIRECT, poolScopesFixture, rpConfig, signIn, signInFixture, type SignInFixture } from "../support/sign-in.js";

let svc: TestService;
let f: SignInFixture;
let config: oidc.Configuration;

beforeAll(async () => {
  svc = await startTestService();
  ({ f } = await poolScopesFixture(svc));
  config = await rpConfig(f, f.clientSecret);
}, 60_000);
afterEach(() => {
  svc.clock.offsetMs = 0;
});
afterAll(() => svc?.close());

async function accessToken(fx = f, c = config, scope = "openid") {
  const flow = await signIn(new Browser(), c, fx, { scope });
  expect(flow.callback, flow.page.body.slice(0, 2000)).toBeTruthy();
  const tokens = await oidc.authorizationCodeGrant(c, new URL(flow.callback!), {
    pkceCodeVerifier: flow.verifier,
    expectedState: flow.state,
    expectedNonce: flow.nonce,
  });
  return tokens.access_token;
}

/** How many userinfo answers the log says were ours. */
const oursSoFar = () => svc.logs.filter((l) => l.includes('"endpoint":"userinfo"') && l.includes('"answeredBy":"idplane"')).length;

interface Answer {
  status: number;
  body: unknown;
  contentType: string | null;
  cacheControl: string | null;
  challenge: string | null;
  ours: boolean;
}

async function userinfo(
  fx: SignInFixture,
  token: string,
  init: { query?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const before = oursSoFar();
  const res = await fetch(`${fx.issuer}/oauth2/userinfo${init.query ?? ""}`, {
    headers: { authorization: `Bearer ${token}`, ...init.headers },
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text.startsWith("{") ? JSON.parse(text) : text,
    contentType: res.headers.get("content-type"),
    cacheControl: res.headers.get("cache-control"),
    challenge: res.headers.get("www-authenticate"),
    ours: oursSoFar() > before,
  };
}

/** The usual request is not ours for this token: the library refuses it, with the same answer as when asked directly. */
async function libraryRefuses(fx: SignInFixture, token: string, status = 401, init: { headers?: Record<string, string> } = {}) {
  const { usual, library } = await both(fx, token, init);
  expect(usual).toEqual({ ...library, ours: false });
  expect(usual.status).toBe(status);
}

/** The usual request's answer and the library's for the same token, with who answered each. */
async function both(fx: SignInFixture, token: string, init: { headers?: Record<string, string> } = {}) {
  const usual = await userinfo(fx, token, init);
  const library = await userinfo(fx, token, { ...init, query: "?answered=by-the-library" });
  expect(library.ours).toBe(false);
  return { usual, library };
}

describe("userinfo's usual request", () => {
  it.each([
    "openid",
    "openid profile",
    "openid profile email phone",
    "openid email groups departments custom_attributes",
    "openid profile email phone groups departments custom_attributes offline_access",
  ])("is answered beside the library with the library's answer: %s", async (scope) => {
    const token = await accessToken(f, config, scope);
    const { usual, library } = await both(f, token);
    expect(usual.ours).toBe(true);
    expect(usual.status).toBe(200);
    expect(usual.body).toEqual(library.body);
    expect(Object.keys(usual.body as object)).toEqual(Object.keys(library.body as object));
    expect(usual.contentType).toBe(library.contentType);
    expect(usual.cacheControl).toBe(library.cacheControl);
    expect((usual.body as { sub: string }).sub).toBe(f.userUid);
  });

  it("leaves every refusal to the library, which answers it as before", async () => {
    const token = await accessToken();
    const tampered = `${token.slice(0, -2)}${token.endsWith("xx") ? "yy" : "xx"}`;
    const [header, payload] = token.split(".");
    const unsigned = `${header}.${payload}.`;
    for (const bad of [tampered, unsigned, "not-a-jwt", `${header}.${payload}`]) await libraryRefuses(f, bad);

    // Another pool's token.
    const other = await signInFixture(svc, { client: { SkipConsentEnabled: true } });
    const otherConfig = await rpConfig(other, other.clientSecret);
    await libraryRefuses(other, token);
    expect((await userinfo(other, await accessToken(other, otherConfig))).ours).toBe(true);

    // Expired: past the token's hour.
    svc.clock.advance(3700);
    await libraryRefuses(f, token);
  });

  it("stops answering for a revoked token, a gone client and a disabled user at once", async () => {
    const fx = await signInFixture(svc, { client: { SkipConsentEnabled: true } });
    const c = await rpConfig(fx, fx.clientSecret);

    const revoked = await accessToken(fx, c);
    expect((await userinfo(fx, revoked)).ours).toBe(true);
    await oidc.tokenRevocation(c, revoked);
    await libraryRefuses(fx, revoked);

    const kept = await accessToken(fx, c);
    await svc.ok("UpdateUser", { UserPoolUid: fx.poolUid, UserUid: fx.userUid, UserState: "DISABLED" });
    await libraryRefuses(fx, kept);
    await svc.ok("UpdateUser", { UserPoolUid: fx.poolUid, UserUid: fx.userUid, UserState: "ACTIVE" });
    expect((await userinfo(fx, kept)).ours).toBe(true);

    await svc.ok("DeleteUserPoolClient", { UserPoolUid: fx.poolUid, ClientUid: fx.clientId });
    await libraryRefuses(fx, kept);
  });

  it("stops answering for a token whose session ended at logout", async () => {
    const fx = await signInFixture(svc, { client: { SkipConsentEnabled: true } });
    const c = await rpConfig(fx, fx.clientSecret);
    const browser = new Browser();
    const flow = await signIn(browser, c, fx);
    const tokens = await oidc.authorizationCodeGrant(c, new URL(flow.callback!), {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
    });
    expect((await userinfo(fx, tokens.access_token)).ours).toBe(true);

    const logoutUrl = oidc.buildEndSessionUrl(c, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: LOGOUT_REDIRECT });
    const confirm = await browser.follow(logoutUrl.href);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.body)?.[1];
    const action = /<form[^>]*action="([^"]+)"/.exec(confirm.body)?.[1];
    const done = await browser.follow(new URL(action!, logoutUrl).href, { form: { xsrf: xsrf!, logout: "yes" } });
    expect(done.location ?? "").toMatch(/^https:\/\/app\.example\.com\/bye/);

    await libraryRefuses(fx, tokens.access_token);
  });

  it("sees a pool disabled or deleted after its first answer at once", async () => {
    const fx = await signInFixture(svc, { client: { SkipConsentEnabled: true } });
    const token = await accessToken(fx, await rpConfig(fx, fx.clientSecret));
    expect((await userinfo(fx, token)).ours).toBe(true);

    await svc.ok("UpdateEnableUserPool", { UserPoolUid: fx.poolUid, Enabled: false });
    const disabled = await userinfo(fx, token);
    expect(disabled).toMatchObject({ status: 401, ours: false, body: { error: "invalid_token" } });
    await svc.ok("UpdateEnableUserPool", { UserPoolUid: fx.poolUid, Enabled: true });
    expect(await userinfo(fx, token)).toMatchObject({ status: 200, ours: true });

    await svc.ok("DeleteUserPool", { UserPoolUid: fx.poolUid });
    expect(await userinfo(fx, token)).toMatchObject({ status: 404, ours: false, body: { error: "invalid_request" } });
  });

  it("leaves other shapes of request to the library: DPoP, a cross-origin page, a POST", async () => {
    const token = await accessToken();
    await libraryRefuses(f, token, 400, { headers: { dpop: "not-a-proof" } });

    const page = await userinfo(f, token, { headers: { origin: "https://app.example.com" } });
    expect(page).toMatchObject({ status: 200, ours: false });
    expect(page.body).toEqual((await userinfo(f, token)).body);

    const before = oursSoFar();
    const posted = await fetch(`${f.issuer}/oauth2/userinfo`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ access_token: token }),
    });
    expect(posted.status).toBe(200);
    expect(await posted.json()).toEqual((await userinfo(f, token, { query: "?answered=by-the-library" })).body);
    expect(oursSoFar()).toBe(before);
  });
});
