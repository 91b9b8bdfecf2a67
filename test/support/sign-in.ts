// Test helpers of sign-in: a pool with a client and a user made through the signed API, an
// openid-client Configuration for it, and a browser stand-in (plain HTTP with a cookie jar that
// honours cookie paths) that walks the hosted pages by their forms.
import * as oidc from "openid-client";
import type { TestService } from "./harness.js";
import { createCustomAttribute, createPool, uniqueName } from "./families/user-pools.js";

export const REDIRECT = "https://app.example.com/cb";
export const LOGOUT_REDIRECT = "https://app.example.com/bye";
export const PASSWORD = "Corr3ct-Horse-Battery";

export interface SignInFixture {
  poolUid: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  email: string;
  userUid: string;
}

/** A pool (custom scope api.read), a WEB client with a secret, and a user with a password. */
export async function signInFixture(
  svc: TestService,
  opts: { clientType?: "WEB" | "SPA" | "NATIVE"; client?: Record<string, unknown>; pool?: Record<string, unknown> } = {},
): Promise<SignInFixture> {
  const poolUid = await createPool(svc, { CustomScopes: ["api.read"], Brand: { Name: "Shop", LogoUri: "" }, ...opts.pool });
  const client = await svc.ok("CreateUserPoolClient", {
    UserPoolUid: poolUid,
    Name: "shop web",
    ClientType: opts.clientType ?? "WEB",
    AllowedCallbackUrls: [REDIRECT],
  });
  await svc.ok("UpdateUserPoolClient", {
    UserPoolUid: poolUid,
    ClientUid: client.Uid,
    AllowedLogoutUrls: [LOGOUT_REDIRECT],
    ...opts.client,
  });
  const email = `${uniqueName("person")}@example.com`;
  const user = await svc.ok("CreateUser", {
    UserPoolUid: poolUid,
    Email: email,
    EmailVerified: true,
    Password: PASSWORD,
    Name: "Ada Person",
  });
  const pool = await svc.ok("GetUserPool", { UserPoolUid: poolUid });
  return { poolUid, issuer: pool.IssuerUrl, clientId: client.Uid, clientSecret: client.ClientSecret, email, userUid: user.Uid };
}

/**
 * A pool whose custom scopes `groups`, `departments` and `custom_attributes` have something to
 * release: its user has a custom attribute (plan = gold), a phone number and a given name, is in one
 * group and in two departments (the second inside the first); its client skips consent.
 */
export async function poolScopesFixture(svc: TestService): Promise<{ f: SignInFixture; groupName: string; departments: string[] }> {
  const f = await signInFixture(svc, {
    pool: { CustomScopes: ["groups", "departments", "custom_attributes"] },
    client: { SkipConsentEnabled: true },
  });
  await createCustomAttribute(svc, f.poolUid, { Name: "plan", DataType: "String" });
  await svc.ok("UpdateUser", {
    UserPoolUid: f.poolUid,
    UserUid: f.userUid,
    CustomAttributesToUpsert: [{ Name: "plan", Value: "gold" }],
    PhoneNumber: "+14155550100",
    GivenName: "Ada",
  });
  const groupName = uniqueName("staff");
  const group = await svc.ok("CreateGroup", { UserPoolUid: f.poolUid, Name: groupName });
  await svc.ok("AddUsersToGroup", { UserPoolUid: f.poolUid, GroupUid: group.Uid, UserUids: [f.userUid] });
  const departments: string[] = [];
  for (const name of ["sales", "north"]) {
    const d = await svc.ok("CreateDepartment", { UserPoolUid: f.poolUid, Name: name, ParentDepartmentUid: departments[0] ?? "0" });
    await svc.ok("AddUsersToDepartment", { UserPoolUid: f.poolUid, DepartmentUid: d.Uid, UserUids: [f.userUid] });
    departments.push(d.Uid as string);
  }
  return { f, groupName, departments };
}

/** openid-client's view of the pool: discovery over plain HTTP (loopback tests), secret by client_secret_basic. */
export async function rpConfig(f: Pick<SignInFixture, "issuer" | "clientId">, secret?: string, post = false) {
  const auth = secret === undefined ? oidc.None() : post ? oidc.ClientSecretPost(secret) : oidc.ClientSecretBasic(secret);
  return oidc.discovery(new URL(f.issuer), f.clientId, secret, auth, { execute: [oidc.allowInsecureRequests] });
}

interface Cookie {
  name: string;
  value: string;
  path: string;
}

/** A browser without JavaScript: follows nothing by itself, keeps cookies by path, reads forms. */
export class Browser {
  cookies: Cookie[] = [];
  constructor(readonly acceptLanguage = "en") {}

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}) {
    const u = new URL(url);
    const cookie = this.cookies
      .filter((c) => u.pathname.startsWith(c.path))
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");
    const res = await fetch(u, {
      method: init.method ?? (init.form ? "POST" : "GET"),
      redirect: "manual",
      headers: {
        "Accept-Language": this.acceptLanguage,
        ...(cookie && { Cookie: cookie }),
        ...(init.form && { "Content-Type": "application/x-www-form-urlencoded" }),
      },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
    });
    for (const line of res.headers.getSetCookie()) this.store(line);
    const body = await res.text();
    const location = res.headers.get("location");
    return { status: res.status, body, headers: res.headers, location: location ? new URL(location, u).href : undefined };
  }

  private store(line: string) {
    const [pair = "", ...attrs] = line.split(";").map((s) => s.trim());
    const eq = pair.indexOf("=");
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const path = attrs.find((a) => a.toLowerCase().startsWith("path="))?.slice(5) ?? "/";
    const expired = attrs.some((a) => /^expires=thu, 01 jan 1970/i.test(a)) || attrs.some((a) => /^max-age=0$/i.test(a));
    this.cookies = this.cookies.filter((c) => !(c.name === name && c.path === path));
    if (!expired && value) this.cookies.push({ name, value, path });
  }

  /** Follows redirects on the issuer's host until one leaves it (the client's redirect_uri) or a page answers. */
  async follow(url: string, init: { method?: string; form?: Record<string, string> } = {}) {
    let res = await this.request(url, init);
    for (let i = 0; i < 10 && res.location && new URL(res.location).host === new URL(url).host; i++) res = await this.request(res.location);
    return res;
  }
}

/** The value of a hidden input (or any input) named `name` in an HTML page. */
export function inputValue(html: string, name: string): string | undefined {
  const m = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(html);
  return m?.[1]?.replace(/&amp;/g, "&").replace(/&quot;/g, '"');
}

/** The action of the first form whose action ends with `suffix`. */
export function formAction(html: string, base: string, suffix: string): string {
  const m = [...html.matchAll(/<form[^>]*action="([^"]+)"/g)].map((x) => x[1]!).find((a) => a.endsWith(suffix));
  if (!m) throw new Error(`no form ending in ${suffix} in:\n${html.slice(0, 2000)}`);
  return new URL(m.replace(/&amp;/g, "&"), base).href;
}

/** Starts a code+PKCE request, signs in on the page (and consents when asked); returns the callback URL. */
export async function signIn(
  browser: Browser,
  config: oidc.Configuration,
  f: SignInFixture,
  params: Record<string, string> = {},
  password = PASSWORD,
) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: "openid profile email",
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
    ...params,
  });
  let page = await browser.follow(url.href);
  if (page.status === 200 && page.body.includes('name="password"')) {
    page = await browser.follow(formAction(page.body, url.href, "/login"), {
      form: { csrf: inputValue(page.body, "csrf")!, identifier: f.email, password },
    });
  }
  if (page.status === 200 && page.body.includes('/consent"')) {
    page = await browser.follow(formAction(page.body, url.href, "/consent"), { form: { csrf: inputValue(page.body, "csrf")! } });
  }
  return { page, verifier, state, nonce, callback: page.location };
}
