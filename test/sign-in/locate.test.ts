// The sign-in locator (src/user-pools/locate.ts): a pool by its issuer path, by the Host of its ACTIVE
// custom domain, and a client by its client_id (both faces), each across accounts; misses for
// unknown, pending, oversized and malformed keys; and the plans, which must probe the global unique
// indexes (the documented exception to "every index leads with account_id").
import { CompiledQuery, sql, type Compilable } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostName, locateClient, locatePoolByHost, locatePoolByIssuerPath, locatorQueries } from "../../src/user-pools/locate.js";
import { startTestService, type TestService } from "../support/harness.js";
import { createClient } from "../support/families/user-pool-clients.js";
import { createCredential } from "../support/families/oauth-credentials.js";
import { createDomain } from "../support/families/user-pool-domains.js";
import { createPool } from "../support/families/user-pools.js";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

const activate = (domain: string) => sql`update user_pool_domains set status = 'ACTIVE' where domain = ${domain}`.execute(svc.deps.db);

describe("locatePoolByIssuerPath", () => {
  it("finds the pool of any account by its Uid, and says whether it is enabled", async () => {
    const pool = await createPool(svc);
    expect(await locatePoolByIssuerPath(svc.deps.db, pool)).toEqual({ accountId: svc.accountId, poolUid: pool, enabled: true });
    await svc.ok("UpdateEnableUserPool", { UserPoolUid: pool, Enabled: false });
    expect(await locatePoolByIssuerPath(svc.deps.db, pool)).toEqual({ accountId: svc.accountId, poolUid: pool, enabled: false });
    // Another account's pool: the locator knows no account, and finds it under its own.
    const other = await svc.ok("CreateUserPool", { Name: `other-${pool}` }, { key: svc.otherAdmin });
    expect((await locatePoolByIssuerPath(svc.deps.db, other.Uid))?.accountId).toBe(svc.otherAdmin.accountId);
  });
  it.each([["an unknown Uid", "no-such-pool"], ["an empty one", ""], ["an oversized one", "p".repeat(10_000)]])("misses %s", async (_n, key) => {
    expect(await locatePoolByIssuerPath(svc.deps.db, key)).toBeUndefined();
  });
  it("misses a deleted pool", async () => {
    const pool = await createPool(svc);
    await svc.ok("DeleteUserPool", { UserPoolUid: pool });
    expect(await locatePoolByIssuerPath(svc.deps.db, pool)).toBeUndefined();
  });
});

describe("locatePoolByHost", () => {
  it("finds the pool of an ACTIVE domain whatever the Host's case, port or trailing dot; a PENDING domain is nobody's", async () => {
    const { UserPoolUid, Domain } = await createDomain(svc);
    expect(await locatePoolByHost(svc.deps.db, Domain)).toBeUndefined();
    await activate(Domain);
    const want = { accountId: svc.accountId, poolUid: UserPoolUid, enabled: true, domain: Domain };
    for (const host of [Domain, Domain.toUpperCase(), `${Domain}:8443`, `${Domain}.`, ` ${Domain}:443 `]) {
      expect(await locatePoolByHost(svc.deps.db, host)).toEqual(want);
    }
  });
  it.each([["an unknown host", "nobody.example.com"], ["an empty one", ""], ["an IP literal", "[::1]:443"], ["an oversized one", `${"a".repeat(300)}.example.com`]])("misses %s", async (_n, host) => {
    expect(await locatePoolByHost(svc.deps.db, host)).toBeUndefined();
  });
  it("hostName strips the port and the trailing dot, keeps an IPv6 literal whole", () => {
    expect(hostName("Login.Example.COM:8080")).toBe("login.example.com");
    expect(hostName("login.example.com.")).toBe("login.example.com");
    expect(hostName("[::1]:443")).toBe("[::1]:443");
  });
});

describe("locateClient", () => {
  it("finds a UserPoolClient by its Uid and an OAuth credential by its ClientApiIdentifier, with their pool", async () => {
    const client = await createClient(svc);
    expect(await locateClient(svc.deps.db, client.Uid)).toEqual({
      accountId: svc.accountId, poolUid: client.UserPoolUid, enabled: true, clientId: client.Uid, clientType: "WEB", clientEnabled: true,
    });
    const pool = await createPool(svc);
    const credential = await createCredential(svc, pool);
    expect(await locateClient(svc.deps.db, credential.ClientApiIdentifier)).toMatchObject({ poolUid: pool, clientId: credential.ClientApiIdentifier, clientType: "WEB" });
    const spa = await createClient(svc, pool, { ClientType: "SPA" });
    expect(await locateClient(svc.deps.db, spa.Uid)).toMatchObject({ poolUid: pool, clientType: "SPA" });
    // A disabled pool's clients do not serve.
    await svc.ok("UpdateEnableUserPool", { UserPoolUid: pool, Enabled: false });
    expect(await locateClient(svc.deps.db, spa.Uid)).toMatchObject({ enabled: false, clientEnabled: false });
  });
  it.each([["an unknown client_id", "0".repeat(32)], ["an empty one", ""], ["an oversized one", "c".repeat(5_000)]])("misses %s", async (_n, id) => {
    expect(await locateClient(svc.deps.db, id)).toBeUndefined();
  });
  it("misses a deleted client", async () => {
    const client = await createClient(svc);
    await svc.ok("DeleteUserPoolClient", { UserPoolUid: client.UserPoolUid, ClientUid: client.Uid });
    expect(await locateClient(svc.deps.db, client.Uid)).toBeUndefined();
  });
});

describe("the locator's plans", () => {
  /** The plan of a query with sequential scans priced out: which index can serve it, whatever the table's size. */
  async function plan(query: Compilable<unknown>): Promise<string> {
    const c = query.compile();
    return svc.deps.db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      const rows = (await trx.executeQuery(CompiledQuery.raw(`explain ${c.sql}`, [...c.parameters]))).rows as { "QUERY PLAN": string }[];
      return rows.map((r) => r["QUERY PLAN"]).join("\n");
    });
  }
  it("probe the global unique indexes, then the pool by a unique index", async () => {
    const db = svc.deps.db;
    expect(await plan(locatorQueries.byIssuerPath(db, "x"))).toMatch(/Index Scan using user_pools__uid on user_pools/);
    const byHost = await plan(locatorQueries.byHost(db, "x.example.com"));
    expect(byHost).toMatch(/Index Scan using user_pool_domains__domain on user_pool_domains/);
    expect(byHost).toMatch(/Index Scan using user_pools__(pkey|uid) on user_pools/);
    const byClient = await plan(locatorQueries.byClientId(db, "x"));
    expect(byClient).toMatch(/Index Scan using oauth_credentials__client_api_identifier on oauth_credentials/);
    expect(byClient).toMatch(/Index Scan using user_pools__(pkey|uid) on user_pools/);
    expect(`${byHost}\n${byClient}`).not.toMatch(/Seq Scan|Bitmap Heap Scan/);
  });
});
