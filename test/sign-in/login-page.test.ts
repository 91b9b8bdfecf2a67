// A client's LoginPageUrl (<issuer>/login?client_id=): opened by a person, it starts the client's
// authorization request with its first callback URL, and the sign-in ends at the client with a code
// the client (openid-client) can exchange; where that cannot work (PKCE clients, clients without a
// callback URL, unknown or another pool's clients, repeated parameters) it answers a page asking to
// start from the application, never a redirect.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as oidc from "openid-client";
import { startTestService, type TestService } from "../support/harness.js";
import { Browser, formAction, inputValue, PASSWORD, REDIRECT, rpConfig, signInFixture, type SignInFixture } from "../support/sign-in.js";

let svc: TestService;
let f: SignInFixture;
let loginPageUrl: string;
const SECOND = "https://app.example.com/second";

beforeAll(async () => {
  svc = await startTestService();
  f = await signInFixture(svc, { client: { SkipConsentEnabled: true, AllowedCallbackUrls: [REDIRECT, SECOND] } });
  loginPageUrl = (await svc.ok("GetUserPoolClient", { UserPoolUid: f.poolUid, ClientUid: f.clientId })).LoginPageUrl;
}, 60_000);
afterAll(async () => {
  await svc?.close();
});

/** Follows the LoginPageUrl through the hosted page; answers where the browser lands. */
async function signInFrom(url: string) {
  const browser = new Browser();
  let page = await browser.follow(url);
  expect(page.status).toBe(200);
  expect(page.body).toContain('name="password"');
  page = await browser.follow(formAction(page.body, url, "/login"), {
    form: { csrf: inputValue(page.body, "csrf")!, identifier: f.email, password: PASSWORD },
  });
  return page;
}

describe("LoginPageUrl", () => {
  it("is the issuer's /login with the client's id", () => {
    expect(loginPageUrl).toBe(`${f.issuer}/login?client_id=${f.clientId}`);
  });

  it("starts the client's authorization with its first callback URL; the code is the client's to exchange", async () => {
    const start = await new Browser().request(loginPageUrl);
    expect(start.status).toBe(302);
    const authorize = new URL(start.location!);
    expect(authorize.origin + authorize.pathname).toBe(`${f.issuer}/oauth2/authorize`);
    expect(Object.fromEntries(authorize.searchParams)).toEqual({
      client_id: f.clientId,
      response_type: "code",
      scope: "openid",
      redirect_uri: REDIRECT,
    });
    const done = await signInFrom(loginPageUrl);
    expect(done.location).toMatch(/^https:\/\/app\.example\.com\/cb\?code=/);
    const config = await rpConfig(f, f.clientSecret);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(done.location!));
    expect(tokens.claims()!.sub).toBe(f.userUid);
  });

  it("passes on a registered redirect_uri, scope and state", async () => {
    const url = `${loginPageUrl}&redirect_uri=${encodeURIComponent(SECOND)}&scope=openid+email&state=s1&response_type=code`;
    const done = await signInFrom(url);
    const back = new URL(done.location!);
    expect(back.origin + back.pathname).toBe(SECOND);
    expect(back.searchParams.get("state")).toBe("s1");
  });

  it("never redirects to an unregistered redirect_uri", async () => {
    const res = await new Browser().follow(`${loginPageUrl}&redirect_uri=${encodeURIComponent("https://evil.example/cb")}`);
    expect(res.status).toBe(400);
    expect(res.location).toBeUndefined();
    expect(res.body).toContain("redirect_uri");
  });

  it("asks to start from the application when it cannot start the sign-in", async () => {
    const spa = await svc.ok("CreateUserPoolClient", {
      UserPoolUid: f.poolUid,
      Name: "spa",
      ClientType: "SPA",
      AllowedCallbackUrls: [REDIRECT],
    });
    const noCallback = await svc.ok("CreateUserPoolClient", { UserPoolUid: f.poolUid, Name: "machine", ClientType: "WEB" });
    const other = await signInFixture(svc);
    const cases: [string, string][] = [
      [`${f.issuer}/login?client_id=${spa.Uid}`, "invalid_request"],
      [`${f.issuer}/login?client_id=${noCallback.Uid}`, "unauthorized_client"],
      [`${f.issuer}/login?client_id=${other.clientId}`, "invalid_client"],
      [`${f.issuer}/login?client_id=nope`, "invalid_client"],
      [`${f.issuer}/login`, "invalid_request"],
      [`${f.issuer}/login?client_id=${"x".repeat(5000)}`, "invalid_request"],
      [`${loginPageUrl}&state=a&state=b`, "invalid_request"],
    ];
    for (const [url, error] of cases) {
      const res = await new Browser("zh-CN").request(url);
      expect(res.status, url).toBe(400);
      expect(res.location, url).toBeUndefined();
      expect(res.headers.get("content-type"), url).toMatch(/^text\/html/);
      expect(res.body, url).toContain(error);
      expect(res.body, url).toContain("请打开您要使用的应用");
    }
    // A PKCE client whose link carries its own challenge is started like any other.
    const withChallenge = await new Browser().request(
      `${f.issuer}/login?client_id=${spa.Uid}&code_challenge=${await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier())}&code_challenge_method=S256`,
    );
    expect(withChallenge.status).toBe(302);
    expect(withChallenge.location).toContain("/oauth2/authorize?");
  });

  it("is refused for a disabled pool like every browser endpoint", async () => {
    const p = await signInFixture(svc);
    await svc.ok("UpdateEnableUserPool", { UserPoolUid: p.poolUid, Enabled: false });
    const res = await new Browser().request(`${p.issuer}/login?client_id=${p.clientId}`);
    expect(res.status).toBe(403);
    expect(res.location).toBeUndefined();
  });
});
