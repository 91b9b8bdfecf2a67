// How a changed access key (disabled, enabled, re-keyed) reaches every instance's resolver cache, so
// a disable takes effect everywhere within about a second instead of after the cache lifetime.
// Three sources, chosen by the database configuration:
//
// - "notify": LISTEN on the instance's own database (Postgres without a pooler, or PGlite); the
//   CLI's NOTIFY names the key and arrives in milliseconds.
// - "notify-direct": behind PgBouncer in transaction mode LISTEN cannot go through the pool (the
//   subscribed server connection is handed to other clients); with DATABASE_DIRECT_URL the instance
//   keeps one connection of its own straight to Postgres for it.
// - "poll": behind PgBouncer without a direct URL, the instance reads the one-row change counter
//   of sql/006_access_key_version.sql every pollMs through the pool and drops its whole cache when
//   the number moved. Measured against notify-direct in test/reliability/pgbouncer.test.ts (figures
//   in docs/deployment.md): slower by up to pollMs, but it needs no connection past the pooler, it
//   cannot miss a change while a connection is down (the counter only grows), and it costs one
//   indexed read per instance per second. It is the default behind PgBouncer.
//
// A notification sent while the listening connection is down is lost, so each (re)subscription
// drops the whole cache; the resolver's short cache lifetime bounds whatever slips through.
import { sql } from "kysely";
import type { Config } from "../platform/config.js";
import { connectDatabase, type DatabaseHandle } from "../platform/db/connect.js";
import type { Logger } from "../platform/log.js";
import { ACCESS_KEY_CHANNEL } from "./queries.js";
import type { AccessKeyResolver } from "./resolver.js";

export type KeyChangeSource = "notify" | "notify-direct" | "poll";

export interface KeyChangeFollower {
  source: KeyChangeSource;
  stop(): Promise<void>;
}

export interface KeyChangeDeps {
  database: DatabaseHandle;
  config: Pick<Config, "database">;
  resolver: Pick<AccessKeyResolver, "invalidate">;
  log: Logger;
}

export const DEFAULT_POLL_MS = 1000;

export async function followAccessKeyChanges(deps: KeyChangeDeps, opts: { pollMs?: number } = {}): Promise<KeyChangeFollower> {
  const { database, resolver } = deps;
  const { pooler, directUrl } = deps.config.database;
  const onKey = (accessKeyId: string) => resolver.invalidate(accessKeyId);
  const onSubscribed = () => resolver.invalidate();
  if (database.kind === "pglite" || pooler === "none") {
    const unlisten = await database.listen(ACCESS_KEY_CHANNEL, onKey, onSubscribed);
    return { source: "notify", stop: () => unlisten().catch(() => {}) };
  }
  if (directUrl) {
    const direct = await connectDatabase({ databaseUrl: directUrl, maxConnections: 1 });
    try {
      const unlisten = await direct.listen(ACCESS_KEY_CHANNEL, onKey, onSubscribed);
      return {
        source: "notify-direct",
        async stop() {
          await unlisten().catch(() => {});
          await direct.close();
        },
      };
    } catch (err) {
      await direct.close();
      throw err;
    }
  }
  return pollChangeCounter(deps, opts.pollMs ?? DEFAULT_POLL_MS);
}

async function readVersion(database: DatabaseHandle): Promise<string | undefined> {
  const { rows } = await sql<{ version: string }>`select version from access_key_version`.execute(database.db);
  return rows[0]?.version;
}

async function pollChangeCounter(deps: KeyChangeDeps, pollMs: number): Promise<KeyChangeFollower> {
  let seen = await readVersion(deps.database);
  let failing = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();

  const tick = async () => {
    try {
      const version = await readVersion(deps.database);
      if (version !== seen) deps.resolver.invalidate();
      seen = version;
      if (failing) deps.log.info("access-key change poll works again");
      failing = false;
    } catch (err) {
      // The database is away: requests fail anyway, and the counter keeps what happened meanwhile.
      if (!failing) deps.log.warn({ err: { message: (err as Error).message } }, "access-key change poll failed; retrying");
      failing = true;
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      round = tick().finally(schedule);
    }, pollMs);
    // A CLI command that opened the runtime must be able to exit while the poll waits.
    timer.unref();
  };
  schedule();
  return {
    source: "poll",
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await round;
    },
  };
}
