// Embedded Postgres: the real server from the platform package, run as a child of idplane in
// <dataDir>/postgres, private to it, stopped with it. One idplane process owns the server (the
// idplane.pid lock); the CLI may attach to it while it runs (attach: true) through postgres.json,
// and otherwise starts its own for the length of the command.
import { chmodSync, existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Logger } from "../../log.js";
import { alive, EmbeddedDatabaseBusy, lockDataDir } from "../embedded-lock.js";
import { locateBinaries } from "./binaries.js";
import { ensureCluster, readConnection, urlOf, writeConnection } from "./cluster.js";
import { canRun, EmbeddedPostgresUnusable, giveDataDir, reachableBy, runUser } from "./run-user.js";
import { startServer } from "./server.js";

export interface EmbeddedPostgres {
  url: string;
  describe: string;
  /** Whether the server is another idplane process's (this one attached to it). */
  attached: boolean;
  /** Stops the server when this process started it. */
  close(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  log?: Pick<Logger, "info" | "warn"> | undefined;
  /** Connect to the server another idplane process runs on this directory instead of refusing. */
  attach?: boolean;
  /** Extra server settings (the test suite turns fsync off). */
  settings?: Record<string, string>;
}

export { EmbeddedPostgresUnusable } from "./run-user.js";

export const clusterDir = (dataDir: string) => join(dataDir, "postgres");

export async function openEmbeddedPostgres(dataDir: string, opts: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  let release: () => void;
  try {
    release = lockDataDir(dataDir);
  } catch (err) {
    const running = readConnection(dataDir);
    if (opts.attach && err instanceof EmbeddedDatabaseBusy && running?.port && running.ownerPid === err.pid) {
      return {
        url: urlOf(running),
        describe: `embedded Postgres of the running idplane (pid ${err.pid}) on 127.0.0.1:${running.port}`,
        attached: true,
        close: async () => {},
      };
    }
    throw err;
  }
  try {
    const cluster = clusterDir(dataDir);
    const binaries = locateBinaries(join(dataDir, "lib"));
    const user = runUser();
    if (user) {
      // Checked before anything is handed over, so a fallback to PGlite finds the directory as it was.
      const unreachable = reachableBy(user, dirname(resolve(dataDir)));
      if (unreachable) throw new EmbeddedPostgresUnusable(`${unreachable}; Postgres refuses to run as root`);
      giveDataDir(dataDir, cluster, user);
      const why = canRun(user, binaries.postgres, binaries.env);
      if (why) {
        chmodSync(dataDir, 0o700);
        throw new EmbeddedPostgresUnusable(`${why}; Postgres refuses to run as root`);
      }
    }
    const { info, created } = await ensureCluster(dataDir, cluster, binaries, user);
    await waitForOldPostmaster(cluster);
    const server = await startServer({
      cluster,
      logFile: join(dataDir, "postgres.log"),
      binaries,
      user,
      ...(opts.settings && { settings: opts.settings }),
    });
    writeConnection(dataDir, { ...info, port: server.port, ownerPid: process.pid });
    opts.log?.info(
      { created, port: server.port, runAs: user?.name },
      created ? "embedded Postgres cluster created and started" : "embedded Postgres started",
    );
    return {
      url: urlOf({ ...info, port: server.port }),
      describe: `embedded Postgres at ${cluster} (127.0.0.1:${server.port}${user ? `, run as ${user.name}` : ""})`,
      attached: false,
      close: async () => {
        try {
          await server.stop();
          writeConnection(dataDir, info);
        } finally {
          release();
        }
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}

/**
 * After a kill -9 the watchdog stops the old postmaster, which takes a moment; a restart in that
 * moment would find its postmaster.pid and fail. Waits (boundedly) for that postmaster to be gone.
 */
async function waitForOldPostmaster(cluster: string): Promise<void> {
  const file = join(cluster, "postmaster.pid");
  for (let i = 0; i < 600 && existsSync(file); i++) {
    const pid = Number(readFileSync(file, "utf8").split("\n")[0]);
    if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}
