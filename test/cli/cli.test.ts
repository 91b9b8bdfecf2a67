// The CLI as an operator runs it (a child process), against the test database: keys create prints the
// pair once, keys list never prints a secret, keys disable is refused by a running server at once.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { codeOf, poolerFor, randomAccountId, startTestService, type TestService } from "../support/harness.js";

const run = promisify(execFile);
const url = inject("databaseUrl");
const dataDir = mkdtempSync(join(tmpdir(), "idplane-cli-"));
// The harness's master key is private to its process; the CLI gets its own, as an operator's would.
const env = {
  PATH: process.env.PATH!,
  LOG_LEVEL: "warn",
  ID_DATA_DIR: dataDir,
  ...(url && { DATABASE_URL: url, DATABASE_POOLER: poolerFor(url), ID_MASTER_KEY: randomBytes(32).toString("base64") }),
};

async function cli(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

// Each CLI call is a new Node process compiling the sources through tsx: seconds on a loaded machine,
// so the tests get minutes, bounding only a hang.
const SLOW = { timeout: 240_000 };

describe("idplane CLI", () => {
  const account = randomAccountId();
  let created: { ak: string; sk: string };

  it("keys create prints the pair once; keys list shows the key and never a secret", SLOW, async () => {
    const r = await cli("keys", "create", "--account", account, "--role", "readonly");
    expect(r.code).toBe(0);
    created = { ak: /AccessKeyId:\s+(\S+)/.exec(r.stdout)![1]!, sk: /SecretAccessKey:\s+(\S+)/.exec(r.stdout)![1]! };
    const list = await cli("keys", "list", "--account", account);
    expect(list.stdout).toContain(created.ak);
    expect(list.stdout).toMatch(/readonly\s+true/);
    expect(list.stdout + list.stderr).not.toContain(created.sk);
  });

  it("answers usage errors with exit code 2 and a message", SLOW, async () => {
    const r = await cli("keys", "create", "--role", "root");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--account/);
    expect((await cli("keys", "create", "--account", "1", "--colour", "red")).stderr).toMatch(/unknown option --colour/);
    expect((await cli("nonsense")).code).toBe(2);
  });

  it("migrate reports a current schema", SLOW, async () => {
    const r = await cli("migrate");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/schema is current|applied:/);
  });

  describe.skipIf(!url)("with a server on the same Postgres", () => {
    let svc: TestService;
    beforeAll(async () => {
      svc = await startTestService();
    }, 240_000);
    afterAll(() => svc.close());

    it("keys disable: the server refuses the key on the next call", SLOW, async () => {
      // A key the harness created, so the server can open its secret; the CLI only flips and announces.
      const key = await svc.newKey("admin");
      expect(codeOf(await svc.call("ListUserPools", {}, { key }))).toBe("OK");
      const r = await cli("keys", "disable", key.accessKeyId);
      expect([r.code, r.stdout.trim()]).toEqual([0, `${key.accessKeyId} disabled`]);
      // NOTIFY (or, through PgBouncer, the 1 s poll of the change counter) reaches the server at once;
      // the bound leaves room for a loaded machine's scheduling and still catches a change never seen.
      await expect.poll(async () => codeOf(await svc.call("ListUserPools", {}, { key })), { timeout: 10_000 }).toBe("InvalidAccessKeyId");
      expect((await cli("keys", "enable", key.accessKeyId)).code).toBe(0);
      await expect.poll(async () => codeOf(await svc.call("ListUserPools", {}, { key })), { timeout: 10_000 }).toBe("OK");
      expect((await cli("keys", "disable", "AKLTnosuchkey")).code).toBe(1);
    });
  });
});
