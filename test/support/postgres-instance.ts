// A throwaway Postgres server of the test's own, built from the machine's binaries, that a test may
// stop and start at will. Never the shared server on 5432: other tests and CI run against it.
// initdb refuses to run as root, so as root the binaries run as the postgres user (runuser).
import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const BIN_DIRS = ["/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/14/bin"];

export interface PostgresInstance {
  url: string;
  port: number;
  dir: string;
  start(): Promise<void>;
  /** Immediate stop: backends are killed, connections drop mid-query, like a crash. */
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

const binDir = () => BIN_DIRS.find((d) => existsSync(join(d, "initdb")) && existsSync(join(d, "pg_ctl")));
const isRoot = () => process.getuid?.() === 0;

/** Why a private Postgres cannot be made here, or undefined when it can. */
export function postgresUnavailableReason(): string | undefined {
  if (!binDir()) return `no Postgres server binaries (initdb, pg_ctl) in ${BIN_DIRS.join(", ")}`;
  if (isRoot() && !existsSync("/usr/sbin/runuser") && !existsSync("/sbin/runuser")) return "running as root without runuser (initdb refuses root)";
  return undefined;
}

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

export async function postgresUid(): Promise<{ uid: number; gid: number }> {
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run("id", ["-u", "postgres"]), run("id", ["-g", "postgres"])]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

async function pg(tool: string, args: string[]): Promise<void> {
  const bin = join(binDir()!, tool);
  const [cmd, argv] = isRoot() ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args];
  await run(cmd, argv, { timeout: 60_000 });
}

/** initdb into a fresh temporary directory and start it on a free loopback port. */
export async function createPostgresInstance(): Promise<PostgresInstance> {
  const reason = postgresUnavailableReason();
  if (reason) throw new Error(reason);
  const dir = mkdtempSync(join(tmpdir(), "idplane-pg-"));
  if (isRoot()) {
    const { uid, gid } = await postgresUid();
    chownSync(dir, uid, gid);
  }
  const data = join(dir, "data");
  // No fsync: this database lives for one test and is thrown away.
  await pg("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"]);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
  const instance: PostgresInstance = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    start: () => pg("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "server.log"), "-w", "-t", "30", "start"]),
    stop: () => pg("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]),
    async destroy() {
      await instance.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await instance.start();
  return instance;
}
