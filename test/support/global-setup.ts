// Chooses the database every test file uses, once: DATABASE_URL when set, a throwaway Postgres from
// testcontainers where Docker is reachable, otherwise embedded PGlite (one in-memory database per
// test file). Says which, so a green run on PGlite is never mistaken for a run on Postgres.
// With TEST_THROUGH_PGBOUNCER=1 (`npm run test:pgbouncer`) it starts a PgBouncer of its own in
// transaction mode in front of DATABASE_URL's server, and every test connects through it with
// DATABASE_POOLER=pgbouncer, as a deployment behind PgBouncer does.
import { existsSync } from "node:fs";
import type { TestProject } from "vitest/node";
import type { DatabasePooler } from "../../src/config.js";
import { startPgbouncer } from "./pgbouncer.js";

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

export default async function setup(project: TestProject) {
  project.provide("databasePooler", "none");
  project.provide("directDatabaseUrl", process.env.DATABASE_URL);
  if (process.env.TEST_THROUGH_PGBOUNCER === "1") {
    if (!process.env.DATABASE_URL) throw new Error("TEST_THROUGH_PGBOUNCER=1 needs DATABASE_URL (the Postgres behind PgBouncer)");
    const bouncer = await startPgbouncer(process.env.DATABASE_URL);
    const url = bouncer.url(process.env.DATABASE_URL);
    console.log(`[idplane tests] database: Postgres from DATABASE_URL through PgBouncer (transaction mode) on 127.0.0.1:${bouncer.port}`);
    project.provide("databaseUrl", url);
    project.provide("databasePooler", "pgbouncer");
    return () => bouncer.stop();
  }
  if (process.env.DATABASE_URL) {
    const u = new URL(process.env.DATABASE_URL);
    console.log(`[idplane tests] database: Postgres from DATABASE_URL (${u.hostname}:${u.port || 5432}${u.pathname})`);
    project.provide("databaseUrl", process.env.DATABASE_URL);
    return;
  }
  if (dockerReachable()) {
    try {
      const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
      const container = await new PostgreSqlContainer("postgres:16-alpine").start();
      console.log("[idplane tests] database: throwaway Postgres from testcontainers");
      project.provide("databaseUrl", container.getConnectionUri());
      project.provide("directDatabaseUrl", container.getConnectionUri());
      return async () => {
        await container.stop();
      };
    } catch (err) {
      console.log(`[idplane tests] testcontainers could not start Postgres (${(err as Error).message}); falling back`);
    }
  }
  console.log("[idplane tests] database: embedded PGlite, in memory (no DATABASE_URL and no Docker)");
  project.provide("databaseUrl", undefined);
}
