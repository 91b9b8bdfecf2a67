// ID_TRUSTED_PROXIES: forwarded headers count only from a listed proxy. Without the setting (and from
// any other peer) a client cannot move the issuer or the discovery document's endpoints with
// X-Forwarded-Host/-Proto, nor escape the per-address throttle of failed sign-ins by sending a new
// X-Forwarded-For each time; behind a listed proxy, X-Forwarded-For is the address that is counted,
// and a proxy saying the browser used plain http to an https issuer is refused. The address rules
// themselves: request-info.unit.test.ts.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as oidc from "openid-client";
import { startTestService, type TestService } from "../support/harness.js";
import { REDIRECT, rpConfig, signInFixture, type SignInFixture } from "../support/sign-in.js";

/** A raw HTTP exchange with any Host and forwarded headers (fetch would not send Host as given). */
function raw(
  svc: TestService,
  path: string,
  opts: { host?: string; headers?: Record<string, string>; cookie?: string; form?: Record<string, string> } = {},
): Promise<{ status: number; body: string; location?: string; setCookie: string[] }> {
  const body = opts.form ? new URLSearchParams(opts.form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: Number(svc.host.split(":")[1]),
        path,
        method: body ? "POST" : "GET",
        // A connection per exchange: a kept-alive one the server is closing would fail the request.
        agent: false,
        headers: {
          Host: opts.host ?? svc.host,
          ...opts.headers,
          ...(opts.cookie && { Cookie: opts.cookie }),
          ...(body && { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": Buffer.byteLength(body) }),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (text += d));
        res.on("end", () =>
          resolve({ status: res.statusCode!, body: text, location: res.headers.location, setCookie: res.headers["set-cookie"] ?? [] }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const HTTPS_HOST = "id.example.test";
let open: TestService;
let behindProxy: TestService;
let httpsIssuer: TestService;

beforeAll(async () => {
  [open, behindProxy, httpsIssuer] = await Promise.all([
    startTestService(),
    startTestService({ env: { ID_TRUSTED_PROXIES: "127.0.0.1,::1" } }),
    startTestService({ env: { ID_PUBLIC_BASE_URL: `https://${HTTPS_HOST}` } }),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all([open?.close(), behindProxy?.close(), httpsIssuer?.close()]);
});

describe("the issuer is never taken from a header", () => {
  it("an untrusted client's X-Forwarded-Host and -Proto change neither the issuer nor any endpoint", async () => {
    const f = await signInFixture(httpsIssuer);
    expect(f.issuer).toBe(`https://${HTTPS_HOST}/userpool/${f.poolUid}`);
    const path = `/userpool/${f.poolUid}/.well-known/openid-configuration`;
    const forged = await raw(httpsIssuer, path, {
      host: HTTPS_HOST,
      headers: { "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http", Forwarded: "host=evil.example;proto=http" },
    });
    expect(forged.status).toBe(200);
    const doc = JSON.parse(forged.body) as Record<string, unknown>;
    expect(doc.issuer).toBe(f.issuer);
    const urls = Object.entries(doc).filter(([k, v]) => typeof v === "string" && (k.endsWith("_endpoint") || k === "jwks_uri"));
    expect(urls.length).toBeGreaterThanOrEqual(6);
    for (const [, url] of urls) expect(String(url).startsWith(`${f.issuer}/`)).toBe(true);
    // The same document as a request without any forwarded header.
    const plain = await raw(httpsIssuer, path, { host: HTTPS_HOST });
    expect(JSON.parse(plain.body)).toEqual(doc);
  });

  it("an http issuer stays http whatever X-Forwarded-Proto says, even from a listed proxy", async () => {
    const f = await signInFixture(behindProxy);
    const res = await raw(behindProxy, `/userpool/${f.poolUid}/.well-known/openid-configuration`, {
      headers: { "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example" },
    });
    const doc = JSON.parse(res.body) as { issuer: string; token_endpoint: string };
    expect(doc.issuer).toBe(f.issuer);
    expect(doc.token_endpoint).toBe(`${f.issuer}/oauth2/token`);
  });

  it("a listed proxy saying the browser used plain http to an https issuer is refused", async () => {
    const proxied = await startTestService({ env: { ID_PUBLIC_BASE_URL: `https://${HTTPS_HOST}`, ID_TRUSTED_PROXIES: "127.0.0.1" } });
    try {
      const f = await signInFixture(proxied);
      const path = `/userpool/${f.poolUid}/.well-known/openid-configuration`;
      const refused = await raw(proxied, path, { host: HTTPS_HOST, headers: { "X-Forwarded-Proto": "http" } });
      expect(refused.status).toBe(400);
      expect(JSON.parse(refused.body)).toMatchObject({ error: "invalid_request" });
      expect((await raw(proxied, path, { host: HTTPS_HOST, headers: { "X-Forwarded-Proto": "https" } })).status).toBe(200);
      // From a peer that is not listed the header means nothing: the answer is the issuer's document.
      expect(
        (
          await raw(httpsIssuer, `/userpool/${(await signInFixture(httpsIssuer)).poolUid}/.well-known/openid-configuration`, {
            host: HTTPS_HOST,
            headers: { "X-Forwarded-Proto": "http" },
          })
        ).status,
      ).toBe(200);
      // The session cookies of an https issuer are Secure with the __Host- prefix (the proxy speaks TLS to the browser).
      const authorize = await raw(proxied, `/userpool/${f.poolUid}/oauth2/authorize?${authorizeQuery(f)}`, {
        host: HTTPS_HOST,
        headers: { "X-Forwarded-Proto": "https" },
      });
      expect(authorize.status).toBe(303);
      expect(authorize.setCookie.some((c) => /; secure/i.test(c))).toBe(true);
    } finally {
      await proxied.close();
    }
  });
});

function authorizeQuery(f: SignInFixture) {
  return new URLSearchParams({
    client_id: f.clientId,
    redirect_uri: REDIRECT,
    response_type: "code",
    scope: "openid",
    code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    code_challenge_method: "S256",
  }).toString();
}

/** Opens a sign-in page on `svc`; returns a function that posts one failed password and answers the status. */
async function failingSignIns(svc: TestService) {
  const f = await signInFixture(svc, { client: { SkipConsentEnabled: true } });
  const config = await rpConfig(f, f.clientSecret);
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: "openid",
    code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
    code_challenge_method: "S256",
  });
  const start = await raw(svc, url.pathname + url.search);
  const cookies = start.setCookie.map((c) => c.split(";")[0]!);
  const page = await raw(svc, start.location!.replace(/^https?:\/\/[^/]+/, ""), { cookie: cookies.join("; ") });
  const action = /action="([^"]+\/login)"/.exec(page.body)![1]!;
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
  let n = 0;
  return async (forwardedFor: string) => {
    const res = await raw(svc, action, {
      cookie: cookies.join("; "),
      headers: { "X-Forwarded-For": forwardedFor },
      // A new unknown identifier each time: only the per-address counter can add up.
      form: { csrf, identifier: `nobody-${n++}-${Date.now()}@example.com`, password: "wrong-password" },
    });
    return res.status;
  };
}

describe("the per-address throttle counts the address sign-in trusts", () => {
  it("an untrusted client sending a new X-Forwarded-For each time is still one address", async () => {
    const attempt = await failingSignIns(open);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push(await attempt(`198.51.100.${i + 1}`));
    // Five free failures per address; the sixth starts a wait of 1 s (docs/sign-in.md), which the
    // seventh meets: the service's clock is set back so a slow machine cannot outlast it.
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
    open.clock.advance(-60);
    expect(await attempt("198.51.100.7")).toBe(429);
    open.clock.advance(60);
  });

  it("behind a listed proxy each forwarded client address has its own allowance", async () => {
    const attempt = await failingSignIns(behindProxy);
    const spread: number[] = [];
    for (let i = 0; i < 6; i++) spread.push(await attempt(`198.51.100.${i + 1}`));
    expect(spread).toEqual([401, 401, 401, 401, 401, 401]);
    // One forwarded address failing over and over is throttled on its own.
    const same: number[] = [];
    for (let i = 0; i < 6; i++) same.push(await attempt("203.0.113.77"));
    expect(same).toEqual([401, 401, 401, 401, 401, 401]);
    behindProxy.clock.advance(-60);
    expect(await attempt("203.0.113.77")).toBe(429);
    // ... while another forwarded address is not.
    expect(await attempt("203.0.113.78")).toBe(401);
    behindProxy.clock.advance(60);
  });
});
