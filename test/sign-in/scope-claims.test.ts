// The pool's own custom scopes through the provider, as a relying party sees them: a pool that defines
// `groups`, `departments` and `custom_attributes` releases the user's group names, department uids and
// custom attribute values at userinfo to a token granted those scopes, and nothing of them to one that
// was not. claimsForUser is tested alone in test/users/claims.test.ts; this pins the provider's claims
// configuration (provider.ts) that lets the library release them at all.
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestService, type TestService } from "../support/harness.js";
import { Browser, poolScopesFixture, rpConfig, signIn, type SignInFixture } from "../support/sign-in.js";

let svc: TestService;
let f: SignInFixture;
let config: oidc.Configuration;
let groupName: string;
let departments: string[];

beforeAll(async () => {
  svc = await startTestService();
  ({ f, groupName, departments } = await poolScopesFixture(svc));
  config = await rpConfig(f, f.clientSecret);
}, 60_000);
afterAll(async () => {
  await svc?.close();
});

async function userinfoFor(scope: string) {
  const flow = await signIn(new Browser(), config, f, { scope });
  expect(flow.callback, flow.page.body.slice(0, 2000)).toBeTruthy();
  const tokens = await oidc.authorizationCodeGrant(config, new URL(flow.callback!), {
    pkceCodeVerifier: flow.verifier,
    expectedState: flow.state,
    expectedNonce: flow.nonce,
  });
  expect(tokens.scope?.split(" ").sort()).toEqual(scope.split(" ").sort());
  return oidc.fetchUserInfo(config, tokens.access_token, f.userUid);
}

describe("the pool's custom scopes at userinfo", () => {
  it("release groups, departments and custom attributes to a token granted them", async () => {
    const info = await userinfoFor("openid groups departments custom_attributes");
    expect(info.sub).toBe(f.userUid);
    expect(info.groups).toEqual([groupName]);
    expect([...(info.departments as string[])].sort()).toEqual([...departments].sort());
    expect(info["custom:plan"]).toBe("gold");
  });

  it("release each only under its own scope", async () => {
    const info = await userinfoFor("openid departments");
    expect(info.departments).toBeDefined();
    expect(info.groups).toBeUndefined();
    expect(info["custom:plan"]).toBeUndefined();
  });

  it("release none of them to a token granted only the standard scopes", async () => {
    const info = await userinfoFor("openid email");
    expect(info.email).toBe(f.email);
    expect(info.groups).toBeUndefined();
    expect(info.departments).toBeUndefined();
    expect(info["custom:plan"]).toBeUndefined();
  });
});
