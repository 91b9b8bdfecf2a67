// Opens the database: Postgres through postgres.js when a URL is given, otherwise embedded PGlite in
// the data directory. Above this file there is one Kysely code path for both.
import { Kysely } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import postgres from "postgres";
import type { Logger } from "../log.js";
import { lockDataDir } from "./embedded-lock.js";
import { PostgresDialect } from "./postgres-dialect.js";
import { preparePrivateDir, tightenPrivateDir } from "./private-dir.js";
import type { Database } from "./schema.js";

export type DatabaseKind = "postgres" | "pglite";

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseKind;
  /** Human-readable location without credentials, for start-up messages. */
  describe: string;
  close(): Promise<void>;
  /** Subscribes to a Postgres NOTIFY channel; resolves to an unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
}

export interface ConnectOptions {
  /** postgres:// URL; when absent, PGlite at dataDir (or in memory when dataDir is "memory://"). */
  databaseUrl?: string | undefined;
  dataDir?: string;
  /** Pool size for Postgres. */
  maxConnections?: number;
  /** Says when an embedded data directory readable by others had to be tightened. */
  log?: Pick<Logger, "warn">;
}

// int8 (20) as a decimal string on both drivers: account ids exceed no JS number today, but counts
// and ids must never be rounded silently.
const INT8_OID = 20;

export async function connectDatabase(opts: ConnectOptions): Promise<DatabaseHandle> {
  if (opts.databaseUrl) return connectPostgres(opts.databaseUrl, opts.maxConnections ?? 10);
  return connectPglite(opts.dataDir ?? "memory://", opts.log);
}

function connectPostgres(url: string, max: number): DatabaseHandle {
  const sql = postgres(url, {
    max,
    // Fail fast when the database is away, instead of queueing requests behind a dead socket
    // (with the dialect's circuit breaker: requests are refused at once while a probe retries).
    connect_timeout: 3,
    // Reconnect within half a second once Postgres is back; the default backoff grows to 20 s.
    backoff: (retries: number) => Math.min(0.05 * retries, 0.5),
    idle_timeout: 60,
    onnotice: () => {},
    types: { int8: { to: INT8_OID, from: [INT8_OID], serialize: String, parse: (v: string) => v } },
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect(sql) });
  const u = new URL(url);
  return {
    db,
    kind: "postgres",
    describe: `postgres ${u.hostname}:${u.port || 5432}${u.pathname}`,
    close: () => db.destroy(),
    async listen(channel, onPayload) {
      const sub = await sql.listen(channel, onPayload);
      return () => sub.unlisten();
    },
  };
}

async function connectPglite(dataDir: string, log: ConnectOptions["log"]): Promise<DatabaseHandle> {
  const { PGlite, types } = await import("@electric-sql/pglite");
  const inMemory = dataDir === "memory://";
  // 0700 and umask 077 before PGlite writes a byte; then a check of what is there, old files included.
  if (!inMemory) preparePrivateDir(dataDir);
  const release = inMemory ? () => {} : lockDataDir(dataDir);
  let pglite: Awaited<ReturnType<typeof PGlite.create>>;
  try {
    pglite = await PGlite.create({
      ...(inMemory ? {} : { dataDir: `${dataDir}/pgdata` }),
      parsers: { [types.INT8]: (v: string) => v },
    });
  } catch (err) {
    release();
    throw err;
  }
  const tightened = inMemory ? 0 : tightenPrivateDir(dataDir);
  if (tightened) log?.warn({ dataDir, tightened }, "the data directory was readable by other users: made it and its files owner-only (0700/0600)");
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: "pglite",
    describe: inMemory ? "embedded PGlite (in memory)" : `embedded PGlite at ${dataDir}/pgdata`,
    close: async () => {
      try {
        await db.destroy();
      } finally {
        release();
      }
    },
    listen: (channel, onPayload) => pglite.listen(channel, onPayload),
  };
}
