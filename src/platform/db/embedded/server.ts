// Runs a Postgres cluster as a child process: start on a free loopback port, wait until the
// postmaster says it is ready, stop. Loopback TCP with a password rather than a unix socket in the
// data directory: a socket path is limited to ~107 bytes (deep data directories would not fit), Windows
// clients have no unix sockets, and a postgres:// URL is what the CLI, the tests and every tool take.
// The port is reachable by other local users, hence scram-sha-256 with a generated password (kept in
// the private data directory); it is never exposed beyond 127.0.0.1.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import type { PostgresBinaries } from "./binaries.js";
import type { RunUser } from "./run-user.js";
import { canWatch, WATCHDOG_SCRIPT } from "./watchdog.js";

export interface ServerOptions {
  cluster: string;
  logFile: string;
  binaries: PostgresBinaries;
  user: RunUser | undefined;
  /** Extra settings (-c name=value), over the defaults below. */
  settings?: Record<string, string>;
  /** Bound of the wait for readiness (a loaded machine can take many seconds). */
  timeoutMs?: number;
}

export interface RunningServer {
  port: number;
  /** The watchdog shell (or postgres itself on Windows). */
  pid: number;
  /** Fast shutdown; resolves when every postgres process is gone. */
  stop(): Promise<void>;
  /** Resolves when postgres exits, for whatever reason. */
  exited: Promise<number | null>;
}

// Small and quiet: an embedded database for one service. shared_buffers bounds the shared memory that
// idle processes touch; io_method=sync saves Postgres 18's three I/O worker processes.
const DEFAULTS: Record<string, string> = {
  listen_addresses: "127.0.0.1",
  unix_socket_directories: "",
  shared_buffers: "32MB",
  max_connections: "50",
  io_method: "sync",
  huge_pages: "off",
  jit: "off",
  max_parallel_workers_per_gather: "0",
  // The log file is in the data directory; one line per connection would fill it.
  log_min_messages: "warning",
};

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  let lastError: Error | undefined;
  // A free port can be taken between the probe and postgres's bind: then another one.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await startOn(port, opts);
    } catch (err) {
      lastError = err as Error;
      if (!/could not bind|Address already in use/i.test(lastError.message)) throw err;
    }
  }
  throw lastError!;
}

async function startOn(port: number, opts: ServerOptions): Promise<RunningServer> {
  const settings = { ...DEFAULTS, ...opts.settings, port: String(port) };
  const args = [opts.binaries.postgres, "-D", opts.cluster, ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`])];
  const logFd = openSync(opts.logFile, "a", 0o600);
  const logStart = readText(opts.logFile).length;
  let child: ChildProcess;
  try {
    child = spawn(
      canWatch() ? "/bin/sh" : args[0]!,
      canWatch() ? ["-c", WATCHDOG_SCRIPT, "idplane-postgres-watchdog", ...args] : args.slice(1),
      {
        stdio: ["pipe", logFd, logFd],
        // Its own process group: Ctrl-C reaches idplane only, which drains requests before stopping postgres.
        detached: true,
        env: { ...process.env, ...opts.binaries.env, LC_ALL: "C" },
        ...(opts.user && { uid: opts.user.uid, gid: opts.user.gid }),
      },
    );
  } finally {
    closeSync(logFd);
  }
  // Neither the child nor the pipe keeps idplane's event loop alive; the pipe stays open until exit.
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  const exited = new Promise<number | null>((resolve) => {
    child.on("exit", (code) => resolve(code));
    // Not started at all (no /bin/sh, no binary): reported like an exit, with the log's reason.
    child.on("error", () => resolve(null));
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    // Held until postgres is gone, so a caller that exits right after stop() leaves nothing running.
    child.ref();
    if (canWatch()) child.stdin!.end();
    else child.kill("SIGINT");
    const gone = await Promise.race([exited.then(() => true), sleep(60_000, true).then(() => false)]);
    if (!gone) killGroup(child.pid!);
    await exited;
  };
  const ready = await waitReady(opts.cluster, exited, opts.timeoutMs ?? 120_000);
  if (ready !== true) {
    await stop();
    killGroup(child.pid!);
    const log = readText(opts.logFile).slice(logStart).trim();
    throw new Error(`embedded Postgres did not start (${ready}): ${log.split("\n").slice(-5).join(" | ") || "no log"}`);
  }
  return { port, pid: child.pid!, stop, exited };
}

/** true once postmaster.pid says "ready"; otherwise why not. */
async function waitReady(cluster: string, exited: Promise<number | null>, timeoutMs: number): Promise<true | string> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + timeoutMs;
  const pidFile = join(cluster, "postmaster.pid");
  while (Date.now() < deadline) {
    if (exitCode !== undefined) return `exited with code ${exitCode}`;
    // Line 8 of postmaster.pid is the postmaster's status; "ready" means it accepts connections.
    if (existsSync(pidFile) && readText(pidFile).split("\n")[7]?.trim() === "ready") return true;
    await sleep(15);
  }
  return `not ready within ${timeoutMs} ms`;
}

function killGroup(pid: number): void {
  try {
    process.kill(process.platform === "win32" ? pid : -pid, "SIGKILL");
  } catch {
    // already gone
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

const sleep = (ms: number, unref = false) =>
  new Promise<void>((r) => {
    const t = setTimeout(r, ms);
    if (unref) t.unref();
  });

/** A loopback port free at the time of asking (taken by the caller right after, or retried). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
