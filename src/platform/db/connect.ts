// Opens the database: Postgres through postgres.js when a URL is given, otherwise the embedded engine
// in the data directory: a Postgres server run as a child process (src/platform/db/embedded/), or PGlite
// (WASM, in process) where there are no Postgres binaries or ID_EMBEDDED_ENGINE=pglite asks for it.
// Above this file there is one Kysely code path for all.
//
// Behind PgBouncer in transaction mode (pooler "pgbouncer") each transaction, and each statement
// outside one, may run on another server connection: named prepared statements would be missing or,
// worse, another one of the same name (PgBouncer 1.18 answered one query with another's rows in a
// trial), so statements go unnamed; and LISTEN would subscribe a server connection that PgBouncer
// hands to someone else, so listen() refuses (src/access-keys/key-changes.ts polls instead, or
// listens past the pooler). Advisory locks are all transaction-scoped (pg_advisory_xact_lock), which
// transaction pooling keeps intact.
import { Kysely } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import postgres from "postgres";
import type { Logger } from "../log.js";
import { lockDataDir } from "./embedded-lock.js";
import { chooseEngine, type EmbeddedEngine } from "./embedded/engine.js";
import { EmbeddedPostgresUnusable, openEmbeddedPostgres } from "./embedded/index.js";
import { copyPgliteInto, hasPgliteData } from "./embedded/migrate-pglite.js";
import { PostgresDialect } from "./postgres-dialect.js";
import { preparePrivateDir, tightenPrivateDir } from "./private-dir.js";
import type { Database } from "./schema.js";
import type { DatabasePooler } from "../config.js";

export type DatabaseKind = "postgres" | "pglite";

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseKind;
  /** Human-readable location without credentials, for start-up messages. */
  describe: string;
  close(): Promise<void>;
  /**
   * Subscribes to a Postgres NOTIFY channel; resolves to an unsubscribe function. onSubscribed runs
   * at each (re)subscription: notifications sent while the listening connection was down are lost.
   */
  listen(channel: string, onPayload: (payload: string) => void, onSubscribed?: () => void): Promise<() => Promise<void>>;
}

export interface ConnectOptions {
  /** postgres:// URL; when absent, the embedded engine at dataDir (PGlite in memory when dataDir is "memory://"). */
  databaseUrl?: string | undefined;
  dataDir?: string;
  /** ID_EMBEDDED_ENGINE; undefined chooses (src/platform/db/embedded/engine.ts). */
  embeddedEngine?: EmbeddedEngine | undefined;
  /** The CLI: use the embedded Postgres another idplane process runs on dataDir instead of refusing. */
  attach?: boolean;
  /** Extra settings of an embedded Postgres this call starts. */
  embeddedSettings?: Record<string, string>;
  /** Pool size for Postgres. */
  maxConnections?: number;
  /** Says which embedded engine runs, and when an embedded data directory had to be tightened. */
  log?: Pick<Logger, "warn" | "info">;
  /** What the URL points at; "pgbouncer" turns off prepared statements and LISTEN. */
  pooler?: DatabasePooler;
  /** Bound of one connection attempt, and of a statement's wait for a connection (default 3). */
  connectTimeoutSeconds?: number;
  /** ID_STATEMENT_TIMEOUT_MS: no statement runs longer (57014, then ServiceUnavailable); 0 or undefined: no bound. PGlite has none. */
  statementTimeoutMs?: number | undefined;
}

// int8 (20) as a decimal string on both drivers: account ids exceed no JS number today, but counts
// and ids must never be rounded silently.
const INT8_OID = 20;
/** Lower bound of the connect timeout to the embedded Postgres (see connectEmbedded). */
const EMBEDDED_CONNECT_TIMEOUT_SECONDS = 15;

export async function connectDatabase(opts: ConnectOptions): Promise<DatabaseHandle> {
  if (opts.databaseUrl)
    return connectPostgres(
      opts.databaseUrl,
      opts.maxConnections ?? 10,
      opts.pooler ?? "none",
      opts.connectTimeoutSeconds ?? 3,
      opts.statementTimeoutMs,
    );
  const dataDir = opts.dataDir ?? "memory://";
  return dataDir === "memory://" ? connectPglite(dataDir, opts.log) : connectEmbedded(dataDir, opts);
}

async function connectEmbedded(dataDir: string, opts: ConnectOptions): Promise<DatabaseHandle> {
  const choice = chooseEngine(opts.embeddedEngine);
  // Counted for the one log line that says the directory had to be tightened, whichever engine runs.
  let tightenedBefore = 0;
  if (choice.engine === "postgres") {
    preparePrivateDir(dataDir);
    // Before the server starts: Postgres refuses a cluster directory others can read (0700 or 0750
    // only), which is what an older version left behind for a normal user (as root the run user's
    // set-up happens to repair it).
    tightenedBefore = tightenPrivateDir(dataDir);
    try {
      const server = await openEmbeddedPostgres(dataDir, {
        log: opts.log,
        attach: opts.attach ?? false,
        ...(opts.embeddedSettings && { settings: opts.embeddedSettings }),
      });
      // The 3 s default fails fast when a remote database is away. This one is our own child, alive or
      // watched; on a loaded laptop its first connections (scram) can take longer than 3 s to answer.
      const handle = connectPostgres(
        server.url,
        opts.maxConnections ?? 10,
        "none",
        Math.max(opts.connectTimeoutSeconds ?? 3, EMBEDDED_CONNECT_TIMEOUT_SECONDS),
        opts.statementTimeoutMs,
      );
      const close = async () => {
        try {
          await handle.close();
        } finally {
          await server.close();
        }
      };
      try {
        if (!server.attached && hasPgliteData(dataDir)) await copyPgliteInto(dataDir, handle.db, opts.log);
      } catch (err) {
        await close();
        throw err;
      }
      warnTightened(dataDir, opts.log, tightenedBefore);
      opts.log?.info({ engine: "postgres", why: choice.reason }, "embedded database: Postgres");
      return { ...handle, describe: server.describe, close };
    } catch (err) {
      if (choice.explicit || !(err instanceof EmbeddedPostgresUnusable)) throw err;
      opts.log?.warn({ why: err.message }, "embedded Postgres cannot run here: falling back to PGlite (set ID_EMBEDDED_ENGINE to choose)");
    }
  } else {
    opts.log?.info({ engine: "pglite", why: choice.reason }, "embedded database: PGlite");
  }
  return connectPglite(dataDir, opts.log, tightenedBefore);
}

function warnTightened(dataDir: string, log: ConnectOptions["log"], already = 0): void {
  const tightened = already + tightenPrivateDir(dataDir);
  if (tightened)
    log?.warn({ dataDir, tightened }, "the data directory was readable by other users: made it and its files owner-only (0700/0600)");
}

/**
 * Where a URL points, without credentials. Multi-host URLs (`postgres://u@h1:5432,h2:5432/db`, for
 * failover with `target_session_attrs=read-write`) are not WHATWG URLs, so this reads them by hand.
 */
export function describeUrl(url: string): string {
  return `postgres ${hostsOf(url).join(",")}${/^postgres(?:ql)?:\/\/[^/?]*(\/[^?]*)?/.exec(url)?.[1] ?? ""}`;
}

/** The host:port pairs of a postgres:// URL, one or several. */
export function hostsOf(url: string): string[] {
  const m = /^postgres(?:ql)?:\/\/(?:[^@/]*@)?([^/?]*)/.exec(url);
  return (m?.[1] ?? "").split(",").map((h) => (/:\d+$/.test(h) ? h : `${h || "localhost"}:5432`));
}

/**
 * For failover, `target_session_attrs=read-write` in a multi-host URL must mean "not a standby".
 * postgres.js 3.4.9 judges read-write by default_transaction_read_only alone, and since Postgres 14 a
 * hot standby reports that as off at start-up, so it would settle on the standby and every write
 * would fail (porsager hit it himself: hapostgres/pg_auto_failover#970). "primary" checks
 * in_hot_standby, which is what read-write means there. (A primary made read-only on purpose is then
 * accepted, and its writes answer ServiceUnavailable: src/platform/db/errors.ts.)
 */
export function targetSessionAttrs(url: string): "primary" | undefined {
  const attrs = /[?&]target_session_attrs=([^&]*)/.exec(url)?.[1];
  return attrs === "read-write" ? "primary" : undefined;
}

function connectPostgres(
  url: string,
  max: number,
  pooler: DatabasePooler,
  connectTimeoutSeconds: number,
  statementTimeoutMs: number | undefined,
): DatabaseHandle {
  const prepare = pooler === "none";
  const attrs = targetSessionAttrs(url);
  // Straight to Postgres, the bound is a startup parameter of every connection: Postgres keeps it for
  // every statement, in a transaction or not, with no work here. PgBouncer refuses that parameter, so
  // behind it the dialect keeps the bound (postgres-dialect.ts, cancelAfter).
  const bounded = statementTimeoutMs ? Math.floor(statementTimeoutMs) : undefined;
  const sql = postgres(url, {
    max,
    prepare,
    ...(attrs && { target_session_attrs: attrs }),
    // Fail fast when the database is away, instead of queueing requests behind a dead socket
    // (with the dialect's circuit breaker: requests are refused at once while a probe retries).
    connect_timeout: connectTimeoutSeconds,
    // Reconnect within half a second once Postgres is back; the default backoff grows to 20 s.
    backoff: (retries: number) => Math.min(0.05 * retries, 0.5),
    idle_timeout: 60,
    onnotice: () => {},
    // Behind a pooler, one statement per connection at a time: postgres.js sends an unprepared
    // statement with parameters as Parse/Describe/Flush before its Bind/Execute/Sync. Pipelined
    // behind another statement, PgBouncer gives the server connection back at that statement's
    // ReadyForQuery and the Describe's answer is lost: the request hung for good (test/reliability/
    // pgbouncer.test.ts). Straight to Postgres, pipelining is safe and worth its throughput.
    ...(!prepare && { max_pipeline: 0 }),
    ...(bounded && prepare && { connection: { statement_timeout: bounded } }),
    types: { int8: { to: INT8_OID, from: [INT8_OID], serialize: String, parse: (v: string) => v } },
  });
  const db = new Kysely<Database>({
    dialect: new PostgresDialect(sql, {
      prepare,
      connectionWaitMs: connectTimeoutSeconds * 1000,
      statementTimeout: bounded ? { ms: bounded, enforcedBy: prepare ? "server" : "dialect" } : undefined,
    }),
  });
  return {
    db,
    kind: "postgres",
    describe: describeUrl(url) + (prepare ? "" : ` (through ${pooler})`),
    close: () => db.destroy(),
    async listen(channel, onPayload, onSubscribed) {
      if (!prepare) throw new Error(`LISTEN does not work through ${pooler} in transaction mode; listen on a direct connection`);
      const sub = await sql.listen(channel, onPayload, onSubscribed);
      return () => sub.unlisten();
    },
  };
}

async function connectPglite(dataDir: string, log: ConnectOptions["log"], tightenedBefore = 0): Promise<DatabaseHandle> {
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
  if (!inMemory) warnTightened(dataDir, log, tightenedBefore);
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
    // One process, one connection that never drops: nothing is missed, nothing to resubscribe.
    listen: (channel, onPayload) => pglite.listen(channel, onPayload),
  };
}
