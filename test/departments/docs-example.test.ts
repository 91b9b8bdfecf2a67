// docs/api/departments.md cannot rot: its ```js blocks run, in order, as one script against a fresh
// server (as test/readme.test.ts runs the README's), and print what their comments promise.
import { spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestService, type TestService } from "../support/harness.js";

const DOC = readFileSync(new URL("../../docs/api/departments.md", import.meta.url), "utf8");
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

it("runs the example of docs/api/departments.md", { timeout: 60_000 }, async () => {
  const blocks = [...DOC.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(blocks.length).toBeGreaterThan(0);
  // Inside the repository, so that `import ... from "@volcengine/openapi"` resolves as for a user.
  const file = new URL(`../.departments-example-${process.pid}.mjs`, import.meta.url);
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
    expect(err, out).toBe("");
    expect(code).toBe(0);
    expect(out.trim().split("\n")).toEqual(["2", "Engineering 1 /Engineering/Backend", "1"]);
  } finally {
    rmSync(file, { force: true });
  }
});
