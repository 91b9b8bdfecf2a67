// Postgres refuses to run as root ("root" execution of the PostgreSQL server is not permitted), and
// initdb too. When idplane runs as root (containers, CI), both run as an unprivileged OS user that
// owns the data directory: `postgres` when the system has one, else `nobody`. The directory stays
// 0700; root keeps reaching it (root ignores modes), nobody else can.
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The setup cannot work for this user or machine; an automatic engine choice falls back to PGlite. */
export class EmbeddedPostgresUnusable extends Error {}

export interface RunUser {
  name: string;
  uid: number;
  gid: number;
}

/** The user to run Postgres as, or undefined when this process is not root (Postgres then runs as us). */
export function runUser(): RunUser | undefined {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined;
  const wanted = process.env.ID_EMBEDDED_POSTGRES_USER;
  const passwd = readPasswd();
  for (const name of wanted ? [wanted] : ["postgres", "nobody"]) {
    const user = passwd.find((u) => u.name === name);
    if (user && user.uid !== 0) return user;
  }
  throw new EmbeddedPostgresUnusable(
    `running as root, embedded Postgres needs an unprivileged OS user to run as, and ${wanted ?? "neither postgres nor nobody"} exists; set ID_EMBEDDED_POSTGRES_USER`,
  );
}

function readPasswd(): RunUser[] {
  try {
    return readFileSync("/etc/passwd", "utf8")
      .split("\n")
      .map((line) => line.split(":"))
      .filter((f) => f.length >= 4)
      .map((f) => ({ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]) }));
  } catch {
    return [];
  }
}

/**
 * Gives the user what Postgres uses (the cluster directory and the private library copy), and no
 * more. The data directory itself stays the process user's, open to the run user's group for
 * traversal only (0710): owning it, that user could replace master.key, postgres.json or the lock
 * beside the cluster (issue 22). A directory an earlier version gave away is taken back here.
 */
export function giveDataDir(dataDir: string, cluster: string, user: RunUser): void {
  chownSync(dataDir, process.getuid!(), user.gid);
  chmodSync(dataDir, 0o710);
  for (const path of [cluster, join(dataDir, "lib")]) if (existsSync(path)) chownTree(path, user);
}

/** Gives the user the directory and everything in it (links are not followed). */
export function chownTree(path: string, user: RunUser): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return;
  if (st.uid !== user.uid || st.gid !== user.gid) chownSync(path, user.uid, user.gid);
  if (st.isDirectory()) for (const name of readdirSync(path)) chownTree(join(path, name), user);
}

/** Whether the user can pass through dir (the data directory's parent): a data directory below a 0700 home is out of its reach. */
export function reachableBy(user: RunUser, dir: string): string | undefined {
  const pass = spawnSync("/bin/sh", ["-c", 'test -x "$1"', "sh", dir], { uid: user.uid, gid: user.gid, timeout: 60_000 });
  return pass.status === 0 ? undefined : `the ${user.name} user cannot reach ${dir} (a parent directory is closed to it)`;
}

/** Whether the user can run the binary (node_modules under /root is out of its reach). Asked of the system itself, as that user. */
export function canRun(user: RunUser, postgres: string, env: Record<string, string>): string | undefined {
  const run = spawnSync(postgres, ["--version"], {
    uid: user.uid,
    gid: user.gid,
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return run.status === 0
    ? undefined
    : `the ${user.name} user cannot run ${postgres} (${(run.stderr || run.error?.message || "").trim().split("\n")[0]})`;
}
