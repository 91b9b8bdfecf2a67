// ID_STATEMENT_TIMEOUT_MS at the database layer (issue 22 item 1): a statement that runs past the
// bound fails with 57014, which the API answers as ServiceUnavailable, and the connection it held
// serves the next statement. Both ways the bound is kept: as a startup parameter straight to
// Postgres, and by the dialect (SET LOCAL in transactions, a cancel outside them) as behind
// PgBouncer in transaction mode, exercised here against Postgres itself with that configuration.
import { sql } from "kysely";
import { afterAll, describe, expect, inject, it } from "vitest";
import { connectDatabase, type DatabaseHandle } from "../../../src/platform/db/connect.js";
import { translateDbError } from "../../../src/platform/db/errors.js";
import type { DatabasePooler } from "../../../src/platform/config.js";

const url = inject("directDatabaseUrl");
const opened: DatabaseHandle[] = [];
afterAll(async () => {
  await Promise.all(opened.map((h) => h.close()));
});

async function open(pooler: DatabasePooler, statementTimeoutMs: number | undefined) {
  const h = await connectDatabase({ databaseUrl: url, maxConnections: 1, pooler, statementTimeoutMs });
  opened.push(h);
  return h;
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (err: unknown) => err as { code?: string },
  );

describe.skipIf(!url)("the statement time limit", () => {
  it.each([
    ["none (startup parameter)", "none"],
    ["pgbouncer (set by the dialect)", "pgbouncer"],
  ] as const)(
    "%s: a long statement fails with 57014 and the pool's one connection serves again",
    async (_label, pooler) => {
      const { db } = await open(pooler, 300);
      const started = performance.now();
      const err = await failure(sql`select pg_sleep(20)`.execute(db));
      expect(err?.code).toBe("57014");
      // Orders of magnitude: the bound is 0.3 s, the statement would take 20 s.
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(translateDbError(err)?.code).toBe("ServiceUnavailable");
      expect((await sql<{ one: number }>`select 1 as one`.execute(db)).rows).toEqual([{ one: 1 }]);

      const inTransaction = await failure(db.transaction().execute((trx) => sql`select pg_sleep(20)`.execute(trx)));
      expect(inTransaction?.code).toBe("57014");
      expect((await sql<{ one: number }>`select 1 as one`.execute(db)).rows).toEqual([{ one: 1 }]);
      // A transaction may raise its own bound (the migrator and statistics refreshes do).
      await db.transaction().execute(async (trx) => {
        await sql`set local statement_timeout = 0`.execute(trx);
        await sql`select pg_sleep(0.5)`.execute(trx);
      });
    },
    60_000,
  );

  it("is off when unset (the CLI, tests' shared handle)", async () => {
    const { db } = await open("none", undefined);
    const r = await sql<{ statement_timeout: string }>`show statement_timeout`.execute(db);
    expect(r.rows[0]!.statement_timeout).toBe("0");
  });
});
