// Chooses the database every test file uses, once: DATABASE_URL when set, a throwaway Postgres from
// testcontainers where Docker is reachable, otherwise embedded PGlite (one in-memory database per
// test file). Says which, so a green run on PGlite is never mistaken for a run on Postgres.
import { existsSync } from "node:fs";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string | undefined;
  }
}

function dockerReachable(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync("/var/run/docker.sock");
}

export default async function setup(project: TestProject) {
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
