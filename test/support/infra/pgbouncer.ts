// A PgBouncer of the test's (or script's) own in transaction mode, in front of a Postgres server, on a
// free loopback port (never 5432) with its files in a temporary directory; stopped by its pid. Used by
// the suite's PgBouncer pass (global-setup.ts), test/reliability/pgbouncer.test.ts, the load-balancer
// test and `npm run scale`. Debian's package: `apt-get install -y pgbouncer` (.ci/run does it).
import { spawn, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, postgresUid } from "./postgres-instance.js";

const BINARY = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer", "/usr/local/bin/pgbouncer"];
const isRoot = () => process.getuid?.() === 0;

export interface Pgbouncer {
  port: number;
  pid: number;
  /** The Postgres URL with host and port replaced by PgBouncer's (same user and database). */
  url(databaseUrl: string): string;
  /** PgBouncer's own log, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export interface PgbouncerOptions {
  /** Server connections per database and user (default_pool_size). */
  poolSize?: number;
  maxClientConnections?: number;
}

export const pgbouncerBinary = () => BINARY.find((b) => existsSync(b));

/** Why PgBouncer cannot be started here, or undefined when it can. */
export function pgbouncerUnavailableReason(): string | undefined {
  return pgbouncerBinary() ? undefined : "pgbouncer is not installed (apt-get install -y pgbouncer)";
}

function waitForPort(port: number, child: ChildProcess, log: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`pgbouncer exited ${child.exitCode}:\n${log()}`));
      const s = connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        resolve();
      });
      s.once("error", () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`pgbouncer did not listen on ${port}:\n${log()}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/**
 * Starts PgBouncer (pool_mode = transaction) in front of the Postgres server of `databaseUrl`. Every
 * database name is forwarded (`*`), so tests that create databases of their own work through it.
 */
export async function startPgbouncer(databaseUrl: string, opts: PgbouncerOptions = {}): Promise<Pgbouncer> {
  const binary = pgbouncerBinary();
  if (!binary) throw new Error(pgbouncerUnavailableReason());
  const upstream = new URL(databaseUrl);
  const user = decodeURIComponent(upstream.username || "postgres");
  const dir = mkdtempSync(join(tmpdir(), "idplane-pgbouncer-"));
  const port = await freePort();
  // Trust on loopback, as the shared test server does; the password (if any) travels to Postgres.
  writeFileSync(join(dir, "users.txt"), `"${user}" "${decodeURIComponent(upstream.password)}"\n`);
  writeFileSync(
    join(dir, "pgbouncer.ini"),
    [
      "[databases]",
      `* = host=${upstream.hostname} port=${upstream.port || 5432}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "auth_type = trust",
      `auth_file = ${join(dir, "users.txt")}`,
      "pool_mode = transaction",
      `default_pool_size = ${opts.poolSize ?? 20}`,
      `max_client_conn = ${opts.maxClientConnections ?? 500}`,
      `logfile = ${join(dir, "pgbouncer.log")}`,
      "",
    ].join("\n"),
  );
  // PgBouncer refuses to run as root: as root it switches to the postgres user (-u).
  if (isRoot()) {
    const { uid, gid } = await postgresUid();
    for (const f of ["", "users.txt", "pgbouncer.ini"]) chownSync(join(dir, f), uid, gid);
  }
  const child = spawn(binary, [...(isRoot() ? ["-u", "postgres"] : []), join(dir, "pgbouncer.ini")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const log = () => {
    const file = join(dir, "pgbouncer.log");
    return stderr + (existsSync(file) ? readFileSync(file, "utf8").split("\n").slice(-30).join("\n") : "");
  };
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await waitForPort(port, child, log);
  } catch (err) {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    port,
    pid: child.pid!,
    url(u) {
      const url = new URL(u);
      url.hostname = "127.0.0.1";
      url.port = String(port);
      return url.toString();
    },
    log,
    async stop() {
      // SIGTERM is an immediate shutdown in 1.18 (1.23 made it wait for clients): SIGKILL after 3 s.
      if (child.exitCode === null) child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(killer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
