// Sign-in on the scale-out topology of docs/deployment.md: two instances behind HAProxy (round robin,
// the load-balancer test's set-up), sharing one Postgres through PgBouncer in transaction mode, the
// pools' public address being the balancer's. A browser and openid-client go through the balancer
// only, so consecutive requests of one sign-in land on different instances: the flow must hold
// across them (all its state is in Postgres). What an operator changes is seen by every instance
// within the bounds docs/sign-in.md gives: a client change and a disabled user on the next request,
// a rotated signing key within the provider cache's check interval (5 s).
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import * as oidc from "openid-client";
import { startTestService, type TestService } from "../support/harness.js";
import { haproxyUnavailableReason, startHaproxy, type Haproxy } from "../support/infra/haproxy.js";
import { pgbouncerUnavailableReason, startPgbouncer, type Pgbouncer } from "../support/infra/pgbouncer.js";
import { freePort } from "../support/infra/postgres-instance.js";
import { rotatePoolSigningKey } from "../../src/sign-in/keys.js";
import { Browser, REDIRECT, rpConfig, signIn, signInFixture, type SignInFixture } from "../support/sign-in.js";

const direct = inject("directDatabaseUrl");
const viaSuiteBouncer = inject("databasePooler") === "pgbouncer";
const skipReason = !direct
  ? "no Postgres (PGlite run)"
  : (haproxyUnavailableReason() ?? (viaSuiteBouncer ? undefined : pgbouncerUnavailableReason()));
if (skipReason) console.log(`[reliability] sign-in behind HAProxy skipped: ${skipReason}`);

let bouncer: Pgbouncer | undefined;
let lb: Haproxy | undefined;
let instances: TestService[] = [];
/** The first instance seen through the balancer: its signed API calls go to itself, its url and host are the balancer's. */
let svc: TestService;
let f: SignInFixture;

beforeAll(async () => {
  if (skipReason) return;
  let url = inject("databaseUrl")!;
  if (!viaSuiteBouncer) {
    bouncer = await startPgbouncer(direct!);
    url = bouncer.url(direct!);
  }
  // The balancer's address is the issuers' base on both instances, so it is chosen first.
  const port = await freePort();
  const env = { ID_PUBLIC_BASE_URL: `http://127.0.0.1:${port}` };
  instances = await Promise.all([1, 2].map(() => startTestService({ databaseUrl: url, pooler: "pgbouncer", env })));
  lb = await startHaproxy(
    instances.map((s) => Number(new URL(s.url).port)),
    { port },
  );
  svc = instances[0]!;
  // Both instances in the rotation (health checks passed) before the flows start.
  await waitFor(
    async () => (await lb!.command("show stat")).split("\n").filter((l) => /^instances,i\d+,.*,UP,/.test(l)).length === 2,
    15_000,
  );
  f = await signInFixture(svc, { client: { SkipConsentEnabled: true } });
  expect(f.issuer).toBe(`http://${lb.host}/userpool/${f.poolUid}`);
}, 90_000);
afterAll(async () => {
  await lb?.stop();
  await Promise.all(instances.map((s) => s.close()));
  await bouncer?.stop();
});

async function waitFor(check: () => Promise<boolean>, ms: number) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The sign-in endpoints each instance logged (its own request log). */
const signInEndpoints = (s: TestService) =>
  s.logs.filter((l) => l.includes('"audience":"sign-in"')).map((l) => (JSON.parse(l) as { endpoint: string }).endpoint);

/** A GET straight to one instance with the balancer's Host, as the balancer forwards it. */
function onInstance(s: TestService, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: Number(new URL(s.url).port), path, headers: { Host: lb!.host, ...headers }, agent: false },
      (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe.skipIf(Boolean(skipReason))("sign-in on two instances behind HAProxy, through PgBouncer", () => {
  it("a sign-in started on one instance finishes on the other", async () => {
    const before = instances.map((s) => signInEndpoints(s).length);
    const config = await rpConfig(f, f.clientSecret);
    const browser = new Browser();
    const flow = await signIn(browser, config, f);
    expect(flow.callback).toMatch(/^https:\/\/app\.example\.com\/cb\?code=/);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(flow.callback!), {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
    });
    expect(tokens.claims()!.sub).toBe(f.userUid);
    const info = await oidc.fetchUserInfo(config, tokens.access_token, f.userUid);
    expect(info.email).toBe(f.email);
    // Round robin: the flow's requests (authorize, page, form, resume, token, userinfo) were served by both.
    const served = instances.map((s, i) => signInEndpoints(s).slice(before[i]));
    for (const endpoints of served) expect(endpoints.length).toBeGreaterThan(0);
    expect(served.flat()).toEqual(expect.arrayContaining(["authorization", "interaction", "token", "userinfo"]));
    // The sign-in was counted once on the user, whichever instance took the password.
    const user = await svc.ok("GetUser", { UserPoolUid: f.poolUid, UserUid: f.userUid });
    expect(user.NumLogins).toBeGreaterThanOrEqual(1);
  });

  it("a second client of the pool signs in on the session another instance made", async () => {
    const config = await rpConfig(f, f.clientSecret);
    const browser = new Browser();
    await signIn(browser, config, f);
    const second = await svc.ok("CreateUserPoolClient", {
      UserPoolUid: f.poolUid,
      Name: "second",
      ClientType: "WEB",
      AllowedCallbackUrls: [REDIRECT],
      SkipConsentEnabled: true,
    });
    const other = await rpConfig({ issuer: f.issuer, clientId: second.Uid }, second.ClientSecret);
    // Several times: each lands on either instance; none asks for a password.
    for (let i = 0; i < 3; i++) {
      const url = oidc.buildAuthorizationUrl(other, {
        redirect_uri: REDIRECT,
        scope: "openid",
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: "S256",
      });
      const page = await browser.follow(url.href);
      expect(page.location).toMatch(/^https:\/\/app\.example\.com\/cb\?code=/);
    }
  });

  it("a client change and a disabled user are seen by every instance on the next request", async () => {
    const fx = await signInFixture(svc, { client: { SkipConsentEnabled: true } });
    const config = await rpConfig(fx, fx.clientSecret);
    const flow = await signIn(new Browser(), config, fx);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(flow.callback!), {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
    });
    const authorize = `/userpool/${fx.poolUid}/oauth2/authorize?${new URLSearchParams({
      client_id: fx.clientId,
      redirect_uri: REDIRECT,
      response_type: "code",
      scope: "openid",
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: "S256",
    })}`;
    for (const s of instances) expect((await onInstance(s, authorize)).status).toBe(303);

    // The callback URL removed: both instances refuse it at once (clients are read per request).
    await svc.ok("UpdateUserPoolClient", {
      UserPoolUid: fx.poolUid,
      ClientUid: fx.clientId,
      AllowedCallbackUrls: ["https://app.example.com/other"],
    });
    for (const s of instances) {
      const res = await onInstance(s, authorize);
      expect(res.status).toBe(400);
      expect(res.body).toContain("redirect_uri");
    }

    // The user disabled: its access token stops working at userinfo on both instances at once.
    const userinfo = `/userpool/${fx.poolUid}/oauth2/userinfo`;
    const bearer = { Authorization: `Bearer ${tokens.access_token}` };
    for (const s of instances) expect((await onInstance(s, userinfo, bearer)).status).toBe(200);
    await svc.ok("UpdateUser", { UserPoolUid: fx.poolUid, UserUid: fx.userUid, UserState: "DISABLED" });
    for (const s of instances) {
      const res = await onInstance(s, userinfo, bearer);
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body)).toMatchObject({ error: "invalid_token" });
    }
  });

  it("a rotated signing key is published and used by every instance within the check interval", async () => {
    const jwksPath = `/userpool/${f.poolUid}/.well-known/jwks.json`;
    const kids = async (s: TestService) =>
      (JSON.parse((await onInstance(s, jwksPath)).body) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    for (const s of instances) await kids(s); // both have the pool's provider cached
    const { current } = await rotatePoolSigningKey(svc.deps, svc.accountId, f.poolUid);
    const fresh = current.map((k) => k.kid);
    const started = Date.now();
    // The bound is 5 s (docs/sign-in.md); a busy machine gets a generous margin before the test gives up.
    await waitFor(async () => (await Promise.all(instances.map(kids))).every((ks) => fresh.every((k) => ks.includes(k))), 20_000);
    const seenAfter = Date.now() - started;
    // Every instance now signs with the new ES256 key: ID tokens through the balancer carry its kid.
    const config = await rpConfig(f, f.clientSecret);
    const es256 = current.find((k) => k.alg === "ES256")!.kid;
    for (let i = 0; i < 2; i++) {
      const flow = await signIn(new Browser(), config, f);
      const tokens = await oidc.authorizationCodeGrant(config, new URL(flow.callback!), {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
      });
      const header = JSON.parse(Buffer.from(tokens.id_token!.split(".")[0]!, "base64url").toString()) as { kid: string };
      expect(header.kid).toBe(es256);
    }
    console.log(`[reliability] rotated key seen by both instances after ${seenAfter} ms (bound: 5000 ms check interval)`);
  });
});
