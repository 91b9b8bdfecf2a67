// A SAML sign-in that leaves from one instance and comes back to another finishes, and an assertion
// one instance accepted is refused by the other: the request id lives with the state and the
// accepted assertion ids in Postgres, nothing in an instance's memory. Two instances on one
// database behind a switchable reverse proxy (the public address both answer for); the page, the
// link and the AuthnRequest are A's, the IdP's post to the ACS, the finish and the code exchange B's.
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as oidc from "openid-client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { finishSamlSignIn } from "../../src/sign-in/federation/saml.js";
import { FederationFailure } from "../../src/sign-in/federation/profile.js";
import { makeTestCa, type TestCa } from "../support/families/federation.js";
import { uniqueName } from "../support/families/user-pools.js";
import { startTestService, type TestService } from "../support/harness.js";
import { startTestIdp, type TestIdp } from "../support/saml-idp.js";
import { postAcs, samlFixture, toAcs } from "../support/saml-sign-in.js";
import { Browser } from "../support/sign-in.js";

let tls: TestCa;
let idp: TestIdp;
let proxy: Server;
let target: TestService;
let a: TestService;
let b: TestService;
const seen = { a: 0, b: 0 };

beforeAll(async () => {
  tls = await makeTestCa();
  idp = await startTestIdp(tls);
  proxy = createServer((req, res) => {
    const to = target;
    if (to === a) seen.a++;
    else seen.b++;
    const up = request(
      { host: "127.0.0.1", port: Number(to.host.split(":")[1]), path: req.url, method: req.method, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", () => r()));
  const base = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  a = await startTestService({ env: { ID_PUBLIC_BASE_URL: base } });
  b = await startTestService({ env: { ID_PUBLIC_BASE_URL: base } });
  target = a;
}, 60_000);
afterAll(async () => {
  await a?.close();
  await b?.close();
  await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
  await idp?.close();
});

it("a SAML sign-in begun on one instance finishes on another, which remembers the assertion for both", async () => {
  target = a;
  const f = await samlFixture(a, idp);
  const nameId = `${uniqueName("inst")}@corp.example`;
  idp.person = { nameId, attributes: { mail: nameId } };
  const browser = new Browser();
  const { auth, acs } = await toAcs(tls, browser, f);
  const onA = seen.a;
  target = b;
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
  expect(seen.a).toBe(onA);
  expect(seen.b).toBeGreaterThanOrEqual(3);

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
