// Statistics after bulk imports (issue 22 item 1): a CreateUsersCSV of at least
// ID_ANALYZE_AFTER_IMPORT_ROWS users refreshes the users table's statistics once it has answered,
// and a federated import (each user linked to an identity) refreshes them inside its transaction
// before the links are written, whose foreign-key checks otherwise each scanned the new pool (68 s
// for 10,000 rows on main; the bound below is generous against the seconds it takes now).
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { createConnection } from "../support/families/identity-providers.js";
import { csvB64 } from "../support/families/pool-settings.js";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ env: { ID_ANALYZE_AFTER_IMPORT_ROWS: "500" } });
});
afterAll(() => svc.close());

/** How many times the table was analysed by hand (not by autovacuum), as the statistics views say. */
async function analyses(table: string): Promise<number> {
  if (svc.config.databaseUrl === undefined) return 0;
  const r = await sql<{ n: string }>`select analyze_count as n from pg_stat_user_tables where relname = ${table}`.execute(svc.deps.db);
  return Number(r.rows[0]?.n ?? 0);
}

describe("bulk imports", () => {
  it("a federated import of 10,000 users links them in seconds and leaves fresh statistics", async () => {
    // PGlite: the same path (ANALYZE inside and after the import) on fewer rows; it keeps no statistics views to read.
    const onPostgres = svc.config.databaseUrl !== undefined;
    const rows = onPostgres ? 10_000 : 600;
    const before = { users: await analyses("users"), links: await analyses("external_identities") };
    const { UserPoolUid, ConnectionUid } = await createConnection(svc);
    const lines = ["Email,ExternalProviderUserIdentifier"];
    for (let i = 0; i < rows; i++) lines.push(`f${i}@fed.example.com,ext-${i}`);
    const started = performance.now();
    const r = await svc.call("CreateUsersCSV", { UserPoolUid, ExternalProviderConnectionUid: ConnectionUid, UsersCsvB64: csvB64(lines) });
    const ms = performance.now() - started;
    console.log(`[bulk] federated CSV import of ${rows} users: ${Math.round(ms)} ms`);
    expect(codeOf(r)).toBe("OK");
    expect(r.Result.SuccessCount).toBe(rows);
    expect(ms).toBeLessThan(40_000);
    if (!onPostgres) return;
    await expect.poll(() => analyses("external_identities"), { timeout: 30_000, interval: 200 }).toBeGreaterThan(before.links);
    expect(await analyses("users")).toBeGreaterThan(before.users);
  }, 180_000);
});
