// Chooses the database every test file uses, once: DATABASE_URL when set, a throwaway Postgres from
// testcontainers where Docker is reachable, otherwise the embedded engine users run by default:
// embedded Postgres in a temporary directory (fsync off: the cluster is thrown away), or PGlite (one
// in-memory database per test file) where there are no Postgres binaries or ID_EMBEDDED_ENGINE=pglite.
// Says which, so a green run on PGlite is never mistaken for a run on Postgres.
// With TEST_THROUGH_PGBOUNCER=1 (`npm run test:pgbouncer`) it starts a PgBouncer of its own in
// transaction mode in front of DATABASE_URL's server, and every test connects through it with
// DATABASE_POOLER=pgbouncer, as a deployment behind PgBouncer does.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ProvidedContext } from "vitest";
import type { TestProject } from "vitest/node";
import type { DatabasePooler } from "../../src/platform/config.js";
import { chooseEngine } from "../../src/platform/db/embedded/engine.js";
import { openEmbeddedPostgres } from "../../src/platform/db/embedded/index.js";
import { startPgbouncer } from "./infra/pgbouncer.js";
import { scratchPrefix } from "./infra/scratch.js";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string | undefined;
    /** "pgbouncer" when databaseUrl goes through the suite's PgBouncer. */
    databasePooler: DatabasePooler;
    /** The same database past any pooler (for what must not go through it: LISTEN, admin work). */
    directDatabaseUrl: string | undefined;
  }
}

function dockerReachable(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync("/var/run/docker.sock");
}

type Provided = { [K in "databaseUrl" | "databasePooler" | "directDatabaseUrl"]: ProvidedContext[K] };
type Provide = <K extends keyof Provided>(key: K, value: Provided[K]) => void;

// Vitest runs a global setup once per project (api and reliability both need the database): the
// first call chooses and starts it, the others reuse it, and the last teardown stops it.
const shared = globalThis as {
  idplaneTestDatabase?: { ready: Promise<{ values: Partial<Provided>; stop?: () => unknown }>; users: number };
};

export default async function setup(project: TestProject) {
  const db = (shared.idplaneTestDatabase ??= {
    users: 0,
    ready: (async () => {
      const values: Partial<Provided> = {};
      const stop = await chooseDatabase((key, value) => (values[key] = value));
      return { values, ...(stop ? { stop } : {}) };
    })(),
  });
  db.users++;
  const { values, stop } = await db.ready;
  for (const [key, value] of Object.entries(values)) project.provide(key as keyof Provided, value as never);
  return async () => {
    if (--db.users > 0) return;
    delete shared.idplaneTestDatabase;
    await stop?.();
    // This run's scratch directories, named after this process (test/support/infra/scratch.ts).
    for (const name of readdirSync(tmpdir()))
      if (name.startsWith(scratchPrefix(process.pid))) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  };
}

async function chooseDatabase(provide: Provide): Promise<(() => unknown) | undefined> {
  provide("databasePooler", "none");
  provide("directDatabaseUrl", process.env.DATABASE_URL);
  if (process.env.TEST_THROUGH_PGBOUNCER === "1") {
    if (!process.env.DATABASE_URL) throw new Error("TEST_THROUGH_PGBOUNCER=1 needs DATABASE_URL (the Postgres behind PgBouncer)");
    const bouncer = await startPgbouncer(process.env.DATABASE_URL);
    const url = bouncer.url(process.env.DATABASE_URL);
    console.log(`[idplane tests] database: Postgres from DATABASE_URL through PgBouncer (transaction mode) on 127.0.0.1:${bouncer.port}`);
    provide("databaseUrl", url);
    provide("databasePooler", "pgbouncer");
    return () => bouncer.stop();
  }
  if (process.env.DATABASE_URL) {
    const u = new URL(process.env.DATABASE_URL);
    console.log(`[idplane tests] database: Postgres from DATABASE_URL (${u.hostname}:${u.port || 5432}${u.pathname})`);
    provide("databaseUrl", process.env.DATABASE_URL);
    return;
  }
  if (dockerReachable()) {
    try {
      const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
      const container = await new PostgreSqlContainer("postgres:16-alpine").start();
      console.log("[idplane tests] database: throwaway Postgres from testcontainers");
      provide("databaseUrl", container.getConnectionUri());
      provide("directDatabaseUrl", container.getConnectionUri());
      return async () => {
        await container.stop();
      };
    } catch (err) {
      console.log(`[idplane tests] testcontainers could not start Postgres (${(err as Error).message}); falling back`);
    }
  }
  const engine = chooseEngine(process.env.ID_EMBEDDED_ENGINE === "pglite" ? "pglite" : undefined);
  if (engine.engine === "postgres") {
    const parent = mkdtempSync(join(tmpdir(), "idplane-tests-"));
    // mkdtemp makes it 0700; as root, Postgres runs as another user who must pass through it.
    chmodSync(parent, 0o755);
    const dataDir = join(parent, "data");
    // Not preparePrivateDir: its umask would pass to every test process forked after this.
    mkdirSync(dataDir, { mode: 0o700 });
    const server = await openEmbeddedPostgres(dataDir, {
      settings: { fsync: "off", synchronous_commit: "off", full_page_writes: "off", max_connections: "400", shared_buffers: "64MB" },
    });
    console.log(`[idplane tests] database: embedded Postgres (no DATABASE_URL and no Docker), ${server.describe}`);
    provide("databaseUrl", server.url);
    provide("directDatabaseUrl", server.url);
    return async () => {
      await server.close();
      rmSync(parent, { recursive: true, force: true });
    };
  }
  console.log(`[idplane tests] database: embedded PGlite, in memory (no DATABASE_URL and no Docker; ${engine.reason})`);
  provide("databaseUrl", undefined);
  return undefined;
}
