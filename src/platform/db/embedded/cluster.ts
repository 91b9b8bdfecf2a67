// Creates the cluster on first start (initdb) and keeps what a client needs to reach it in
// <dataDir>/postgres.json (0600): the generated superuser password, and while a server runs, its port
// and the pid of the idplane process that owns it. The CLI reads it to connect next to a running server.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PostgresBinaries } from "./binaries.js";
import { chownTree, type RunUser } from "./run-user.js";

export interface ConnectionInfo {
  user: string;
  password: string;
  database: string;
  /** Set while a server runs. */
  port?: number;
  ownerPid?: number;
}

export const SUPERUSER = "postgres";

export const connectionFile = (dataDir: string) => join(dataDir, "postgres.json");

export function readConnection(dataDir: string): ConnectionInfo | undefined {
  try {
    return JSON.parse(readFileSync(connectionFile(dataDir), "utf8")) as ConnectionInfo;
  } catch {
    return undefined;
  }
}

/** Written whole then renamed: a reader never sees half a file. */
export function writeConnection(dataDir: string, info: ConnectionInfo): void {
  const tmp = `${connectionFile(dataDir)}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(info) + "\n", { mode: 0o600 });
  renameSync(tmp, connectionFile(dataDir));
}

export const urlOf = (info: ConnectionInfo) =>
  `postgres://${info.user}:${encodeURIComponent(info.password)}@127.0.0.1:${info.port}/${info.database}`;

export const isCluster = (cluster: string) => existsSync(join(cluster, "PG_VERSION"));

/**
 * Runs initdb when the cluster does not exist yet; returns the connection info (password included).
 * initdb runs with --no-sync (1.5 s less on a first start); the files are flushed right after, in
 * the background, before anything of value can be written.
 */
export async function ensureCluster(
  dataDir: string,
  cluster: string,
  binaries: PostgresBinaries,
  user: RunUser | undefined,
): Promise<{ info: ConnectionInfo; created: boolean }> {
  const known = readConnection(dataDir);
  if (isCluster(cluster) && known)
    return { info: { user: known.user, password: known.password, database: known.database }, created: false };
  const info: ConnectionInfo = { user: SUPERUSER, password: randomBytes(24).toString("base64url"), database: "postgres" };
  // postmaster.opts is written by every server start: this cluster ran, and may hold data, but its
  // password went with postgres.json. A new password, set in single-user mode (which asks for none).
  if (isCluster(cluster) && existsSync(join(cluster, "postmaster.opts"))) {
    await run(
      binaries.postgres,
      ["--single", "-D", cluster, "-c", "io_method=sync", "postgres"],
      binaries,
      user,
      `alter role ${SUPERUSER} password '${info.password}'\n`,
    );
    writeConnection(dataDir, info);
    return { info, created: false };
  }
  // Never started: a half-made cluster (initdb interrupted) is no use, start again.
  rmSync(cluster, { recursive: true, force: true });
  // Empty and the run user's: initdb fills it, and could not create it in the data directory, which
  // stays the process user's (run-user.ts).
  mkdirSync(cluster, { mode: 0o700 });
  if (user) chownTree(cluster, user);
  const pwfile = join(dataDir, "initdb.pw");
  writeFileSync(pwfile, info.password + "\n", { mode: 0o600 });
  if (user) chownTree(pwfile, user);
  try {
    await run(
      binaries.initdb,
      [
        "-D",
        cluster,
        "-U",
        SUPERUSER,
        "--auth=scram-sha-256",
        `--pwfile=${pwfile}`,
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync",
        "--no-instructions",
      ],
      binaries,
      user,
    );
  } finally {
    rmSync(pwfile, { force: true });
  }
  writeConnection(dataDir, info);
  flushInBackground(cluster);
  return { info, created: true };
}

function run(cmd: string, args: string[], binaries: PostgresBinaries, user: RunUser | undefined, input?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: [input === undefined ? "ignore" : "pipe", "ignore", "pipe"],
      env: { ...process.env, ...binaries.env, LC_ALL: "C" },
      ...(user && { uid: user.uid, gid: user.gid }),
    });
    let err = "";
    child.stderr!.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${cmd.split(/[\\/]/).pop()} failed (code ${code}): ${err.trim().split("\n").slice(-3).join(" | ")}`)),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

function flushInBackground(cluster: string): void {
  if (process.platform === "win32") return;
  const args = process.platform === "linux" ? ["-f", cluster] : [];
  const child = spawn("sync", args, { stdio: "ignore" });
  child.on("error", () => {});
  child.unref();
}
