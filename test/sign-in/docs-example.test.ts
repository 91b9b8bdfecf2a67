// docs/sign-in.md cannot rot: its JavaScript example runs as one script against a fresh server, as a
// newcomer would paste it (the README's "Sign users in" links it; test/readme.test.ts runs the
// README's own blocks the same way).
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runExample } from "../support/example-script.js";
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
  const { out, err, code } = await runExample(svc, blocks.join("\n"));
  expect(code, err + out).toBe(0);
  expect(out.trim().split("\n")).toEqual(["ada@example.com", "true", "grace@example.com false"]);
});
