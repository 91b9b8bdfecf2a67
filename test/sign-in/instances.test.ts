// Sign-in across instances on one database, and the audiences an instance serves: a flow started on
// one instance finishes on another (all state is in Postgres); a rotated signing key reaches every
// instance within the provider cache's check interval (5 s, docs/sign-in.md); ID_SERVE=api and
// ID_SERVE=sign-in each answer only their audience; a sign-in is counted on the user (NumLogins).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as oidc from "openid-client";
import { startTestService, type TestService } from "../support/harness.js";
import { rotatePoolSigningKey } from "../../src/sign-in/keys.js";
import { Browser, REDIRECT, rpConfig, signInFixture, type SignInFixture } from "../support/sign-in.js";

let a: TestService;
let b: TestService;
let f: SignInFixture;

beforeAll(async () => {
  a = await startTestService();
  // The second instance answers for the first one's public address, as two instances behind one
  // load balancer do; requests reach it with that Host.
  b = await startTestService({ env: { ID_PUBLIC_BASE_URL: a.url } });
  // SkipConsentEnabled: the flow goes from the password straight back to the client.
  f = await signInFixture(a, { client: { SkipConsentEnabled: true } });
}, 60_000);
afterAll(async () => {
  await a?.close();
  await b?.close();
});

describe("several instances", () => {
  it("a flow started on one instance finishes on another", async () => {
    const browser = new Browser();
    const config = await rpConfig(f, f.clientSecret);
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: "openid email",
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
    });
    const onA = await browser.follow(url.href);
    expect(onA.body).toContain('name="password"');
    // The rest (form post, resume, code exchange) is on B, reached through a Host-preserving path.
    const form = /action="([^"]+\/login)"/.exec(onA.body)![1]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(onA.body)![1]!;
    const done = await hostPreserving(browser, new URL(form, a.url).href, { csrf, identifier: f.email, password: "Corr3ct-Horse-Battery" });
    expect(done).toMatch(/^https:\/\/app\.example\.com\/cb\?code=/);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(done!), { pkceCodeVerifier: verifier });
    expect(tokens.claims()!.sub).toBe(f.userUid);
    const user = await a.ok("GetUser", { UserPoolUid: f.poolUid, UserUid: f.userUid });
    expect(user.NumLogins).toBeGreaterThanOrEqual(1);
    expect(user.LatestLoginMethod).toBe("password");
  });

  it("a rotated signing key is in every instance's JWKS within the check interval", async () => {
    const jwks = async (svc: TestService) =>
      ((await (await fetchWithHost(svc, `/userpool/${f.poolUid}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map(
        (k) => k.kid,
      );
    const before = await jwks(b);
    const { current } = await rotatePoolSigningKey(a.deps, a.accountId, f.poolUid);
    const started = Date.now();
    let seen: string[] = before;
    while (!current.every((k) => seen.includes(k.kid)) && Date.now() - started < 8000) {
      await new Promise((r) => setTimeout(r, 250));
      seen = await jwks(b);
    }
    expect(seen).toEqual(expect.arrayContaining(current.map((k) => k.kid)));
    expect(seen).toEqual(expect.arrayContaining(before)); // the old keys stay published
    expect(Date.now() - started).toBeLessThan(7000);
  });
});

describe("ID_SERVE", () => {
  it("an api instance does not serve sign-in, a sign-in instance not the signed API", async () => {
    const api = await startTestService({ env: { ID_SERVE: "api" } });
    const signInOnly = await startTestService({ env: { ID_SERVE: "sign-in" } });
    try {
      const pool = await signInFixture(api);
      expect((await fetch(`${api.url}/userpool/${pool.poolUid}/.well-known/openid-configuration`)).status).toBe(404);
      expect((await fetch(`${signInOnly.url}/userpool/${pool.poolUid}/.well-known/openid-configuration`)).status).toBe(200);
      expect((await fetch(`${signInOnly.url}/?Action=ListUserPools&Version=2025-10-30`)).status).toBe(404);
    } finally {
      await api.close();
      await signInOnly.close();
    }
  });
});

import { request } from "node:http";

/** GET on an instance with the public Host header (what a load balancer forwards). */
function fetchWithHost(svc: TestService, path: string): Promise<{ json(): Promise<unknown>; status: number }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: Number(svc.host.split(":")[1]), path, headers: { Host: a.host } }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, json: async () => JSON.parse(body) }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Posts a form to instance B with A's Host and the browser's cookies, then follows B's redirects the same way; returns the first off-host location. */
async function hostPreserving(browser: Browser, url: string, form: Record<string, string>): Promise<string | undefined> {
  let next: { url: string; form?: Record<string, string> } | undefined = { url, form };
  for (let i = 0; i < 10 && next; i++) {
    const u: URL = new URL(next.url);
    if (u.host !== a.host) return next.url;
    const cookie = browser.cookies
      .filter((c) => u.pathname.startsWith(c.path))
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");
    const body = next.form ? new URLSearchParams(next.form).toString() : undefined;
    const res = await new Promise<{ status: number; location?: string; setCookie: string[] }>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: Number(b.host.split(":")[1]),
          path: u.pathname + u.search,
          method: body ? "POST" : "GET",
          headers: {
            Host: a.host,
            ...(cookie && { Cookie: cookie }),
            ...(body && { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": Buffer.byteLength(body) }),
          },
        },
        (r) => {
          r.resume();
          r.on("end", () => {
            resolve({ status: r.statusCode!, location: r.headers.location, setCookie: r.headers["set-cookie"] ?? [] });
          });
        },
      );
      req.on("error", reject);
      req.end(body);
    });
    for (const line of res.setCookie) (browser as unknown as { store(l: string): void }).store(line);
    next = res.location ? { url: new URL(res.location, u).href } : undefined;
  }
  return undefined;
}
