// One process at a time owns an embedded data directory. PGlite is a single-process database: a second
// process (the CLI while the server runs, or a second server) that opens the same files corrupts its
// view of them and dies with a WASM "Aborted()". Embedded Postgres is owned (started and stopped) by
// one process; the CLI attaches to it (src/platform/db/embedded/index.ts). The first opener writes its pid to <dataDir>/idplane.pid;
// another opener finds a live pid there and is told, in one line, what to do instead.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";

export class EmbeddedDatabaseBusy extends Error {
  constructor(
    message: string,
    readonly pid?: number,
  ) {
    super(message);
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the data directory for this process; returns the release function. */
export function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, "idplane.pid");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = Number(readFileSync(file, "utf8").trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new EmbeddedDatabaseBusy(
          `the embedded database in ${dataDir} is in use by another idplane process (pid ${pid}); stop that process first, or run both on Postgres (DATABASE_URL)`,
          pid,
        );
      }
      // Left behind by a process that is gone (a crash, kill -9): take it over.
      rmSync(file, { force: true });
    }
  }
  throw new EmbeddedDatabaseBusy(`could not take ${file}`);
}
