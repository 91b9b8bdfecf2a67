// Every way a federated sign-in through an OIDC or OAuth connection is refused, each a page with a
// clear message (and a way back when the request is known), never a 500, and a log line naming the
// connection and the reason: a wrong, replayed, expired or other browser's state; the provider's
// error; the provider down or slow; an ID token failing each check; an e-mail conflict under each
// AutoLinking value; sign-up closed; a disabled connection, identity or user; a missing required
// claim. Plus the key rollover that must not be refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type AddressInfo } from "node:net";
import { startTestService, type TestService } from "../support/harness.js";
import { Browser, PASSWORD } from "../support/sign-in.js";
import {
  fedFixture,
  fedSignIn,
  LOOPBACK_OUTBOUND,
  toCallback,
  upstreamAccount,
  walk,
  type FedFixture,
} from "../support/federation-sign-in.js";
import { startUpstream, type Upstream } from "../support/upstream-oidc.js";
import { uniqueName } from "../support/families/user-pools.js";

let svc: TestService;
let upstream: Upstream;
let f: FedFixture;

beforeAll(async () => {
  upstream = await startUpstream();
  svc = await startTestService({ env: LOOPBACK_OUTBOUND });
  f = await fedFixture(svc, upstream);
}, 60_000);
afterAll(async () => {
  await svc?.close();
  await upstream?.close();
});

const account = upstreamAccount;

/** The refusal code a page shows (`<code>reason</code>`). */
const reasonOf = (body: string) => /<code>([a-z_]+)<\/code>/.exec(body)?.[1];

/** The log line of the latest refusal. */
function lastRefusal() {
  const line = [...svc.logs].reverse().find((l) => l.includes('"federated sign-in refused"'));
  return line ? (JSON.parse(line) as { connection: string; reason: string; detail: string; pool: string }) : undefined;
}

/** Signs in through the fixture's connection as `person`; the page the flow stopped at (or the client's callback). */
async function attempt(fx: FedFixture, person: Record<string, unknown> | { error: string }, browser = new Browser()) {
  upstream.nextLogin = "error" in person ? { error: String(person.error) } : { account: person as never };
  return fedSignIn(browser, fx);
}

function expectRefused(res: { final: { status: number; body: string } }, reason: string, status: number) {
  expect(res.final.status).toBe(status);
  expect(reasonOf(res.final.body)).toBe(reason);
  const logged = lastRefusal()!;
  expect(logged.reason).toBe(reason);
}

describe("state", () => {
  it("refuses an unknown or altered state without spending the code", async () => {
    upstream.nextLogin = { account: account() };
    const browser = new Browser();
    const { callback } = await toCallback(browser, f);
    const before = upstream.tokenRequests;
    const altered = new URL(callback!);
    altered.searchParams.set("state", `${altered.searchParams.get("state")}x`);
    const page = await browser.request(altered.href);
    expect(page.status).toBe(400);
    expect(reasonOf(page.body)).toBe("state");
    expect(page.body).toContain("could not be matched to your browser");
    expect(upstream.tokenRequests).toBe(before);
    expect(lastRefusal()).toMatchObject({ reason: "state", pool: f.poolUid });
  });

  it("refuses a callback replayed after its first use, before and after the finish", async () => {
    upstream.nextLogin = { account: account() };
    const browser = new Browser();
    const { callback } = await toCallback(browser, f);
    const first = await browser.request(callback!);
    expect(first.location).toMatch(/\/federated$/);
    // Replayed while the completed state waits for the browser's return to its interaction.
    const before = upstream.tokenRequests;
    const early = await browser.request(callback!);
    expect(reasonOf(early.body)).toBe("state");
    expect(upstream.tokenRequests).toBe(before);
    expect((await walk(browser, first.location!)).location).toMatch(/code=/);
    const late = await browser.request(callback!);
    expect(reasonOf(late.body)).toBe("state");
    expect(upstream.tokenRequests).toBe(before);
  });

  it("refuses a callback in another browser than the one that began, and an expired state", async () => {
    upstream.nextLogin = { account: account() };
    const { callback } = await toCallback(new Browser(), f);
    const before = upstream.tokenRequests;
    const elsewhere = await new Browser().request(callback!);
    expect(reasonOf(elsewhere.body)).toBe("state");
    // A browser with a binding cookie of its own (it began a sign-in too): not this state's either.
    const attacker = new Browser();
    upstream.nextLogin = { account: account() };
    await toCallback(attacker, f);
    expect(attacker.cookies.some((c) => c.name === `idp-f-${f.poolUid}`)).toBe(true);
    const forged = await attacker.request(callback!);
    expect(reasonOf(forged.body)).toBe("state");
    expect(upstream.tokenRequests).toBe(before);

    const browser = new Browser();
    const late = await toCallback(browser, f);
    await svc.deps.db
      .updateTable("federation_states")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("pool_uid", "=", f.poolUid)
      .where("consumed_at", "is", null)
      .execute();
    const expired = await browser.request(late.callback!);
    expect(reasonOf(expired.body)).toBe("state");
  });

  it("finishes a completed sign-in only in the browser that began it", async () => {
    upstream.nextLogin = { account: account() };
    const browser = new Browser();
    const { callback } = await toCallback(browser, f);
    const back = await browser.request(callback!);
    expect(back.location).toMatch(/\/federated$/);
    // Another browser holding the interaction's cookie but not the binding cookie finds nothing to finish.
    const thief = new Browser();
    thief.cookies = browser.cookies.filter((c) => !c.name.startsWith("idp-f-"));
    const stolen = await thief.request(back.location!);
    expect(reasonOf(stolen.body)).toBe("state");
    // ... nor with a binding cookie of another value.
    thief.cookies = browser.cookies.map((c) => (c.name.startsWith("idp-f-") ? { ...c, value: "A".repeat(43) } : c));
    const forged = await thief.request(back.location!);
    expect(reasonOf(forged.body)).toBe("state");
    const own = await walk(browser, back.location!);
    expect(own.location).toMatch(/code=/);
  });
});

describe("the provider", () => {
  it("answering an error: a page with a way back to the sign-in page", async () => {
    const res = await attempt(f, { error: "access_denied" });
    expectRefused(res, "provider_error", 400);
    expect(res.final.body).toContain("did not sign you in");
    expect(lastRefusal()).toMatchObject({ connection: f.connectionUid });
    expect(lastRefusal()!.detail).toContain("access_denied");
    const back = /<a href="([^"]+)">Back to sign-in<\/a>/.exec(res.final.body)![1]!;
    expect(back).toMatch(/\/interaction\/[A-Za-z0-9_-]+$/);
  });

  it("down or slow: could not be reached, within the outbound time limit", async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, "127.0.0.1", () => {
        const port = (s.address() as AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const down = await fedFixture(svc, upstream, {
      type: "OAUTH",
      connection: { TokenEndpoint: `http://127.0.0.1:${closed}/token` },
    });
    expectRefused(await attempt(down, account()), "provider_unavailable", 502);
    expect(lastRefusal()!.detail).toContain("the token endpoint");

    upstream.slowTokenMs = 8000;
    try {
      const started = Date.now();
      expectRefused(await attempt(f, account()), "provider_unavailable", 502);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(lastRefusal()!.detail).toMatch(/within 5 s/);
    } finally {
      upstream.slowTokenMs = 0;
    }
  }, 60_000);
});

describe("the ID token", () => {
  const now = () => Math.floor(Date.now() / 1000);
  const cases: [string, (c: Record<string, unknown>) => Record<string, unknown>, RegExp][] = [
    ["nonce", (c) => ({ ...c, nonce: "another-nonce" }), /nonce/],
    ["aud", (c) => ({ ...c, aud: "someone-else" }), /aud/],
    ["iss", (c) => ({ ...c, iss: "http://127.0.0.1:1/evil" }), /iss/],
    ["exp", (c) => ({ ...c, exp: now() - 3600, iat: now() - 7200 }), /exp/],
    ["azp with several audiences", (c) => ({ ...c, aud: [String(c.aud), "other-client"] }), /azp/],
    ["azp naming another client", (c) => ({ ...c, azp: "other-client" }), /azp/],
    ["at_hash", (c) => ({ ...c, at_hash: "AAAAAAAAAAAAAAAAAAAAAA" }), /at_hash/],
  ];
  for (const [name, tamper, detail] of cases) {
    it(`is refused when its ${name} is wrong`, async () => {
      upstream.tamperNextIdToken = tamper;
      const res = await attempt(f, account());
      expectRefused(res, "invalid_response", 400);
      expect(lastRefusal()!.detail).toMatch(detail);
    });
  }

  it("is refused when signed by a key the provider does not publish", async () => {
    upstream.foreignKey = true;
    upstream.tamperNextIdToken = (c) => c;
    try {
      const res = await attempt(f, account());
      expectRefused(res, "invalid_response", 400);
      expect(lastRefusal()!.detail).toMatch(/signature/i);
    } finally {
      upstream.foreignKey = false;
    }
  });

  it("is accepted after the provider rolls its signing key (the JWKS is fetched again)", async () => {
    expect((await attempt(f, account())).tokens).toBeDefined();
    await upstream.rotateKeys();
    // jose refetches a key set for an unknown kid at most every 2 s (src/sign-in/federation/oidc.ts).
    await new Promise((r) => setTimeout(r, 2100));
    expect((await attempt(f, account())).tokens).toBeDefined();
  });
});

describe("users", () => {
  async function nativeUser(fx: FedFixture, fields: Record<string, unknown>) {
    return (await svc.ok("CreateUser", { UserPoolUid: fx.poolUid, Password: PASSWORD, EmailVerified: true, ...fields })).Uid as string;
  }

  it("an e-mail a native user holds is a conflict under AutoLinking DISABLED", async () => {
    const email = `${uniqueName("taken")}@example.org`;
    await nativeUser(f, { Email: email });
    expectRefused(await attempt(f, account({ email })), "email_conflict", 409);
    expect(lastRefusal()!.detail).toContain("AutoLinking DISABLED");
  });

  it("AutoLinking EMAIL links a verified address to its user, and refuses an unverified one", async () => {
    const fx = await fedFixture(svc, upstream, { connection: { ProviderOptions: { AutoLinking: "EMAIL" } } });
    const email = `${uniqueName("link")}@example.org`;
    const uid = await nativeUser(fx, { Email: email });
    expectRefused(await attempt(fx, account({ email, email_verified: false })), "email_conflict", 409);
    expect(lastRefusal()!.detail).toContain("not say the e-mail address is verified");
    const person = account({ email });
    const linked = await attempt(fx, person);
    expect(linked.tokens!.claims()!.sub).toBe(uid);
    const user = await svc.ok("GetUser", { UserPoolUid: fx.poolUid, UserUid: uid });
    expect(user.ExternalIdentities[0]).toMatchObject({ ExternalProviderUserIdentifier: person.sub, LinkSource: "LINK" });
    expect(user.Connection).toBe("");
  });

  it("AutoLinking USERNAME links by the username, and is a conflict when only the e-mail matches", async () => {
    const fx = await fedFixture(svc, upstream, { connection: { ProviderOptions: { AutoLinking: "USERNAME" } } });
    const username = uniqueName("ada");
    const uid = await nativeUser(fx, { PreferredUsername: username, Email: `${uniqueName("u")}@example.org` });
    const linked = await attempt(fx, account({ preferred_username: username }));
    expect(linked.tokens!.claims()!.sub).toBe(uid);
    const email = `${uniqueName("only-mail")}@example.org`;
    await nativeUser(fx, { Email: email });
    expectRefused(await attempt(fx, account({ email })), "email_conflict", 409);
    expect(lastRefusal()!.detail).toContain("AutoLinking USERNAME");
  });

  it("creates no user when the pool takes no sign-ups, or on a login callback without IsAutoCreation", async () => {
    const closed = await fedFixture(svc, upstream, { pool: { SelfSignUpEnabled: false } });
    expectRefused(await attempt(closed, account()), "signup_closed", 403);
    const manual = await fedFixture(svc, upstream, { connection: { ProviderOptions: { IsAutoCreation: false } } });
    expectRefused(await attempt(manual, account()), "signup_closed", 403);
    // The sign-up link of the same pool does create the user.
    upstream.nextLogin = { account: account() };
    const browser = new Browser();
    const { authorization } = await import("../support/federation-sign-in.js");
    const page = await browser.follow((await authorization(manual)).url);
    const link = /href="([^"]+\?mode=signup)"/.exec(page.body)![1]!.replace(/&amp;/g, "&");
    expect((await walk(browser, new URL(link, manual.issuer).href)).location).toMatch(/code=/);
  });

  it("refuses a connection disabled while the person was at the provider", async () => {
    const fx = await fedFixture(svc, upstream);
    upstream.nextLogin = { account: account() };
    const browser = new Browser();
    const { callback } = await toCallback(browser, fx);
    await svc.ok("UpdateIdentityProviderOIDC", {
      UserPoolUid: fx.poolUid,
      ConnectionUid: fx.connectionUid,
      Enabled: false,
      ClientId: "idplane-rp",
      UsePkce: true,
      IsIdTokenMapping: false,
    });
    const res = await browser.request(callback!);
    expect(res.status).toBe(403);
    expect(reasonOf(res.body)).toBe("connection_disabled");
  });

  it("refuses an identity DisableIdentityProviderForUser took off its user, until it is linked again", async () => {
    const fx = await fedFixture(svc, upstream);
    const person = account();
    const first = await attempt(fx, person);
    const uid = first.tokens!.claims()!.sub;
    const link = { UserPoolUid: fx.poolUid, ConnectionUid: fx.connectionUid, ExternalProviderUserId: person.sub, UserPoolUserUid: uid };
    await svc.ok("DisableIdentityProviderForUser", link);
    expectRefused(await attempt(fx, person), "identity_disabled", 403);
    await svc.ok("LinkIdentityProviderToUser", link);
    expect((await attempt(fx, person)).tokens!.claims()!.sub).toBe(uid);
  });

  it("refuses a disabled user", async () => {
    const fx = await fedFixture(svc, upstream);
    const person = account();
    const uid = (await attempt(fx, person)).tokens!.claims()!.sub;
    await svc.ok("UpdateUser", { UserPoolUid: fx.poolUid, UserUid: uid, UserState: "DISABLED" });
    expectRefused(await attempt(fx, person), "user_disabled", 403);
  });

  it("links nothing to a disabled user AutoLinking names", async () => {
    const fx = await fedFixture(svc, upstream, { connection: { ProviderOptions: { AutoLinking: "EMAIL" } } });
    const email = `${uniqueName("off")}@example.org`;
    const uid = await nativeUser(fx, { Email: email, UserState: "DISABLED" });
    expectRefused(await attempt(fx, account({ email })), "user_disabled", 403);
    expect((await svc.ok("GetUser", { UserPoolUid: fx.poolUid, UserUid: uid })).ExternalIdentities).toEqual([]);
  });

  it("refuses a sign-in without a claim ClaimsPropagationConfig requires", async () => {
    const fx = await fedFixture(svc, upstream, {
      connection: {
        ClaimsPropagationConfig: {
          Mode: "RULES",
          ClaimRules: [{ SourceClaimPath: "department", TargetClaim: "dept", ClaimType: "STRING", Required: true }],
        },
      },
    });
    expectRefused(await attempt(fx, account()), "missing_claim", 400);
    expect(lastRefusal()!.detail).toContain("department");
  });

  it("never logs a code or a token, and never answers 500", () => {
    const logged = svc.logs.join("");
    expect(logged).not.toMatch(/"status":500/);
    expect(logged).not.toContain("upstream-client-secret-value");
    expect(logged).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
  });
});
