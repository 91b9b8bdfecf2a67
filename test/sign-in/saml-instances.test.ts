// A SAML sign-in that leaves from one instance and comes back to another finishes, and an assertion
// one instance accepted is refused by the other: the request id lives with the state and the
// accepted assertion ids in Postgres, nothing in an instance's memory. Two instances on one
// database behind a switchable reverse proxy (the public address both answer for); the page, the
// link and the AuthnRequest are A's, the IdP's post to the ACS, the finish and the code exchange B's.
import * as oidc from "openid-client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { finishSamlSignIn } from "../../src/sign-in/federation/saml.js";
import { FederationFailure } from "../../src/sign-in/federation/profile.js";
import { makeTestCa, type TestCa } from "../support/families/federation.js";
import { uniqueName } from "../support/families/user-pools.js";
import { startTwoInstances, type SwitchProxy, type TwoInstances } from "../support/infra/switch-proxy.js";
import type { TestService } from "../support/harness.js";
import { startTestIdp, type TestIdp } from "../support/saml-idp.js";
import { postAcs, samlFixture, toAcs } from "../support/saml-sign-in.js";
import { Browser } from "../support/sign-in.js";

let tls: TestCa;
let idp: TestIdp;
let proxy: SwitchProxy;
let a: TestService;
let b: TestService;

let instances: TwoInstances | undefined;
beforeAll(async () => {
  tls = await makeTestCa();
  idp = await startTestIdp(tls);
  instances = await startTwoInstances();
  ({ proxy, a, b } = instances);
}, 60_000);
afterAll(async () => {
  await instances?.close();
  await idp?.close();
});

it("a SAML sign-in begun on one instance finishes on another, which remembers the assertion for both", async () => {
  proxy.route(a);
  const f = await samlFixture(a, idp);
  const nameId = `${uniqueName("inst")}@corp.example`;
  idp.person = { nameId, attributes: { mail: nameId } };
  const browser = new Browser();
  const { auth, acs } = await toAcs(tls, browser, f);
  const onA = proxy.served(a);
  proxy.route(b);
  const done = await postAcs(browser, acs);
  expect(done.location ?? done.body.slice(0, 1000)).toMatch(/code=/);
  const tokens = await oidc.authorizationCodeGrant(f.config, new URL(done.location!), {
    pkceCodeVerifier: auth.verifier,
    expectedState: auth.state,
    expectedNonce: auth.nonce,
  });
  const user = await a.ok("GetUser", { UserPoolUid: f.poolUid, UserUid: tokens.claims()!.sub });
  expect(user.ExternalIdentities[0].ExternalProviderUserIdentifier).toBe(nameId);
  // A served the page and the way out, B the way back.
  expect(onA).toBeGreaterThan(0);
  expect(proxy.served(a)).toBe(onA);
  expect(proxy.served(b)).toBeGreaterThanOrEqual(3);

  // B accepted the assertion; A, asked to accept it again for the same request, refuses it.
  const connection = await a.deps.db
    .selectFrom("identity_providers")
    .selectAll()
    .where("account_id", "=", a.accountId)
    .where("uid", "=", f.connectionUid)
    .executeTakeFirstOrThrow();
  const again = await finishSamlSignIn(a.deps, {
    connection,
    issuer: f.issuer,
    mode: "login",
    samlResponse: acs.fields.SAMLResponse!,
    requestId: idp.requests.at(-1)!.id,
  }).catch((err: unknown) => err);
  expect(again).toBeInstanceOf(FederationFailure);
  expect((again as FederationFailure).detail).toBe("the assertion was already used");
});
