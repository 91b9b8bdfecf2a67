// OAuth credentials end to end through the official Node SDK against a real server: the seed's
// UpdateOAuthCredential error conditions one by one and in order, secrets (once, hashed, reset,
// concurrent resets), partial updates, URI rules, quota, counters, cascade and tenancy.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oauthCredentialActions } from "../../src/oauth-credentials/actions.js";
import { verifyClientSecret } from "../../src/oauth-credentials/service.js";
import { codeOf, startTestService, type Envelope, type TestService } from "../support/harness.js";
import { createCredential, createPool } from "../support/families/oauth-credentials.js";

const outputOf = (name: string) => oauthCredentialActions.find((a) => a.name === name)!.output;
const messageOf = (env: Envelope) => env.ResponseMetadata.Error?.Message ?? "";
let svc: TestService;
let pool: string;
const verify = (clientId: string, secret: string) => verifyClientSecret(svc.deps, clientId, secret);
const get = (CredentialId: number) => svc.ok("GetOAuthCredential", { CredentialId });
const update = (params: Record<string, unknown>) => svc.call("UpdateOAuthCredential", params);

beforeAll(async () => {
  svc = await startTestService({ env: { ID_QUOTA_CREDENTIALS_PER_POOL: "3" } });
  pool = await createPool(svc, ["billing:read"]);
});
afterAll(() => svc.close());

describe("secrets", () => {
  it("returns the secret once at creation and never again (Get, List, Update, logs, storage)", async () => {
    const p = await createPool(svc);
    const c = await createCredential(svc, p, { Description: "d", LogoUri: "https://cdn.example.com/logo.png" });
    outputOf("CreateOAuthCredential").parse(c);
    expect(c.ClientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 random bits, base64url
    expect(c.ClientApiIdentifier).toMatch(/^[0-9a-f]{32}$/);
    const got = await get(c.CredentialId);
    outputOf("GetOAuthCredential").parse(got);
    expect(got).toMatchObject({
      CredentialId: c.CredentialId,
      ClientApiIdentifier: c.ClientApiIdentifier,
      UserPoolUid: p,
      Name: "web app",
      Description: "d",
      GrantType: "authorization_code",
      Scope: "openid profile",
      ServiceId: 0,
      SecretVersion: 1,
      RedirectUri: ["https://app.example.com/callback"],
    });
    expect(await svc.ok("GetOAuthCredential", { CredentialId: String(c.CredentialId) })).toEqual(got);
    expect(await svc.ok("GetOAuthCredential", { clientApiIdentifier: c.ClientApiIdentifier }, { method: "GET" })).toEqual(got);
    const list = await svc.ok("ListOAuthCredentials", { UserPoolUid: p });
    outputOf("ListOAuthCredentials").parse(list);
    const plain = await update({ CredentialId: c.CredentialId, Description: "e" });
    expect(plain.Result).toEqual({ CredentialId: c.CredentialId, SecretVersion: 1 });
    for (const seen of [got, list, plain]) expect(JSON.stringify(seen)).not.toContain(c.ClientSecret);
    expect(svc.logs.length).toBeGreaterThan(0);
    expect(svc.logs.join("\n")).not.toContain(c.ClientSecret);
    const stored = await sql<
      Record<string, unknown>
    >`select * from oauth_credentials where client_api_identifier = ${c.ClientApiIdentifier}`.execute(svc.deps.db);
    expect(JSON.stringify(stored.rows)).not.toContain(c.ClientSecret);
    expect((stored.rows[0]!.secret_hash as Uint8Array).length).toBe(32);
  });

  it("verifies a client id and secret, and refuses wrong, unknown and other clients' secrets", async () => {
    const [a, b] = [await createCredential(svc, pool), await createCredential(svc, pool)];
    expect(await verify(a.ClientApiIdentifier, a.ClientSecret)).toBe(true);
    expect(await verify(a.ClientApiIdentifier, b.ClientSecret)).toBe(false);
    expect(await verify(a.ClientApiIdentifier, a.ClientSecret.slice(0, -1))).toBe(false);
    expect(await verify(a.ClientApiIdentifier, "")).toBe(false);
    expect(await verify("0".repeat(32), a.ClientSecret)).toBe(false);
    await svc.ok("DeleteOAuthCredential", { CredentialId: a.CredentialId });
    await svc.ok("DeleteOAuthCredential", { CredentialId: b.CredentialId });
    expect(await verify(a.ClientApiIdentifier, a.ClientSecret)).toBe(false);
  });

  it("ResetSecret returns a new secret once; the old one stops working at once", async () => {
    const c = await createCredential(svc, pool);
    const reset = await svc.ok(
      "UpdateOAuthCredential",
      { CredentialId: String(c.CredentialId), ResetSecret: "true" },
      { contentType: "urlencode" },
    );
    outputOf("UpdateOAuthCredential").parse(reset);
    expect(reset).toMatchObject({ CredentialId: c.CredentialId, SecretVersion: 2 });
    expect(reset.NewClientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await verify(c.ClientApiIdentifier, c.ClientSecret)).toBe(false);
    expect(await verify(c.ClientApiIdentifier, reset.NewClientSecret)).toBe(true);
    const noReset = await svc.ok("UpdateOAuthCredential", { CredentialId: c.CredentialId, ResetSecret: false });
    expect(noReset).toEqual({ CredentialId: c.CredentialId, SecretVersion: 2 });
    expect(await verify(c.ClientApiIdentifier, reset.NewClientSecret)).toBe(true);
    expect(JSON.stringify(await get(c.CredentialId))).not.toContain(reset.NewClientSecret);
    expect(svc.logs.join("\n")).not.toContain(reset.NewClientSecret);
    await svc.ok("DeleteOAuthCredential", { CredentialId: c.CredentialId });
  });

  it("10 concurrent resets leave exactly one valid secret: the one with the highest version", async () => {
    const p = await createPool(svc);
    const c = await createCredential(svc, p);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => svc.ok("UpdateOAuthCredential", { CredentialId: c.CredentialId, ResetSecret: true })),
    );
    const versions = results.map((r) => r.SecretVersion as number).sort((x, y) => x - y);
    expect(versions).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const valid = [];
    for (const r of results) if (await verify(c.ClientApiIdentifier, r.NewClientSecret)) valid.push(r);
    expect(valid).toHaveLength(1);
    expect(valid[0].SecretVersion).toBe(11);
    expect((await get(c.CredentialId)).SecretVersion).toBe(11);
    expect(await verify(c.ClientApiIdentifier, c.ClientSecret)).toBe(false);
  });
});

describe("UpdateOAuthCredential: the seed's error conditions, one each", () => {
  it("MissingParameter.CredentialId when neither CredentialId nor ClientApiIdentifier is given", async () => {
    expect(codeOf(await update({ Name: "x" }))).toBe("MissingParameter.CredentialId");
    expect(codeOf(await update({ ClientApiIdentifier: " ", Name: "x" }))).toBe("MissingParameter.CredentialId");
  });

  it("NotFound for an unknown CredentialId", async () => {
    const env = await update({ CredentialId: 987654321012, Name: "x" });
    expect(codeOf(env)).toBe("NotFound");
    expect(messageOf(env)).toBe("resource OAuthCredential 987654321012 does not exist");
  });

  it("NotFound for an unknown ClientApiIdentifier", async () => {
    expect(codeOf(await update({ ClientApiIdentifier: "no-such-client", Name: "x" }))).toBe("NotFound");
  });

  it("InvalidParameter.GrantType for a grant type outside the closed set", async () => {
    const c = await createCredential(svc, pool);
    const env = await update({ CredentialId: c.CredentialId, GrantType: "password" });
    expect(codeOf(env)).toBe("InvalidParameter.GrantType");
    expect(messageOf(env)).toBe('requested grant type "password" is invalid');
    await svc.ok("DeleteOAuthCredential", { CredentialId: c.CredentialId });
  });

  it("MissingParameter.Name when the credential would end up authorization_code without a name", async () => {
    const sso = await createCredential(svc, pool, { GrantType: "single_sign_on", ServiceId: 5, Name: "" });
    expect(codeOf(await update({ CredentialId: sso.CredentialId, GrantType: "authorization_code" }))).toBe("MissingParameter.Name");
    expect(codeOf(await update({ CredentialId: sso.CredentialId, GrantType: "authorization_code", Name: "named" }))).toBe("OK");
    expect(codeOf(await update({ CredentialId: sso.CredentialId, Name: "  " }))).toBe("MissingParameter.Name");
    await svc.ok("DeleteOAuthCredential", { CredentialId: sso.CredentialId });
  });

  it("MissingParameter.ServiceId when the credential would end up single_sign_on without a ServiceId", async () => {
    const c = await createCredential(svc, pool);
    expect(codeOf(await update({ CredentialId: c.CredentialId, GrantType: "single_sign_on" }))).toBe("MissingParameter.ServiceId");
    expect(codeOf(await update({ CredentialId: c.CredentialId, GrantType: "single_sign_on", ServiceId: "42" }))).toBe("OK");
    expect(codeOf(await update({ CredentialId: c.CredentialId, ServiceId: 0 }))).toBe("MissingParameter.ServiceId");
    expect(await get(c.CredentialId)).toMatchObject({ GrantType: "single_sign_on", ServiceId: 42 });
    await svc.ok("DeleteOAuthCredential", { CredentialId: c.CredentialId });
  });

  it("InvalidParameter.Scope for a scope outside the standard scopes and the pool's CustomScopes", async () => {
    const c = await createCredential(svc, pool);
    const env = await update({ CredentialId: c.CredentialId, Scope: "openid admin email" });
    expect(codeOf(env)).toBe("InvalidParameter.Scope");
    expect(messageOf(env)).toBe('requested scope "admin" is invalid');
    expect(codeOf(await update({ CredentialId: c.CredentialId, Scope: "openid  billing:read offline_access openid" }))).toBe("OK");
    expect((await get(c.CredentialId)).Scope).toBe("openid billing:read offline_access");
    await svc.ok("DeleteOAuthCredential", { CredentialId: c.CredentialId });
  });

  it("reports the first broken condition in the seed's order and changes nothing", async () => {
    const sso = await createCredential(svc, pool, { GrantType: "single_sign_on", ServiceId: 9, Name: "" });
    const ac = await createCredential(svc, pool);
    const allWrong = { GrantType: "password", Name: "", Scope: "admin" };
    expect(codeOf(await update({ ...allWrong }))).toBe("MissingParameter.CredentialId");
    expect(codeOf(await update({ CredentialId: 987654321013, ...allWrong }))).toBe("NotFound");
    expect(codeOf(await update({ CredentialId: ac.CredentialId, ...allWrong }))).toBe("InvalidParameter.GrantType");
    expect(codeOf(await update({ CredentialId: sso.CredentialId, ...allWrong, GrantType: "authorization_code" }))).toBe(
      "MissingParameter.Name",
    );
    expect(codeOf(await update({ CredentialId: ac.CredentialId, ...allWrong, GrantType: "single_sign_on", Name: "n" }))).toBe(
      "MissingParameter.ServiceId",
    );
    expect(codeOf(await update({ CredentialId: ac.CredentialId, ...allWrong, GrantType: "authorization_code", Name: "n" }))).toBe(
      "InvalidParameter.Scope",
    );
    expect(await get(ac.CredentialId)).toMatchObject({
      GrantType: "authorization_code",
      Name: "web app",
      Scope: "openid profile",
      SecretVersion: 1,
    });
    expect(codeOf(await update({ CredentialId: ac.CredentialId, ClientApiIdentifier: sso.ClientApiIdentifier, Name: "x" }))).toBe(
      "InvalidParameter.ClientApiIdentifier",
    );
    for (const c of [sso, ac]) await svc.ok("DeleteOAuthCredential", { CredentialId: c.CredentialId });
  });
});

describe("the rest of the family", () => {
  it("keeps untouched fields on a partial update, and takes RedirectUri as a string or an array", async () => {
    const c = await createCredential(svc, pool, {
      Description: "keep me",
      LogoUri: "https://cdn.example.com/l.png",
      RedirectUri: ["https://a.example.com/cb", "com.example.app:/cb"],
    });
    const before = await get(c.CredentialId);
    await svc.ok("UpdateOAuthCredential", { CredentialId: c.CredentialId, Name: "renamed" });
    const after = await get(c.CredentialId);
    const { UpdateTime: _u1, ...restBefore } = before;
    const { UpdateTime: _u2, ...restAfter } = after;
    expect(restAfter).toEqual({ ...restBefore, Name: "renamed" });
    await svc.ok("UpdateOAuthCredential", {
      ClientApiIdentifier: c.ClientApiIdentifier,
      RedirectUri: "http://localhost:3000/cb",
      LogoUri: "",
    });
    expect(await get(c.CredentialId)).toMatchObject({
      Name: "renamed",
      Description: "keep me",
      LogoUri: "",
      RedirectUri: ["http://localhost:3000/cb"],
      Scope: "openid profile",
    });
    await svc.ok(
      "UpdateOAuthCredential",
      { CredentialId: c.CredentialId, "RedirectUri.1": "https://b.example.com/cb", "RedirectUri.2": "http://[::1]:8080/cb" },
      { contentType: "urlencode" },
    );
    expect((await get(c.CredentialId)).RedirectUri).toEqual(["https://b.example.com/cb", "http://[::1]:8080/cb"]);
    await svc.ok("UpdateOAuthCredential", { CredentialId: c.CredentialId, RedirectUri: [] });
    expect((await get(c.CredentialId)).RedirectUri).toEqual([]);
    await svc.ok("DeleteOAuthCredential", { CredentialId: c.CredentialId });
  });

  it("refuses each bad redirect URI with InvalidParameter.RedirectUri naming it", async () => {
    const bad = [
      "/relative/cb",
      "https://a.example.com/cb#frag",
      "https://*.example.com/cb",
      "http://example.com/cb",
      "javascript:alert(1)",
      "ftp://files.example.com/",
      "https://u:p@a.example.com/cb",
      "https://a.example.com/c b",
    ];
    for (const uri of bad) {
      const env = await svc.call("CreateOAuthCredential", {
        UserPoolUid: pool,
        GrantType: "authorization_code",
        Scope: "openid",
        Name: "n",
        RedirectUri: ["https://ok.example.com/cb", uri],
      });
      expect([uri, codeOf(env)]).toEqual([uri, "InvalidParameter.RedirectUri"]);
      expect(messageOf(env)).toContain(JSON.stringify(uri));
    }
    const ok = [
      "https://a.example.com/cb?x=1",
      "http://localhost/cb",
      "http://127.0.0.1:8765/cb",
      "http://[::1]/cb",
      "com.example.app:/oauth2redirect",
    ];
    const c = await createCredential(svc, pool, { RedirectUri: ok });
    expect((await get(c.CredentialId)).RedirectUri).toEqual(ok);
    expect(codeOf(await update({ CredentialId: c.CredentialId, RedirectUri: "http://example.com/cb" }))).toBe(
      "InvalidParameter.RedirectUri",
    );
    for (const logo of ["http://cdn.example.com/l.png", "logo.png"]) {
      expect(codeOf(await update({ CredentialId: c.CredentialId, LogoUri: logo }))).toBe("InvalidParameter.LogoUri");
    }
    await svc.ok("DeleteOAuthCredential", { CredentialId: c.CredentialId });
  });

  it("validates CreateOAuthCredential with typed errors", async () => {
    const base = { UserPoolUid: pool, GrantType: "authorization_code", Scope: "openid", Name: "n" };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, UserPoolUid: undefined }, "MissingParameter.UserPoolUid"],
      [{ ...base, UserPoolUid: "no-such-pool" }, "NotFound"],
      [{ ...base, GrantType: undefined }, "MissingParameter.GrantType"],
      [{ ...base, GrantType: "implicit" }, "InvalidParameter.GrantType"],
      [{ ...base, Name: undefined }, "MissingParameter.Name"],
      [{ ...base, GrantType: "single_sign_on" }, "MissingParameter.ServiceId"],
      [{ ...base, Scope: "openid root" }, "InvalidParameter.Scope"],
      [{ ...base, Scope: " " }, "MissingParameter.Scope"],
      [{ ...base, ServiceId: -1 }, "InvalidParameter.ServiceId"],
    ];
    for (const [params, code] of cases) expect([params, codeOf(await svc.call("CreateOAuthCredential", params))]).toEqual([params, code]);
    expect(codeOf(await svc.call("GetOAuthCredential", {}))).toBe("MissingParameter.CredentialId");
    expect(codeOf(await svc.call("GetOAuthCredential", { CredentialId: "abc" }))).toBe("InvalidParameter.CredentialId");
  });

  it("enforces the per-pool quota, keeps TotalClients right, and cascades a pool's deletion", async () => {
    const p = await createPool(svc);
    // Six creates at once against a quota of three: exactly three land, the rest are QuotaExceeded.
    const racing = await Promise.all(
      Array.from({ length: 6 }, () =>
        svc.call("CreateOAuthCredential", { UserPoolUid: p, GrantType: "authorization_code", Scope: "openid", Name: "n" }),
      ),
    );
    expect(racing.map(codeOf).sort()).toEqual(["OK", "OK", "OK", "QuotaExceeded", "QuotaExceeded", "QuotaExceeded"]);
    const made = racing.filter((e) => codeOf(e) === "OK").map((e) => e.Result);
    expect((await svc.ok("GetUserPool", { UserPoolUid: p })).TotalClients).toBe(3);
    expect(await svc.ok("DeleteOAuthCredential", { CredentialId: made[0]!.CredentialId })).toEqual({ CredentialId: made[0]!.CredentialId });
    expect(codeOf(await svc.call("DeleteOAuthCredential", { CredentialId: made[0]!.CredentialId }))).toBe("NotFound");
    expect((await svc.ok("GetUserPool", { UserPoolUid: p })).TotalClients).toBe(2);
    await createCredential(svc, p);
    await svc.ok("DeleteUserPool", { UserPoolUid: p });
    expect(codeOf(await svc.call("GetOAuthCredential", { CredentialId: made[1]!.CredentialId }))).toBe("NotFound");
    expect(await verify(made[2]!.ClientApiIdentifier, made[2]!.ClientSecret)).toBe(false);
    const left = await svc.deps.db
      .selectFrom("oauth_credentials")
      .select("credential_id")
      .where("account_id", "=", svc.accountId)
      .where("user_pool_uid", "=", p)
      .execute();
    expect(left).toEqual([]);
  });

  it("never deadlocks: credential writes racing UpdateUserPool and DeleteUserPool end in OK, NotFound or QuotaExceeded", async () => {
    const seen = new Set<string>();
    for (let round = 0; round < 20; round++) {
      const p = await createPool(svc);
      const [a, b] = [await createCredential(svc, p), await createCredential(svc, p)];
      const create = () =>
        svc.call("CreateOAuthCredential", { UserPoolUid: p, GrantType: "authorization_code", Scope: "openid", Name: "n" });
      const results = await Promise.all([
        create(),
        svc.call("UpdateOAuthCredential", { CredentialId: a.CredentialId, ResetSecret: true }),
        svc.call("UpdateOAuthCredential", { CredentialId: b.CredentialId, Name: "z" }),
        svc.call("DeleteOAuthCredential", { CredentialId: a.CredentialId }),
        svc.call("DeleteOAuthCredential", { CredentialId: b.CredentialId }),
        svc.call("UpdateUserPool", { UserPoolUid: p, CustomScopes: ["x"] }),
        svc.call("DeleteUserPool", { UserPoolUid: p }),
        create(),
      ]);
      for (const r of results) seen.add(codeOf(r));
    }
    // Two creates on top of two credentials can exceed the test quota of 3: a legitimate outcome.
    expect([...seen].filter((c) => !["OK", "NotFound", "QuotaExceeded"].includes(c))).toEqual([]);
  });

  it("lists with paging, filters and sorting", async () => {
    const p = await createPool(svc);
    const [b, a, s] = [
      await createCredential(svc, p, { Name: "b" }),
      await createCredential(svc, p, { Name: "a" }),
      await createCredential(svc, p, { Name: "s", GrantType: "single_sign_on", ServiceId: 3 }),
    ];
    const names = async (params: Record<string, unknown>) =>
      (await svc.ok("ListOAuthCredentials", { UserPoolUid: p, ...params })).Data.map((c: { Name: string }) => c.Name);
    expect(await names({})).toEqual(["s", "a", "b"]);
    expect(await names({ SortField: "Name" })).toEqual(["a", "b", "s"]);
    expect(await names({ SortField: "CredentialId", SortDirection: "Asc" })).toEqual(["b", "a", "s"]);
    expect(await names({ GrantType: "single_sign_on" })).toEqual(["s"]);
    const page = await svc.ok(
      "ListOAuthCredentials",
      { UserPoolUid: p, SortField: "Name", PageSize: "2", PageNumber: "2" },
      { method: "GET" },
    );
    expect(page).toMatchObject({ PageNumber: 2, PageSize: 2, TotalCount: 3, Data: [{ Name: "s", CredentialId: s.CredentialId }] });
    expect(codeOf(await svc.call("ListOAuthCredentials", { UserPoolUid: "no-such-pool" }))).toBe("NotFound");
    expect(codeOf(await svc.call("ListOAuthCredentials", { GrantType: "implicit" }))).toBe("InvalidParameter.GrantType");
    for (const c of [a, b, s]) await svc.ok("DeleteOAuthCredential", { ClientApiIdentifier: c.ClientApiIdentifier });
  });

  it("never shows one account's credentials to another; client ids are unique across accounts", async () => {
    const c = await createCredential(svc, pool);
    const other = { key: svc.otherAdmin };
    expect((await svc.ok("ListOAuthCredentials", {}, other)).TotalCount).toBe(0);
    expect(codeOf(await svc.call("UpdateOAuthCredential", { CredentialId: c.CredentialId, ResetSecret: true }, other))).toBe("NotFound");
    expect(await verify(c.ClientApiIdentifier, c.ClientSecret)).toBe(true); // the refused reset changed nothing
    const otherPool = await svc.ok("CreateUserPool", { Name: "other-pool" }, other);
    const twin = svc.deps.db
      .insertInto("oauth_credentials")
      .values({
        account_id: svc.otherAdmin.accountId,
        user_pool_uid: otherPool.Uid,
        client_api_identifier: c.ClientApiIdentifier,
        grant_type: "authorization_code",
        scopes: ["openid"],
        secret_hash: new Uint8Array(32),
        secret_updated_at: new Date(),
        created_at: new Date(),
        updated_at: new Date(),
      })
      .execute();
    await expect(twin).rejects.toMatchObject({ code: "23505" });
  });
});
