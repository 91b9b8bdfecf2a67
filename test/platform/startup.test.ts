// The two commands a new user runs: the real entry point started as a child process, on the
// embedded default and on Postgres, called with the official SDK, then stopped with SIGTERM.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { Service } from "@volcengine/openapi";
import { afterAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { startChild, type Child } from "../support/infra/child-server.js";
import { poolerFor, randomAccountId } from "../support/harness.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function listPools(url: string, accessKeyId: string, secretKey: string) {
  const svc = new Service({
    host: url.replace("http://", ""),
    protocol: "http:",
    region: "cn-beijing",
    serviceName: "id",
    accessKeyId,
    secretKey,
  });
  return (await svc.createJSONAPI("ListUserPools", { Version: "2025-10-30" })({})) as any;
}

async function stop(s: Child) {
  s.child.kill("SIGTERM");
  return (await s.exited).code;
}

const urlOf = (s: Child) => `http://${s.host}`;

async function runCli(args: string[], env: Record<string, string>) {
  const { execFile } = await import("node:child_process");
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", ...args],
      { env: { PATH: process.env.PATH!, ...env }, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("npm start", () => {
  // Two embedded starts: generous bounds, so a busy machine slows the test down instead of failing it.
  it("starts on the embedded default, prints a first admin key once, and stops cleanly on SIGTERM", { timeout: 180_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "idplane-start-"));
    dirs.push(dataDir);
    const first = await startChild({ ID_DATA_DIR: dataDir }, 80_000);
    const ak = /AccessKeyId:\s+(\S+)/.exec(first.output())![1]!;
    const sk = /SecretAccessKey:\s+(\S+)/.exec(first.output())![1]!;
    const listed = await listPools(urlOf(first), ak, sk);
    expect(listed.Result).toMatchObject({ TotalCount: 0, PageNumber: 1 });
    expect(await stop(first)).toBe(0);
    // The secret appears on stdout once, in the welcome text, and on no log line.
    expect(first.output().split(sk).length - 1).toBe(1);

    const second = await startChild({ ID_DATA_DIR: dataDir }, 80_000);
    expect(second.output()).not.toContain("SecretAccessKey");
    expect(second.output()).toContain(`The admin access key ${ak} printed on the first start is still valid`);
    expect(second.output()).not.toContain(sk);
    // The CLI works next to the running server: it connects to the server's embedded Postgres.
    // (On the PGlite engine it refuses in one line: test/platform/db/embedded/postgres.test.ts has the server's side.)
    const cli = await runCli(["keys", "list"], { ID_DATA_DIR: dataDir });
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain(ak);
    expect((await listPools(urlOf(second), ak, sk)).Result.TotalCount).toBe(0);
    expect(await stop(second)).toBe(0);
  });

  it("refuses DATABASE_URL without ID_MASTER_KEY and says why", async () => {
    const err = (await startChild({ DATABASE_URL: "postgres://postgres@127.0.0.1:5432/test" }).catch((e) => e)) as Error;
    expect(err.message).toMatch(/^exited 2 before listening/);
    expect(err.message).toContain("ID_MASTER_KEY: required with DATABASE_URL");
  });

  it.skipIf(!inject("databaseUrl"))("creates the configured root key on Postgres, so scripts know it in advance", async () => {
    const accessKeyId = `AKLTroot${randomBytes(8).toString("hex")}`;
    const secret = randomBytes(24).toString("base64");
    const s = await startChild({
      DATABASE_URL: inject("databaseUrl")!,
      DATABASE_POOLER: poolerFor(inject("databaseUrl")),
      ID_MASTER_KEY: randomBytes(32).toString("base64"),
      ID_ROOT_ACCESS_KEY_ID: accessKeyId,
      ID_ROOT_SECRET_ACCESS_KEY: secret,
      ID_ROOT_ACCOUNT_ID: randomAccountId(),
    });
    expect(s.output()).toContain(`Admin access key from the environment: ${accessKeyId}`);
    expect(s.output()).not.toContain(secret);
    expect((await listPools(urlOf(s), accessKeyId, secret)).Result.TotalCount).toBe(0);
    expect(await stop(s)).toBe(0);
  });
});
