// Run as root, embedded Postgres runs as an unprivileged user (postgres, else nobody). That user gets
// the cluster directory and nothing more: the data directory, and master.key in it, stay root's
// (0710 for the user's group to pass through), so the database's user cannot replace the key. A
// directory an earlier version gave away is taken back, and a key file of another user is refused
// at start-up (issue 22, item 7). Root only: as a normal user no second user is involved.
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { clusterDir } from "../../src/platform/db/embedded/index.js";
import { runUser } from "../../src/platform/db/embedded/run-user.js";
import { childClient, childEnv, startChild, stopChild, type Child } from "../support/infra/child-server.js";

const asRoot = process.getuid?.() === 0;
const parent = mkdtempSync(join(tmpdir(), "idplane-keyowner-"));
// The run user must pass through the parents (mkdtemp makes them 0700).
chmodSync(parent, 0o755);
afterAll(() => rmSync(parent, { recursive: true, force: true }));

/** Runs a shell command as the database's user; its exit status. */
const asDbUser = (script: string, cwd: string) => {
  const u = runUser()!;
  return spawnSync("/bin/sh", ["-c", script], {
    uid: u.uid,
    gid: u.gid,
    cwd: "/",
    env: { D: cwd, PATH: process.env.PATH! },
    timeout: 30_000,
  }).status;
};

async function startAndCall(dataDir: string): Promise<Child> {
  const { env, key } = childEnv(undefined, { ID_DATA_DIR: dataDir, ID_EMBEDDED_ENGINE: "postgres" });
  const s = await startChild(env);
  const client = childClient(s.host, key);
  try {
    expect((await client.call("ListUserPools", {})).code).toBe("OK");
  } finally {
    client.close();
  }
  return s;
}

describe.runIf(asRoot)("master.key when run as root", () => {
  const dataDir = join(parent, ".idplane");
  const key = join(dataDir, "master.key");

  it("stays root's, beside a cluster the database's user owns, out of that user's reach", { timeout: 600_000 }, async () => {
    let s: Child | undefined;
    try {
      s = await startAndCall(dataDir);
      const user = runUser()!;
      expect([statSync(dataDir).uid, statSync(dataDir).gid, statSync(dataDir).mode & 0o777]).toEqual([0, user.gid, 0o710]);
      expect([lstatSync(key).uid, lstatSync(key).mode & 0o777]).toEqual([0, 0o600]);
      expect(statSync(clusterDir(dataDir)).uid).toBe(user.uid);
      // What the database's user could do before: swap the key for one of its own.
      expect(asDbUser('mv "$D/master.key" "$D/old.key"', dataDir)).not.toBe(0);
      expect(asDbUser('rm -f "$D/master.key"', dataDir)).not.toBe(0);
      expect(asDbUser('echo x > "$D/new.key"', dataDir)).not.toBe(0);
      expect(lstatSync(key).uid).toBe(0);
    } finally {
      await stopChild(s);
    }
  });

  it("takes back a data directory an earlier version gave to the database's user", { timeout: 600_000 }, async () => {
    const user = runUser()!;
    chownSync(dataDir, user.uid, user.gid);
    chmodSync(dataDir, 0o700);
    let s: Child | undefined;
    try {
      s = await startAndCall(dataDir);
      expect([statSync(dataDir).uid, statSync(dataDir).mode & 0o777]).toEqual([0, 0o710]);
    } finally {
      await stopChild(s);
    }
  });

  it("refuses to start on a master.key another user wrote, naming the file and what to do", { timeout: 600_000 }, async () => {
    const user = runUser()!;
    const original = readFileSync(key, "utf8");
    rmSync(key);
    writeFileSync(key, original, { mode: 0o600 });
    chownSync(key, user.uid, user.gid);
    const { env } = childEnv(undefined, { ID_DATA_DIR: dataDir, ID_EMBEDDED_ENGINE: "postgres" });
    const err = (await startChild(env).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/exited 2 before listening/);
    expect(err.message).toContain(`${key} is owned by uid ${user.uid}, not by this process's user (uid 0)`);
    expect(err.message).toContain("chown");
  });
});
