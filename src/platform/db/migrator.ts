// Applies the plain SQL files of sql/ in name order, each in its own transaction under a
// transaction-scoped advisory lock, recording each in schema_migrations. Several processes may start
// at once: the lock serializes them and each re-reads what is applied after taking it.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { sql, type Kysely } from "kysely";
import type { Database } from "./schema.js";

// sql/ at the repository root: three levels up from src/platform/db/ when run from source, one up from dist/.
const here = dirname(fileURLToPath(import.meta.url));
export const MIGRATIONS_DIR =
  [join(here, "..", "..", "..", "sql"), join(here, "..", "sql")].find((d) => existsSync(join(d, "001_foundation.sql"))) ??
  join(here, "..", "..", "..", "sql");
// Arbitrary constant, the same in every process of this service.
const MIGRATION_LOCK_KEY = 0x1d_91a4e;

export interface Migration {
  name: string;
  text: string;
}

/**
 * Migrations that share a number, landed before the migrator refused that and applied since in name
 * order on deployed databases: kept as they are (a migration is never renamed once landed).
 */
const SHARED_NUMBERS = new Set(["007_identity_providers_upstream.sql", "007_reset_mail_log.sql"]);

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const names = readdirSync(dir)
    .filter((f) => /^\d{3,}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
  refuseSharedNumbers(names);
  return names.map((name) => ({ name, text: readFileSync(join(dir, name), "utf8") }));
}

/**
 * Two branches that each add a migration with the next free number merge into two files whose order
 * is only their names' order, which neither author chose: refused, so the second is renumbered.
 */
export function refuseSharedNumbers(names: readonly string[]): void {
  const byNumber = new Map<string, string[]>();
  for (const name of names) {
    const number = name.slice(0, name.indexOf("_"));
    byNumber.set(number, [...(byNumber.get(number) ?? []), name]);
  }
  const clashes = [...byNumber.values()].filter((group) => group.length > 1 && !group.every((name) => SHARED_NUMBERS.has(name)));
  if (clashes.length > 0)
    throw new Error(`migrations share a number (renumber the newer one): ${clashes.map((g) => g.join(" and ")).join("; ")}`);
}

/** Returns the names applied by this call (empty when the schema was current). */
export async function migrate(db: Kysely<Database>, migrations = readMigrations()): Promise<string[]> {
  // Under the lock too: two concurrent CREATE TABLE IF NOT EXISTS can both miss the table and collide.
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`.execute(trx);
    await sql`create table if not exists schema_migrations (
      name text primary key, applied_at timestamptz not null default now())`.execute(trx);
  });
  const applied: string[] = [];
  for (const m of migrations) {
    const ran = await db.transaction().execute(async (trx) => {
      // A migration may rewrite or index a large table: ID_STATEMENT_TIMEOUT_MS is for requests.
      await sql`set local statement_timeout = 0`.execute(trx);
      await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`.execute(trx);
      const done = await trx.selectFrom("schema_migrations").select("name").where("name", "=", m.name).executeTakeFirst();
      if (done) return false;
      for (const statement of splitStatements(m.text)) await sql.raw(statement).execute(trx);
      await trx.insertInto("schema_migrations").values({ name: m.name }).execute();
      return true;
    });
    if (ran) applied.push(m.name);
  }
  return applied;
}

/**
 * Splits a SQL script into statements at top-level semicolons, skipping comments and respecting
 * quotes and dollar-quoted bodies. Needed because the embedded driver runs one statement per query.
 */
export function splitStatements(script: string): string[] {
  const out: string[] = [];
  let current = "";
  let i = 0;
  while (i < script.length) {
    const ch = script[i]!;
    const rest = script.slice(i);
    if (rest.startsWith("--")) {
      const end = script.indexOf("\n", i);
      i = end === -1 ? script.length : end + 1;
      current += "\n";
    } else if (rest.startsWith("/*")) {
      const end = script.indexOf("*/", i + 2);
      i = end === -1 ? script.length : end + 2;
      current += " ";
    } else if (ch === "'" || ch === '"') {
      let j = i + 1;
      while (j < script.length && !(script[j] === ch && script[j + 1] !== ch)) j += script[j] === ch ? 2 : 1;
      current += script.slice(i, j + 1);
      i = j + 1;
    } else if (ch === "$" && /^\$[A-Za-z_]*\$/.test(rest)) {
      const tag = /^\$[A-Za-z_]*\$/.exec(rest)![0];
      const end = script.indexOf(tag, i + tag.length);
      const stop = end === -1 ? script.length : end + tag.length;
      current += script.slice(i, stop);
      i = stop;
    } else if (ch === ";") {
      if (current.trim()) out.push(current.trim());
      current = "";
      i++;
    } else {
      current += ch;
      i++;
    }
  }
  if (current.trim()) out.push(current.trim());
  return out;
}
