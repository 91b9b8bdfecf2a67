// docs/sign-in.md cannot rot: its JavaScript example runs as one script against a fresh server, as a
// newcomer would paste it (the README's "Sign users in" links it; test/readme.test.ts runs the
// README's own blocks the same way).
import { spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestService, type TestService } from "../support/harness.js";

const DOC = readFileSync(new URL("../../docs/sign-in.md", import.meta.url), "utf8");

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

it("docs/sign-in.md's example signs a person in with openid-client, and one up on the hosted page", { timeout: 60_000 }, async () => {
  const blocks = [...DOC.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(blocks.length).toBeGreaterThanOrEqual(1);
  // Inside the repository, so that its imports resolve as for a user of the package.
  const file = new URL(`../.sign-in-example-${process.pid}.mjs`, import.meta.url);
  writeFileSync(file, blocks.join("\n"));
  try {
    const child = spawn(process.execPath, [file.pathname], {
      env: { ...process.env, IDPLANE_HOST: svc.host, IDPLANE_AK: svc.admin.accessKeyId, IDPLANE_SK: svc.admin.secretAccessKey },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code, err + out).toBe(0);
    expect(out.trim().split("\n")).toEqual(["ada@example.com", "true", "grace@example.com false"]);
  } finally {
    rmSync(file, { force: true });
  }
});
