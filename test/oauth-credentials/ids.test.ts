// Issue 10 finding 10: CredentialId is numbered per account, so no tenant learns how many credentials
// another creates. Through the official SDK against a real server (new accounts start at 1, creates
// in one account are not disturbed by another's, concurrent creates get consecutive ids, deleted ids
// are not reused), and the upgrade of sql/007 on a database of its own (existing rows keep their ids).
import { randomBytes } from "node:crypto";
import { sql, type Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { connectDatabase } from "../../src/platform/db/connect.js";
import { migrate, readMigrations } from "../../src/platform/db/migrator.js";
import type { Database } from "../../src/platform/db/schema.js";
import { ownDatabase } from "../support/infra/child-server.js";
import { randomAccountId, startTestService, type TestService } from "../support/harness.js";
import { createCredential, createPool } from "../support/families/oauth-credentials.js";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

describe("CredentialId over the API", () => {
  it("counts each account's credentials alone: a new account starts at 1 and never sees another's creates", async () => {
    const other = { key: svc.otherAdmin };
    const otherPool = (await svc.ok("CreateUserPool", { Name: "ids-other" }, other)).Uid;
    const pool = await createPool(svc);
    const first = await createCredential(svc, pool);
    // The other account creates five in between: nothing of that shows in this account's next id.
    const theirs = [];
    for (let i = 0; i < 5; i++)
      theirs.push(
        (
          await svc.ok(
            "CreateOAuthCredential",
            { UserPoolUid: otherPool, GrantType: "authorization_code", Scope: "openid", Name: `o${i}` },
            other,
          )
        ).CredentialId,
      );
    const second = await createCredential(svc, pool);
    expect(first.CredentialId).toBe(1);
    expect(second.CredentialId).toBe(2);
    expect(theirs).toEqual([1, 2, 3, 4, 5]);
    // Same number, two credentials: each account reaches its own, ClientApiIdentifier stays global.
    const mine = await svc.ok("GetOAuthCredential", { CredentialId: 1 });
    const yours = await svc.ok("GetOAuthCredential", { CredentialId: 1 }, other);
    expect(mine.UserPoolUid).toBe(pool);
    expect(yours.UserPoolUid).toBe(otherPool);
    expect(mine.ClientApiIdentifier).not.toBe(yours.ClientApiIdentifier);
    expect(
      (await svc.call("GetOAuthCredential", { ClientApiIdentifier: mine.ClientApiIdentifier }, other)).ResponseMetadata.Error?.Code,
    ).toBe("NotFound");
    await svc.ok("DeleteUserPool", { UserPoolUid: otherPool }, other);
  });

  it("gives concurrent creates in one account consecutive, distinct ids, across pools, and never reuses a deleted one", async () => {
    const pools = [await createPool(svc), await createPool(svc)];
    const before = (await createCredential(svc, pools[0]!)).CredentialId;
    const created = await Promise.all(Array.from({ length: 20 }, (_, i) => createCredential(svc, pools[i % 2]!)));
    const ids = created.map((c) => c.CredentialId).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: 20 }, (_, i) => before + 1 + i));
    // The highest id deleted: the next create does not get it again.
    await svc.ok("DeleteOAuthCredential", { CredentialId: ids[19] });
    expect((await createCredential(svc, pools[1]!)).CredentialId).toBe(ids[19]! + 1);
    for (const p of pools) await svc.ok("DeleteUserPool", { UserPoolUid: p });
  });
});

describe("the upgrade to per-account ids (sql/007)", () => {
  const baseUrl = inject("databaseUrl");

  async function insertCredential(db: Kysely<Database>, accountId: string, pool: string) {
    const row = await sql<{ id: string }>`insert into oauth_credentials
        (account_id, user_pool_uid, client_api_identifier, grant_type, scopes, secret_hash, secret_updated_at, created_at, updated_at)
        values (${accountId}, ${pool}, ${randomBytes(16).toString("hex")}, 'authorization_code', '{openid}', ${randomBytes(32)}, now(), now(), now())
        returning credential_id as id`.execute(db);
    return Number(row.rows[0]!.id);
  }
  const insertPool = (db: Kysely<Database>, accountId: string, uid: string) =>
    sql`insert into user_pools (account_id, uid, name, password_policy) values (${accountId}, ${uid}, ${uid}, '{}')`.execute(db);

  it("keeps every existing id, continues existing accounts above every id ever handed out, starts new ones at 1", {
    timeout: 120_000,
  }, async () => {
    const own = baseUrl ? await ownDatabase(baseUrl, "idplane_credential_ids") : undefined;
    const handle = await connectDatabase({ databaseUrl: own?.url, dataDir: "memory://", maxConnections: 2 });
    try {
      const db = handle.db;
      await migrate(
        db,
        readMigrations().filter((m) => m.name < "007"),
      );
      const [a, b, keyOnly] = [randomAccountId(), randomAccountId(), randomAccountId()];
      await insertPool(db, a, "pa");
      await insertPool(db, b, "pb");
      await sql`insert into access_keys (access_key_id, account_id, role, secret_sealed, secret_key_id) values ('AKLTupgrade0000000', ${keyOnly}, 'admin', '\\x00', 'k')`.execute(
        db,
      );
      // The global sequence: a gets 1, 2, 4; b gets 3, 5; then b's 5 is deleted.
      const ids = [
        await insertCredential(db, a, "pa"),
        await insertCredential(db, a, "pa"),
        await insertCredential(db, b, "pb"),
        await insertCredential(db, a, "pa"),
        await insertCredential(db, b, "pb"),
      ];
      expect(ids).toEqual([1, 2, 3, 4, 5]);
      await sql`delete from oauth_credentials where account_id = ${b} and credential_id = 5`.execute(db);
      const rowsBefore = (
        await sql`select account_id, credential_id, client_api_identifier from oauth_credentials order by 1, 2`.execute(db)
      ).rows;

      expect(await migrate(db)).toContain("008_credential_ids_per_account.sql");
      expect(
        (await sql`select account_id, credential_id, client_api_identifier from oauth_credentials order by 1, 2`.execute(db)).rows,
      ).toEqual(rowsBefore);
      // b never gets its deleted 5 again; a continues above it too; an account known only by its key likewise.
      expect(await insertCredential(db, b, "pb")).toBe(6);
      expect(await insertCredential(db, a, "pa")).toBe(6);
      await insertPool(db, keyOnly, "pk");
      expect(await insertCredential(db, keyOnly, "pk")).toBe(6);
      const fresh = randomAccountId();
      await insertPool(db, fresh, "pf");
      expect(await insertCredential(db, fresh, "pf")).toBe(1);
      expect(await insertCredential(db, fresh, "pf")).toBe(2);
      expect(await insertCredential(db, a, "pa")).toBe(7);
    } finally {
      await handle.close();
      await own?.drop();
    }
  });
});
