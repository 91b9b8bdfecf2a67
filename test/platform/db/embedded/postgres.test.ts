// Issue 16: embedded Postgres, the default embedded engine. Real servers, real signals: the engine
// starts, stops and restarts with its data; its files are private; no postgres process outlives
// idplane, whether it is stopped by SIGTERM, SIGINT or killed with -9; the CLI works next to a running
// server; a PGlite data directory of an earlier version is copied over with its rows. This process
// runs as root in CI, so the root path (postgres run as an unprivileged user) is what runs there.
// (An in-process test cannot take the data directory twice: the lock is per process.)
import { execFile } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { connectDatabase } from "../../../../src/platform/db/connect.js";
import { clusterDir } from "../../../../src/platform/db/embedded/index.js";
import { nativeDir } from "../../../../src/platform/db/embedded/binaries.js";
import { childClient, childEnv, startChild, stopChild, type Child } from "../../../support/infra/child-server.js";

const parent = mkdtempSync(join(tmpdir(), "idplane-embedded-"));
// As root, postgres runs as another user, who must pass through the parents (mkdtemp makes it 0700,
// and the first test leaves this process, whose umask children inherit, with a private umask).
chmodSync(parent, 0o755);
for (const dir of ["server", "upgrade"]) mkdirSync(join(parent, dir), { mode: 0o755 });
for (const dir of ["server", "upgrade"]) chmodSync(join(parent, dir), 0o755);
afterAll(() => rmSync(parent, { recursive: true, force: true }));
const asRoot = process.getuid?.() === 0;
const run = promisify(execFile);

/** pid -> command line of every process (any user). */
function processTable(): Map<number, { ppid: number; cmd: string }> {
  const table = new Map<number, { ppid: number; cmd: string }>();
  for (const pid of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
      // Field 4 of stat, after the parenthesised name (which may hold spaces), is the parent pid.
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      table.set(Number(pid), { ppid: Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]), cmd });
    } catch {
      // gone meanwhile
    }
  }
  return table;
}

/**
 * The postgres tree of a data directory: the processes whose command line names it (the watchdog,
 * the postmaster) and all their descendants (workers and backends, which have titles of their own).
 */
function processesOf(dir: string): string[] {
  const table = processTable();
  const tree = new Set([...table].filter(([pid, p]) => p.cmd.includes(dir) && pid !== process.pid).map(([pid]) => pid));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, p] of table) if (!tree.has(pid) && tree.has(p.ppid)) tree.add(pid), (grew = true);
  }
  return [...tree].map((pid) => `${pid} ${table.get(pid)!.cmd.slice(0, 100)}`);
}

/** Which of a snapshot's processes still run (same pid, same command line), after a bounded wait. */
async function survivors(snapshot: string[]): Promise<string[]> {
  const alive = () => {
    const table = processTable();
    return snapshot.filter((entry) => {
      const [pid, ...cmd] = entry.split(" ");
      return table.get(Number(pid))?.cmd.slice(0, 100) === cmd.join(" ");
    });
  };
  for (let i = 0; i < 600 && alive().length; i++) await new Promise((r) => setTimeout(r, 100));
  return alive();
}

/** The processes still running under `dir` once they had a bounded while to exit (a busy machine reaps slowly). */
async function processesLeftUnder(dir: string): Promise<string[]> {
  for (let i = 0; i < 600 && processesOf(dir).length; i++) await new Promise((r) => setTimeout(r, 100));
  return processesOf(dir);
}

const mode = (path: string) => statSync(path).mode & 0o777;

describe.runIf(nativeDir())("embedded Postgres", () => {
  it("starts, stops and restarts with its data (even without its password file), in a private directory owned by the user postgres runs as", {
    timeout: 600_000,
  }, async () => {
    const dataDir = join(parent, "engine");
    const open = async () => {
      // connectDatabase creates the directory 0700 with a private umask, as the server does.
      const handle = await connectDatabase({ dataDir, embeddedEngine: "postgres", maxConnections: 2 });
      return handle;
    };
    let db = await open();
    try {
      expect(db.kind).toBe("postgres");
      expect(db.describe).toMatch(/^embedded Postgres at /);
      await sql`create table kept (v text)`.execute(db.db);
      await sql`insert into kept values ('survives a restart')`.execute(db.db);
      // As root the run user's group may pass through the directory (test/platform/master-key-owner.test.ts).
      expect(mode(dataDir)).toBe(asRoot ? 0o710 : 0o700);
      expect(mode(clusterDir(dataDir))).toBe(0o700);
      expect(mode(join(dataDir, "postgres.json"))).toBe(0o600);
      if (asRoot) {
        // Postgres refuses root: the cluster belongs to an unprivileged user, the directory stays root's.
        expect(statSync(clusterDir(dataDir)).uid).not.toBe(0);
        expect(statSync(dataDir).uid).toBe(0);
      }
      expect(processesOf(dataDir).length).toBeGreaterThan(1);
    } finally {
      await db.close();
    }
    expect(await processesLeftUnder(dataDir)).toEqual([]);
    expect(existsSync(join(clusterDir(dataDir), "postmaster.pid"))).toBe(false);
    db = await open();
    try {
      expect((await sql<{ v: string }>`select v from kept`.execute(db.db)).rows).toEqual([{ v: "survives a restart" }]);
    } finally {
      await db.close();
    }
    // postgres.json (the password) lost: the cluster and its rows stay, with a new password.
    rmSync(join(dataDir, "postgres.json"));
    db = await open();
    try {
      expect((await sql<{ v: string }>`select v from kept`.execute(db.db)).rows).toEqual([{ v: "survives a restart" }]);
    } finally {
      await db.close();
    }
  });

  it.runIf(asRoot)(
    "runs for a normal user as well (here: nobody), as that user, with no other user involved",
    { timeout: 600_000 },
    async () => {
      const nobody = readFileSync("/etc/passwd", "utf8")
        .split("\n")
        .map((l) => l.split(":"))
        .find((f) => f[0] === "nobody");
      const [uid, gid] = [Number(nobody![2]), Number(nobody![3])];
      // The user's own directory, as a home would be.
      const home = join(parent, "home-of-nobody");
      mkdirSync(home);
      chownSync(home, uid, gid);
      const dataDir = join(home, ".idplane");
      const { stdout } = await run(process.execPath, ["--import", "tsx", "test/support/infra/embedded-open.ts", dataDir], {
        uid,
        gid,
        env: { PATH: process.env.PATH!, HOME: home },
        timeout: 300_000,
      });
      const seen = JSON.parse(stdout);
      expect(seen).toMatchObject({ kind: "postgres", rows: [{ v: "as a normal user" }] });
      // Not root: postgres runs as the caller, no user switch.
      expect(seen.describe).not.toMatch(/run as/);
      for (const path of [dataDir, clusterDir(dataDir), join(dataDir, "postgres.json")]) expect(statSync(path).uid).toBe(uid);
      expect(mode(dataDir)).toBe(0o700);
      expect(await processesLeftUnder(dataDir)).toEqual([]);
    },
  );

  describe("a real server (src/main.ts) leaves no postgres process behind", () => {
    const dataDir = join(parent, "server", ".idplane");
    for (const signal of ["SIGTERM", "SIGINT", "SIGKILL"] as const) {
      it(`after ${signal}${signal === "SIGTERM" ? ", and the CLI works while it runs" : ""}`, { timeout: 600_000 }, async () => {
        let s: Child | undefined;
        try {
          const { env, key } = childEnv(undefined, { ID_DATA_DIR: dataDir });
          s = await startChild(env);
          // The watchdog shell and its reader, the postmaster, its workers and the service's connections.
          const tree = processesOf(dataDir);
          expect(tree.length).toBeGreaterThan(5);
          if (signal === "SIGTERM") {
            const cliEnv = { PATH: process.env.PATH!, LOG_LEVEL: "warn", ID_DATA_DIR: dataDir };
            const r = await run(process.execPath, ["--import", "tsx", "src/cli/main.ts", "keys", "list"], {
              env: cliEnv,
              timeout: 120_000,
            });
            expect(r.stdout).toContain(key.accessKeyId);
            // A second server on the directory is refused in one line, and leaves the first alone.
            const second = await run(process.execPath, ["--import", "tsx", "src/main.ts"], {
              env: { ...cliEnv, PORT: "0" },
              timeout: 120_000,
            }).catch((e) => e);
            expect(second.code).toBe(1);
            expect(second.stderr).toMatch(
              /^idplane: failed to start: the embedded database in .* is in use by another idplane process \(pid \d+\); stop that process first/,
            );
            // The CLI attached: the server still answers.
            const client = childClient(s.host, key);
            expect((await client.call("ListUserPools", {})).code).toBe("OK");
            client.close();
          }
          s.child.kill(signal);
          const exit = await s.exited;
          if (signal !== "SIGKILL") {
            expect(exit.code).toBe(0);
            // Logs are buffered until exit; kill -9 loses them.
            expect(s.output()).toContain('"engine":"postgres"');
          }
          expect(await survivors([...tree, ...processesOf(dataDir)])).toEqual([]);
        } finally {
          await stopChild(s);
        }
      });
    }
  });

  it("copies an earlier version's PGlite data directory over with its rows, and keeps the PGlite files as a backup", {
    timeout: 900_000,
  }, async () => {
    const dataDir = join(parent, "upgrade", ".idplane");
    const { env, key } = childEnv(undefined, { ID_DATA_DIR: dataDir });
    let s: Child | undefined;
    let pool: string;
    let user: string;
    try {
      s = await startChild({ ...env, ID_EMBEDDED_ENGINE: "pglite" }, 600_000);
      const client = childClient(s.host, key);
      pool = (await client.call("CreateUserPool", { Name: "kept-pool" })).result.Uid;
      user = (await client.call("CreateUser", { UserPoolUid: pool, Email: "kept@example.com", Password: "Correct-horse-9" })).result.Uid;
      client.close();
      s.child.kill("SIGTERM");
      expect((await s.exited).code).toBe(0);
    } finally {
      await stopChild(s);
    }
    s = undefined;
    let tree: string[] = [];
    try {
      s = await startChild(env, 600_000);
      tree = processesOf(dataDir);
      const client = childClient(s.host, key);
      expect((await client.call("GetUserPool", { UserPoolUid: pool })).result.Name).toBe("kept-pool");
      expect((await client.call("GetUser", { UserPoolUid: pool, UserUid: user })).result.Email).toBe("kept@example.com");
      // Identity sequences carried over: a new row does not collide with a copied one.
      expect((await client.call("CreateUser", { UserPoolUid: pool, Email: "new@example.com" })).code).toBe("OK");
      client.close();
      expect(existsSync(join(dataDir, "pgdata.pglite-backup", "PG_VERSION"))).toBe(true);
      expect(existsSync(join(dataDir, "pgdata"))).toBe(false);
      s.child.kill("SIGTERM");
      expect((await s.exited).code).toBe(0);
      expect(s.output()).toMatch(/copying it into embedded Postgres[\s\S]*PGlite data copied into embedded Postgres/);
    } finally {
      await stopChild(s);
    }
    expect(await survivors(tree)).toEqual([]);
  });
});
