// Migrations: the statement splitter, and concurrent migrators that apply each file exactly once.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sql } from "kysely";
import { inject } from "vitest";
import { connectDatabase } from "../../../src/platform/db/connect.js";
import { ownDatabase } from "../../support/infra/child-server.js";
import { connectTestDatabase, poolerFor } from "../../support/harness.js";
import { migrate, readMigrations, splitStatements } from "../../../src/platform/db/migrator.js";

describe("splitStatements", () => {
  it("splits at top-level semicolons only", () => {
    const script = `-- a comment; with a semicolon
create table t (a text default 'x;y'); /* block; comment */
create function f() returns int as $body$ begin return 1; end $body$ language plpgsql;
insert into "odd;name" values ('it''s; fine');`;
    expect(splitStatements(script)).toEqual([
      "create table t (a text default 'x;y')",
      "create function f() returns int as $body$ begin return 1; end $body$ language plpgsql",
      `insert into "odd;name" values ('it''s; fine')`,
    ]);
  });
  it("reads the repository's migrations in order", () => {
    const names = readMigrations().map((m) => m.name);
    expect(names[0]).toBe("001_foundation.sql");
    expect([...names].sort()).toEqual(names);
  });
  it("refuses two migrations with the same number, except the historical pair of 007", () => {
    const dir = mkdtempSync(join(tmpdir(), "idplane-migrations-"));
    try {
      for (const name of ["001_foundation.sql", "007_identity_providers_upstream.sql", "007_reset_mail_log.sql", "020_a.sql", "020_b.sql"])
        writeFileSync(join(dir, name), "select 1;");
      expect(() => readMigrations(dir)).toThrow("migrations share a number (renumber the newer one): 020_a.sql and 020_b.sql");
      rmSync(join(dir, "020_b.sql"));
      expect(readMigrations(dir).map((m) => m.name)).toEqual([
        "001_foundation.sql",
        "007_identity_providers_upstream.sql",
        "007_reset_mail_log.sql",
        "020_a.sql",
      ]);
      // The allow-list names those two files, not the number: a third 007 is refused.
      writeFileSync(join(dir, "007_more.sql"), "select 1;");
      expect(() => readMigrations(dir)).toThrow("007_more.sql");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("migrate", () => {
  const url = inject("databaseUrl");
  // A fresh database rather than a schema on search_path: a start-up `options` parameter would not
  // pass PgBouncer (the suite's PgBouncer pass runs this test through it).
  it.skipIf(!url)("applies each migration once when several processes race (Postgres)", async () => {
    const own = await ownDatabase(url!, "idplane_migrator", poolerFor(url));
    const handles = await Promise.all([1, 2, 3].map(() => connectTestDatabase(own.url, 2)));
    try {
      const results = await Promise.all(handles.map((h) => migrate(h.db)));
      const all = readMigrations().map((m) => m.name);
      expect(results.flat().sort()).toEqual(all);
      const rows = await sql<{ name: string }>`select name from schema_migrations`.execute(handles[0]!.db);
      expect(rows.rows.map((r) => r.name).sort()).toEqual(all);
      expect(await migrate(handles[0]!.db)).toEqual([]);
    } finally {
      await Promise.all(handles.map((h) => h.close()));
      await own.drop();
    }
  });
  // PGlite's initdb: seconds idle, over a minute on a loaded machine.
  it("is idempotent on the embedded database (PGlite in memory)", { timeout: 240_000 }, async () => {
    const h = await connectDatabase({ dataDir: "memory://" });
    try {
      expect((await migrate(h.db)).length).toBe(readMigrations().length);
      expect(await migrate(h.db)).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
