// docs/api/permissions.md cannot rot: its JavaScript example runs as one script against a fresh
// server (as a reader would paste it), and prints what its comments promise.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runExample } from "../support/example-script.js";
import { startTestService, type TestService } from "../support/harness.js";

const DOC = readFileSync(new URL("../../docs/api/permissions.md", import.meta.url), "utf8");
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

it("runs the permissions example and prints what it promises", { timeout: 60_000 }, async () => {
  const blocks = [...DOC.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(blocks).toHaveLength(1);
  const { out, err, code } = await runExample(svc, blocks.join("\n"));
  expect(err, out).toBe("");
  expect(code).toBe(0);
  expect(out.trim().split("\n")).toEqual([
    "{ Allowed: true, Message: 'allowed by policy alice-reads-acme' }",
    "{",
    "  Allowed: false,",
    "  Message: 'denied by policy eng-closed (a matching deny overrides any allow)'",
    "}",
    "true",
    "InvalidParameter.Policy",
  ]);
});
