// Federated sign-in through a pool's OIDC and OAuth 2.0 connections, against a real upstream
// OpenID Provider on loopback (oidc-provider, test/support/upstream-oidc.ts), with openid-client as
// the relying party of our pool: just-in-time users, the same user again, the page's connection
// list, idp_hint, SoleProviderConnection and login_hint, mappings and claim propagation, the
// directory's view of federated users (ExternalIdentities, ListUsers' filters, login records), and
// that nothing secret reaches the log.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as oidc from "openid-client";
import { startTestService, type TestService } from "../support/harness.js";
import { Browser } from "../support/sign-in.js";
import {
  authorization,
  fedFixture,
  fedSignIn,
  LOOPBACK_OUTBOUND,
  toCallback,
  upstreamAccount,
  walk,
} from "../support/federation-sign-in.js";
import { startUpstream, type Upstream } from "../support/upstream-oidc.js";
import { uniqueName } from "../support/families/user-pools.js";

let svc: TestService;
let upstream: Upstream;

beforeAll(async () => {
  upstream = await startUpstream();
  svc = await startTestService({ env: LOOPBACK_OUTBOUND });
}, 60_000);
afterAll(async () => {
  await svc?.close();
  await upstream?.close();
});

const account = (overrides: Record<string, unknown> = {}) => upstreamAccount({ preferred_username: uniqueName("grace"), ...overrides });

describe("OIDC connections", () => {
  it("create a user on the first sign-in, sign the same user in again, and show them in the directory", async () => {
    const f = await fedFixture(svc, upstream);
    const person = account();
    upstream.nextLogin = { account: person };
    const first = await fedSignIn(new Browser(), f);
    expect(first.final.location).toMatch(/code=/);
    const claims = first.tokens!.claims()!;
    expect(claims.iss).toBe(f.issuer);
    const userUid = claims.sub;
    const info = await oidc.fetchUserInfo(f.config, first.tokens!.access_token, userUid);
    expect(info.email).toBe(person.email);
    expect(info.name).toBe("Grace Federated");

    // A new browser (no session at our pool or upstream): the same identity is the same user.
    const again = await fedSignIn(new Browser(), f);
    expect(again.tokens!.claims()!.sub).toBe(userUid);

    const user = await svc.ok("GetUser", { UserPoolUid: f.poolUid, UserUid: userUid });
    expect(user.Connection).toBe(f.connectionUid);
    expect(user.NumLogins).toBe(2);
    expect(user.LatestLoginMethod).toBe("oidc");
    expect(user.LatestLoginConnectionName).toBe(f.connectionName);
    expect(user.LatestLoginConnectionType).toBe("OIDC");
    expect(user.ExternalIdentities).toHaveLength(1);
    const identity = user.ExternalIdentities[0];
    expect(identity).toMatchObject({ ConnectionUid: f.connectionUid, ExternalProviderUserIdentifier: person.sub, LinkSource: "CREATE" });
    expect(identity.LastLoginAt).not.toBe("");
    expect(JSON.parse(identity.ExternalProviderUserMetadata)).toMatchObject({ sub: person.sub, email: person.email });

    const byConnection = await svc.ok("ListUsers", { UserPoolUid: f.poolUid, Filter: { Connection: f.connectionUid } });
    expect(byConnection.Data.map((u: { Uid: string }) => u.Uid)).toEqual([userUid]);
    const byIdentity = await svc.ok("ListUsers", { UserPoolUid: f.poolUid, Filter: { ExternalProviderUserIdentifiersOr: [person.sub] } });
    expect(byIdentity.Data.map((u: { Uid: string }) => u.Uid)).toEqual([userUid]);
    const nulled = await svc.ok("ListUsers", {
      UserPoolUid: f.poolUid,
      ResponseValueNull: { ExternalIdentitiesExternalProviderUserMetadata: true },
    });
    expect(nulled.Data[0].ExternalIdentities[0].ExternalProviderUserMetadata).toBe("");

    // What passed through never reaches the log: codes, tokens, the client secret, cookies.
    const logged = svc.logs.join("");
    expect(logged).toContain('"federated sign-in"');
    const code = new URL(first.callback!).searchParams.get("code")!;
    for (const secret of [code, first.tokens!.access_token, first.tokens!.id_token!, "upstream-client-secret-value"]) {
      expect(logged).not.toContain(secret);
    }
  });

  it("sends PKCE, the nonce and login_hint upstream, and lists the pool's enabled connections on the page", async () => {
    const f = await fedFixture(svc, upstream);
    const other = await svc.ok("CreateIdentityProviderOAuth", {
      UserPoolUid: f.poolUid,
      Name: "Switched Off",
      Enabled: false,
      UsePkce: true,
      ClientId: "x",
      AuthorizationEndpoint: `${upstream.issuer}/auth`,
      TokenEndpoint: `${upstream.issuer}/token`,
      UserEndpoint: `${upstream.issuer}/me`,
      IdAttribute: "sub",
    });
    upstream.nextLogin = { account: account() };
    const { page, callback } = await toCallback(new Browser(), f, { login_hint: "grace@example.org" });
    expect(page.body).toContain(`Sign in with ${f.connectionName}`);
    expect(page.body).toContain(`Sign up with ${f.connectionName}`);
    expect(page.body).not.toContain("Switched Off");
    expect(page.body).not.toContain(other.Uid);
    const sent = upstream.lastAuthorization!;
    expect(sent.get("code_challenge_method")).toBe("S256");
    expect(sent.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sent.get("nonce")).toBeTruthy();
    expect(sent.get("login_hint")).toBe("grace@example.org");
    expect(sent.get("redirect_uri")).toBe(`${f.issuer}/callback/oidc/login`);
    expect(callback).toContain(`${f.issuer}/callback/oidc/login?`);
  });

  it("goes straight to the provider for idp_hint (Uid or Name) and for a SoleProviderConnection", async () => {
    const f = await fedFixture(svc, upstream);
    for (const hint of [f.connectionUid, f.connectionName.toUpperCase()]) {
      upstream.nextLogin = { account: account() };
      const { page } = await toCallback(new Browser(), f, { idp_hint: hint });
      expect(page.location?.startsWith(`${upstream.issuer}/auth?`)).toBe(true);
    }
    const sole = await fedFixture(svc, upstream, { connection: { SoleProviderConnection: true } });
    upstream.nextLogin = { account: account() };
    const done = await fedSignIn(new Browser(), sole);
    expect(done.tokens).toBeDefined();
  });

  it("maps the ID token's claims with IsIdTokenMapping, applies AttributeMappings, and propagates claims to our tokens", async () => {
    const f = await fedFixture(svc, upstream, {
      connection: {
        IsIdTokenMapping: true,
        AttributeMappings: [
          { SourceAttributeName: "preferred_username", TargetAttributeName: "Nickname" },
          { SourceAttributeName: "email", TargetAttributeName: "Email" },
          { MappingType: "CONSTANT", AdditionalConfig: "en-GB", TargetAttributeName: "Locale" },
        ],
        ClaimsPropagationConfig: {
          Mode: "RULES",
          ClaimRules: [{ SourceClaimPath: "name", TargetClaim: "upstream_name", ClaimType: "STRING", Required: true }],
        },
      },
    });
    const person = account();
    upstream.nextLogin = { account: person };
    const done = await fedSignIn(new Browser(), f);
    const claims = done.tokens!.claims()!;
    expect(claims.upstream_name).toBe("Grace Federated");
    const user = await svc.ok("GetUser", { UserPoolUid: f.poolUid, UserUid: claims.sub });
    expect(user.Nickname).toBe(person.preferred_username);
    expect(user.Email).toBe(person.email);
    expect(user.Locale).toBe("en-GB");
    // Mapped explicitly: what is not mapped is not copied.
    expect(user.Name).toBe("");
  });
});

describe("IsAutoUpdate", () => {
  it("a user the connection created takes the provider's attributes again on each sign-in only with IsAutoUpdate", async () => {
    for (const IsAutoUpdate of [true, false]) {
      const f = await fedFixture(svc, upstream, { connection: { ProviderOptions: { IsAutoUpdate } } });
      const person = account({ name: "Before Rename" });
      upstream.nextLogin = { account: person };
      const uid = (await fedSignIn(new Browser(), f)).tokens!.claims()!.sub;
      upstream.nextLogin = { account: { ...person, name: "After Rename" } };
      expect((await fedSignIn(new Browser(), f)).tokens!.claims()!.sub).toBe(uid);
      const user = await svc.ok("GetUser", { UserPoolUid: f.poolUid, UserUid: uid });
      expect(user.Name).toBe(IsAutoUpdate ? "After Rename" : "Before Rename");
    }
  });
});

describe("imported users", () => {
  it("a user imported by CreateUsers or CreateUsersCSV with an external identity is the user a sign-in finds", async () => {
    const f = await fedFixture(svc, upstream);
    const viaBatch = account();
    const viaCsv = account();
    const batch = await svc.ok("CreateUsers", {
      UserPoolUid: f.poolUid,
      ExternalProviderConnectionUid: f.connectionUid,
      Users: [{ ExternalProviderUserIdentifier: viaBatch.sub, Email: viaBatch.email }],
    });
    const batchUid = batch.SuccessfulUidsStructured[0].Uid as string;
    const csv = Buffer.from(`ExternalProviderUserIdentifier,Email\n${viaCsv.sub},${viaCsv.email}\n`).toString("base64");
    await svc.ok("CreateUsersCSV", { UserPoolUid: f.poolUid, ExternalProviderConnectionUid: f.connectionUid, UsersCsvB64: csv });
    const imported = await svc.ok("ListUsers", {
      UserPoolUid: f.poolUid,
      Filter: { ExternalProviderUserIdentifiersOr: [viaBatch.sub, viaCsv.sub] },
    });
    const uidOf = (sub: string) =>
      imported.Data.find((u: { ExternalIdentities: { ExternalProviderUserIdentifier: string }[] }) =>
        u.ExternalIdentities.some((i) => i.ExternalProviderUserIdentifier === sub),
      ).Uid as string;
    expect(uidOf(viaBatch.sub)).toBe(batchUid);
    for (const person of [viaBatch, viaCsv]) {
      upstream.nextLogin = { account: person };
      const done = await fedSignIn(new Browser(), f);
      expect(done.tokens!.claims()!.sub).toBe(uidOf(person.sub));
    }
    const total = await svc.ok("ListUsers", { UserPoolUid: f.poolUid });
    expect(total.TotalCount).toBe(2);
  });
});

describe("OAuth 2.0 connections", () => {
  it("sign in with the code, PKCE, the token and user endpoints and IdAttribute", async () => {
    const f = await fedFixture(svc, upstream, { type: "OAUTH" });
    const person = account();
    upstream.nextLogin = { account: person };
    const done = await fedSignIn(new Browser(), f);
    expect(done.callback).toContain(`${f.issuer}/callback/oauth/login?`);
    const sent = upstream.lastAuthorization!;
    expect(sent.get("code_challenge_method")).toBe("S256");
    // Plain OAuth asks for no nonce and reads no ID token.
    expect(sent.get("nonce")).toBeNull();
    const sub = done.tokens!.claims()!.sub;
    const user = await svc.ok("GetUser", { UserPoolUid: f.poolUid, UserUid: sub });
    expect(user.ExternalIdentities[0]).toMatchObject({ ExternalProviderUserIdentifier: person.sub, ConnectionType: "OAUTH" });
    expect(user.LatestLoginMethod).toBe("oauth");
    expect(user.Email).toBe(person.email);
    const again = await fedSignIn(new Browser(), f);
    expect(again.tokens!.claims()!.sub).toBe(sub);
  });

  it("a connection on the sign-up callback is a sign-up: the signup redirect URI is used", async () => {
    const f = await fedFixture(svc, upstream, { type: "OAUTH" });
    upstream.nextLogin = { account: account() };
    const browser = new Browser();
    const page = await browser.follow((await authorization(f)).url);
    const link = /href="([^"]+\?mode=signup)"/.exec(page.body)![1]!.replace(/&amp;/g, "&");
    const out = await walk(browser, new URL(link, f.issuer).href);
    expect(out.location).toMatch(/code=/);
    expect(upstream.lastAuthorization!.get("redirect_uri")).toBe(`${f.issuer}/callback/oauth/signup`);
  });
});
