// The embedded data directory is private to the service's user: the database files hold sealed
// secrets, password hashes, and queued reset links whose tokens are readable in the WAL. The
// directory is created 0700; the process umask is set to 077 before PGlite writes anything (it
// unpacks its initial cluster with 0644/0755 modes, and writes WAL and relation files as it runs);
// and at every start what idplane keeps there (pgdata/ and master.key) is checked and tightened, which
// also repairs a directory left world-readable by a version before this one.
import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";

/** Group and other permission bits: none may be set on anything in the data directory. */
const OPEN_BITS = 0o077;
/** What idplane writes in the data directory; anything else there is the operator's. */
const OWNED = ["pgdata", "pgdata.pglite-backup", "master.key", "postgres", "postgres.json", "postgres.log", "lib"];

/**
 * Makes sure the data directory exists with mode 0700 and that files the process creates from now on
 * are owner-only. Parents are created as usual (they are the operator's).
 */
export function preparePrivateDir(dir: string): void {
  mkdirSync(dirname(dir), { recursive: true });
  setPrivateUmask();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

function setPrivateUmask(): void {
  try {
    // Process-wide, and kept: the embedded database keeps creating files (WAL segments, relations).
    // In embedded mode the data directory is all the process writes.
    process.umask(process.umask() | OPEN_BITS);
  } catch {
    // Worker threads cannot set the umask; tightenPrivateDir still repairs what start-up wrote.
  }
}

/**
 * Removes group and other permissions from the data directory itself and from everything under what
 * idplane keeps in it. Symbolic links are neither followed nor changed. Returns how many entries had
 * to be tightened (0 when all was private already), for the one log line that says so.
 */
export function tightenPrivateDir(dir: string): number {
  let tightened = 0;
  const tighten = (path: string, mode: number) => {
    if ((mode & OPEN_BITS) === 0) return;
    chmodSync(path, mode & 0o7700);
    tightened++;
  };
  const walk = (path: string) => {
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(path);
    } catch {
      return; // gone meanwhile (PGlite removes temporary files) or never created
    }
    if (st.isSymbolicLink()) return;
    tighten(path, st.mode & 0o7777);
    if (st.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  // Run as root, embedded Postgres runs as another user, whose group may pass through the directory
  // (0710, src/platform/db/embedded/run-user.ts) to reach the cluster it owns; nothing more.
  const top = statSync(dir);
  const traverse = typeof process.getgid === "function" && top.gid !== process.getgid() ? 0o010 : 0;
  if ((top.mode & OPEN_BITS & ~traverse) !== 0) {
    chmodSync(dir, top.mode & (0o7700 | traverse));
    tightened++;
  }
  for (const name of OWNED) walk(join(dir, name));
  return tightened;
}
