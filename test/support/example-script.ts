// Runs a documentation example as a reader would: the code as one ES module inside the repository
// (so `import ... from "@volcengine/openapi"` resolves as for a user), in a child process, with the
// test server's address and admin key in IDPLANE_HOST / IDPLANE_AK / IDPLANE_SK.
import { spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import type { TestService } from "./harness.js";

export async function runExample(svc: TestService, code: string): Promise<{ out: string; err: string; code: number | null }> {
  const file = new URL(`../.example-${process.pid}-${Date.now()}.mjs`, import.meta.url);
  writeFileSync(file, code);
  try {
    const child = spawn(process.execPath, [file.pathname], {
      env: { ...process.env, IDPLANE_HOST: svc.host, IDPLANE_AK: svc.admin.accessKeyId, IDPLANE_SK: svc.admin.secretAccessKey },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const exit = await new Promise<number | null>((resolve) => child.on("close", resolve));
    return { out, err, code: exit };
  } finally {
    rmSync(file, { force: true });
  }
}
