// Issue 10 finding 8: the embedded data directory is private. A real embedded start (the entry point
// as a child process) in a directory it creates itself, with a reset mail queued so its token is in
// the WAL: every directory and file under it is owner-only, while it runs and after it stops. A
// directory left 0755/0644 by an older version is tightened at the next start, with one log line.
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tightenPrivateDir } from "../../../../src/platform/db/private-dir.js";
import { childClient, childEnv, startChild, stopChild, type Child } from "../../../support/infra/child-server.js";

const parent = mkdtempSync(join(tmpdir(), "idplane-datadir-"));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

/** Entries (the root included) that group or others may read, write or enter; links are skipped. */
function openEntries(root: string): string[] {
  const open: string[] = [];
  const walk = (path: string) => {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return;
    if (st.mode & 0o077) open.push(`${(st.mode & 0o777).toString(8)} ${path.slice(root.length)}`);
    if (st.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(root);
  return open;
}

/** What an older version left: every directory 0755, every file 0644. */
function loosen(path: string): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return;
  chmodSync(path, st.isDirectory() ? 0o755 : 0o644);
  if (st.isDirectory()) for (const name of readdirSync(path)) loosen(join(path, name));
}

describe("tightenPrivateDir", () => {
  it("makes the directory, pgdata/ and master.key owner-only, follows no link and leaves other files alone", () => {
    const dir = join(parent, "unit");
    mkdirSync(join(dir, "pgdata", "pg_wal"), { recursive: true });
    writeFileSync(join(dir, "pgdata", "pg_wal", "000000010000000000000001"), "token=abc");
    writeFileSync(join(dir, "master.key"), "k");
    writeFileSync(join(dir, "operator-notes.txt"), "mine");
    const outside = join(parent, "outside.txt");
    writeFileSync(outside, "x");
    chmodSync(outside, 0o644);
    symlinkSync(outside, join(dir, "pgdata", "link"));
    loosen(dir);
    chmodSync(outside, 0o644);

    expect(tightenPrivateDir(dir)).toBe(5);
    expect(openEntries(dir)).toEqual(["644 /operator-notes.txt"]);
    expect(lstatSync(outside).mode & 0o777).toBe(0o644);
    expect(lstatSync(join(dir, "pgdata", "pg_wal")).mode & 0o777).toBe(0o700);
    expect(lstatSync(join(dir, "master.key")).mode & 0o777).toBe(0o600);
    expect(tightenPrivateDir(dir)).toBe(0);
  });
});

describe("a real embedded start", () => {
  const dataDir = join(parent, "fresh", ".idplane");

  it("creates the data directory 0700 and every file in it 0600, the WAL with a queued reset link included", {
    timeout: 600_000,
  }, async () => {
    let s: Child | undefined;
    let client: ReturnType<typeof childClient> | undefined;
    try {
      const { env, key } = childEnv(undefined, { ID_DATA_DIR: dataDir });
      s = await startChild(env);
      client = childClient(s.host, key);
      const pool = (await client.call("CreateUserPool", { Name: "p", ResetPasswordUrl: "https://example.com/reset" })).result.Uid;
      const user = (await client.call("CreateUser", { UserPoolUid: pool, Email: "someone@example.com" })).result.Uid;
      expect((await client.call("ResetPassword", { UserPoolUid: pool, UserUid: user })).code).toBe("OK");
      // While it runs: what it wrote so far, WAL included.
      expect(openEntries(dataDir)).toEqual([]);
      s.child.kill("SIGTERM");
      expect((await s.exited).code).toBe(0);
      expect(openEntries(dataDir)).toEqual([]);
      expect(lstatSync(join(dataDir, "master.key")).mode & 0o777).toBe(0o600);
      // The parent was the operator's to make: created as usual, not private.
      expect(lstatSync(join(parent, "fresh")).mode & 0o700).toBe(0o700);
    } finally {
      client?.close();
      await stopChild(s);
    }
  });

  it("tightens a directory an older version left readable by others, and says so once", { timeout: 600_000 }, async () => {
    loosen(dataDir);
    expect(openEntries(dataDir).length).toBeGreaterThan(100);
    let s: Child | undefined;
    try {
      const { env } = childEnv(undefined, { ID_DATA_DIR: dataDir });
      s = await startChild(env);
      expect(openEntries(dataDir)).toEqual([]);
      s.child.kill("SIGTERM");
      expect((await s.exited).code).toBe(0);
      const lines = s
        .output()
        .split("\n")
        .filter((l) => l.includes("readable by other users"));
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, dataDir, tightened: expect.any(Number) });
      expect(openEntries(dataDir)).toEqual([]);
    } finally {
      await stopChild(s);
    }
  });
});
