// A federated sign-in that leaves from one instance and comes back to another finishes: the state,
// nonce and PKCE verifier are in Postgres, the browser binding in a cookie. Two instances on one
// database behind a switchable reverse proxy (the public address both answer for); the flow starts
// on A (page, link, state stored) and the provider's answer, the finish and the code exchange all
// reach B. Then the same behind HAProxy (round robin, as the scale tests run it), where which
// instance serves which leg is the balancer's choice.
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTwoInstances, type SwitchProxy, type TwoInstances } from "../support/infra/switch-proxy.js";
import { startTestService, type TestService } from "../support/harness.js";
import { Browser } from "../support/sign-in.js";
import { fedFixture, LOOPBACK_OUTBOUND, toCallback, walk } from "../support/federation-sign-in.js";
import { startUpstream, type Upstream } from "../support/upstream-oidc.js";
import * as oidc from "openid-client";
import { haproxyUnavailableReason, startHaproxy } from "../support/infra/haproxy.js";

let upstream: Upstream;
let proxy: SwitchProxy;
let a: TestService;
let b: TestService;

let instances: TwoInstances | undefined;
beforeAll(async () => {
  upstream = await startUpstream();
  instances = await startTwoInstances(LOOPBACK_OUTBOUND);
  ({ proxy, a, b } = instances);
}, 60_000);
afterAll(async () => {
  await instances?.close();
  await upstream?.close();
});

it("a federated sign-in begun on one instance finishes on another", async () => {
  const f = await fedFixture(a, upstream);
  upstream.nextLogin = { account: { sub: "instances-person", email: "instances@example.org", email_verified: true } };
  const browser = new Browser();
  proxy.route(a);
  const { auth, callback } = await toCallback(browser, f);
  expect(callback).toContain("/callback/oidc/login?");
  const onA = proxy.served(a);
  proxy.route(b);
  const done = await walk(browser, callback!);
  expect(done.location).toMatch(/code=/);
  const tokens = await oidc.authorizationCodeGrant(f.config, new URL(done.location!), {
    pkceCodeVerifier: auth.verifier,
    expectedState: auth.state,
    expectedNonce: auth.nonce,
  });
  const user = await a.ok("GetUser", { UserPoolUid: f.poolUid, UserUid: tokens.claims()!.sub });
  expect(user.ExternalIdentities[0].ExternalProviderUserIdentifier).toBe("instances-person");
  // A served the page and the way out, B the way back.
  expect(onA).toBeGreaterThan(0);
  expect(proxy.served(a)).toBe(onA);
  expect(proxy.served(b)).toBeGreaterThanOrEqual(3);
});

const noHaproxy = haproxyUnavailableReason();
it.skipIf(noHaproxy !== undefined)("a federated sign-in behind HAProxy's round robin finishes", { timeout: 90_000 }, async () => {
  // The balancer first (its address is both instances' public one), pointed at them once they listen.
  const lb = await startHaproxy([9, 9]);
  const env = { ...LOOPBACK_OUTBOUND, ID_PUBLIC_BASE_URL: `http://${lb.host}` };
  const pair = [await startTestService({ env }), await startTestService({ env })];
  try {
    for (const [i, svc] of pair.entries()) {
      await lb.command(`set server instances/i${i + 1} addr 127.0.0.1 port ${new URL(svc.url).port}`);
      await lb.command(`set server instances/i${i + 1} state ready`);
    }
    // Both in the rotation (HAProxy's stats say UP for each) before the flow starts.
    const bothUp = async () => {
      const stats = await lb.command("show stat");
      return ["i1", "i2"].every((name) => stats.split("\n").some((l) => l.startsWith(`instances,${name},`) && l.includes(",UP,")));
    };
    for (let tries = 0; !(await bothUp()) && tries < 300; tries++) await new Promise((r) => setTimeout(r, 100));
    expect(await bothUp()).toBe(true);
    const f = await fedFixture(pair[0]!, upstream);
    const signInRequests = () =>
      pair.map((svc) => svc.logs.filter((l) => l.includes('"audience":"sign-in"') && l.includes(f.poolUid)).length);
    upstream.nextLogin = { account: { sub: "haproxy-person", email: "haproxy@example.org", email_verified: true } };
    const browser = new Browser();
    const { auth, callback } = await toCallback(browser, f);
    const done = await walk(browser, callback!);
    expect(done.location).toMatch(/code=/);
    const tokens = await oidc.authorizationCodeGrant(f.config, new URL(done.location!), {
      pkceCodeVerifier: auth.verifier,
      expectedState: auth.state,
      expectedNonce: auth.nonce,
    });
    const user = await pair[0]!.ok("GetUser", { UserPoolUid: f.poolUid, UserUid: tokens.claims()!.sub });
    expect(user.ExternalIdentities[0].ExternalProviderUserIdentifier).toBe("haproxy-person");
    // Both instances served parts of it.
    expect(signInRequests().every((n) => n > 0)).toBe(true);
  } finally {
    await lb.stop();
    await Promise.all(pair.map((svc) => svc.close()));
  }
});
