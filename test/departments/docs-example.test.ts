// docs/api/departments.md cannot rot: its ```js blocks run, in order, as one script against a fresh
// server (as test/readme.test.ts runs the README's), and print what their comments promise.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runExample } from "../support/example-script.js";
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
  const { out, err, code } = await runExample(svc, blocks.join("\n"));
  expect(err, out).toBe("");
  expect(code).toBe(0);
  expect(out.trim().split("\n")).toEqual(["2", "Engineering 1 /Engineering/Backend", "1"]);
});
