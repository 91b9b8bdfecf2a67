// Upgrading from the PGlite default: a data directory with a PGlite cluster in pgdata/ and no
// embedded Postgres cluster yet is copied over once, table by table, then pgdata/ is renamed to
// pgdata.pglite-backup/ (kept, never deleted: the user removes it when satisfied). Both sides are
// first brought to the current schema by the same migrations, so the tables match column for column.
// Rows travel as JSON (row_to_json, json_populate_recordset), which round-trips every column type
// through its text form: bytea, timestamps, arrays and jsonb included. The copy is one transaction
// with triggers and foreign keys off (session_replication_role = replica) and starts by emptying the
// target, so an interrupted copy is simply done again at the next start.
import { existsSync, renameSync } from "node:fs";
import { join } from "node:path";
import { Kysely, sql } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import type { Logger } from "../../log.js";
import { migrate } from "../migrator.js";
import type { Database } from "../schema.js";

const CHUNK = 2000;

export const pgliteDir = (dataDir: string) => join(dataDir, "pgdata");
export const pgliteBackupDir = (dataDir: string) => join(dataDir, "pgdata.pglite-backup");

export const hasPgliteData = (dataDir: string) => existsSync(join(pgliteDir(dataDir), "PG_VERSION"));

export async function copyPgliteInto(dataDir: string, target: Kysely<Database>, log?: Pick<Logger, "warn">): Promise<void> {
  const from = pgliteDir(dataDir);
  log?.warn(
    { from, backup: pgliteBackupDir(dataDir) },
    "found the PGlite database of an earlier idplane: copying it into embedded Postgres (once); the PGlite directory is kept as a backup",
  );
  const { PGlite } = await import("@electric-sql/pglite");
  const pglite = await PGlite.create({ dataDir: from });
  const source = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  try {
    await migrate(source);
    await migrate(target);
    const tables = (
      await sql<{ name: string }>`select table_name as name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'schema_migrations' order by 1`.execute(source)
    ).rows.map((r) => r.name);
    const sequences = (
      await sql<{ name: string; value: string | null }>`select sequencename as name, last_value::text as value
      from pg_sequences where schemaname = 'public'`.execute(source)
    ).rows;
    let rows = 0;
    await target.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      if (tables.length) await sql`truncate ${sql.join(tables.map((t) => sql.table(t)))}`.execute(trx);
      for (const table of tables) {
        for (let offset = 0; ; offset += CHUNK) {
          const chunk = (
            await sql<{ rows: string | null }>`select json_agg(t)::text as rows from
            (select * from ${sql.table(table)} order by ctid limit ${CHUNK} offset ${offset}) t`.execute(source)
          ).rows[0]?.rows;
          if (!chunk) break;
          const n = await sql`insert into ${sql.table(table)} overriding system value
            select * from json_populate_recordset(null::${sql.table(table)}, ${chunk}::text::json)`.execute(trx);
          rows += Number(n.numAffectedRows ?? 0);
        }
      }
      for (const s of sequences)
        if (s.value !== null) await sql`select setval(${`public.${s.name}`}::regclass, ${s.value}::bigint)`.execute(trx);
    });
    log?.warn({ tables: tables.length, rows }, "PGlite data copied into embedded Postgres");
  } finally {
    await source.destroy();
  }
  renameSync(from, pgliteBackupDir(dataDir));
}
