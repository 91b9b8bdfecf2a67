// A throwaway Postgres server of the test's own, built from the machine's binaries, that a test may
// stop and start at will, and streaming standbys of it for the failover test. Never the shared
// server on 5432: other tests and CI run against it.
// initdb refuses to run as root, so as root the binaries run as the postgres user (runuser).
import { execFile } from "node:child_process";
import { appendFileSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "../../../src/platform/db/embedded/server.js";

const run = promisify(execFile);
const BIN_DIRS = ["/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/14/bin"];

export interface PostgresInstance {
  url: string;
  port: number;
  dir: string;
  start(): Promise<void>;
  /** Immediate stop: backends are killed, connections drop mid-query, like a crash. */
  stop(): Promise<void>;
  /** A standby leaves recovery and takes writes (pg_ctl promote, waits until it does). */
  promote(): Promise<void>;
  destroy(): Promise<void>;
}

const binDir = () => BIN_DIRS.find((d) => existsSync(join(d, "initdb")) && existsSync(join(d, "pg_ctl")));
const isRoot = () => process.getuid?.() === 0;

/** Why a private Postgres cannot be made here, or undefined when it can. */
export function postgresUnavailableReason(): string | undefined {
  if (!binDir()) return `no Postgres server binaries (initdb, pg_ctl) in ${BIN_DIRS.join(", ")}`;
  if (isRoot() && !existsSync("/usr/sbin/runuser") && !existsSync("/sbin/runuser"))
    return "running as root without runuser (initdb refuses root)";
  return undefined;
}

// One free-port probe for the service's embedded Postgres and the suite's own servers.
export { freePort };

export async function postgresUid(): Promise<{ uid: number; gid: number }> {
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run("id", ["-u", "postgres"]), run("id", ["-g", "postgres"])]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

async function pg(tool: string, args: string[]): Promise<void> {
  const bin = join(binDir()!, tool);
  const [cmd, argv] = isRoot() ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args];
  await run(cmd, argv, { timeout: 60_000 });
}

export interface InstanceOptions {
  /** Server settings for this instance only (`-c name=value` on its command line, never copied to a standby). */
  settings?: Record<string, string>;
}

async function ownTempDir(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "idplane-pg-"));
  if (isRoot()) {
    const { uid, gid } = await postgresUid();
    chownSync(dir, uid, gid);
  }
  return dir;
}

/** The handle on a data directory in `dir`, served on a free loopback port; not started yet. */
async function instanceIn(dir: string, opts: InstanceOptions): Promise<PostgresInstance> {
  const data = join(dir, "data");
  const port = await freePort();
  const settings = Object.entries({ listen_addresses: "127.0.0.1", fsync: "off", max_connections: "50", ...opts.settings });
  const options = [`-p ${port} -k ${dir}`, ...settings.map(([k, v]) => `-c ${k}=${v}`)].join(" ");
  const instance: PostgresInstance = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    start: () => pg("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "server.log"), "-w", "-t", "30", "start"]),
    stop: () => pg("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]),
    promote: () => pg("pg_ctl", ["-D", data, "-w", "-t", "30", "promote"]),
    async destroy() {
      await instance.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return instance;
}

/** initdb into a fresh temporary directory and start it on a free loopback port. */
export async function createPostgresInstance(opts: InstanceOptions = {}): Promise<PostgresInstance> {
  const reason = postgresUnavailableReason();
  if (reason) throw new Error(reason);
  const dir = await ownTempDir();
  // No fsync: this database lives for one test and is thrown away.
  await pg("initdb", ["-D", join(dir, "data"), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"]);
  const instance = await instanceIn(dir, opts);
  await instance.start();
  return instance;
}

/**
 * A streaming standby of `primary` (pg_basebackup, standby.signal), started on a port of its own and
 * known to the primary by `name` (its application_name, what synchronous_standby_names lists).
 * initdb's pg_hba.conf already trusts replication connections from 127.0.0.1.
 */
export async function createStandby(primary: PostgresInstance, name: string, opts: InstanceOptions = {}): Promise<PostgresInstance> {
  const dir = await ownTempDir();
  const data = join(dir, "data");
  await pg("pg_basebackup", ["-h", "127.0.0.1", "-p", String(primary.port), "-U", "postgres", "-D", data, "-X", "stream", "--no-sync"]);
  // In its own conf file (the primary's settings travel on the primary's command line, not here).
  appendFileSync(
    join(data, "postgresql.conf"),
    `primary_conninfo = 'host=127.0.0.1 port=${primary.port} user=postgres application_name=${name}'\n`,
  );
  writeFileSync(join(data, "standby.signal"), "");
  if (isRoot()) {
    const { uid, gid } = await postgresUid();
    chownSync(join(data, "standby.signal"), uid, gid);
  }
  const instance = await instanceIn(dir, opts);
  await instance.start();
  return instance;
}
