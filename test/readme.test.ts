// The README and the docs it links cannot rot: their JavaScript examples run, in order (the README's,
// then each linked document's in the order the README first links it), as one script against a fresh
// server (the way a newcomer would paste them), and the error table agrees with the server's catalog.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCatalog } from "../src/core/errors.js";
import { runExample } from "./support/example-script.js";
import { startTestService, type TestService } from "./support/harness.js";

const ROOT = new URL("../", import.meta.url);
const README = readFileSync(new URL("README.md", ROOT), "utf8");
const SKIP = "<!-- readme-test: skip";

/**
 * The README, then every docs/ page it links, once each, in the order of their first links. A page
 * whose example is a whole script of its own (it imports its modules: docs/sign-in.md,
 * docs/api/departments.md, docs/api/permissions.md) is run alone by its family's docs-example test.
 */
function documents(): string[] {
  const linked = [...README.matchAll(/\]\((docs\/[\w/.-]+\.md)(?:#[\w-]*)?\)/g)].map((m) => m[1]!);
  const pages = [...new Set(linked)].map((path) => readFileSync(new URL(path, ROOT), "utf8"));
  return [README, ...pages.filter((page) => !/```js\nimport /.test(page))];
}

/** The ```js blocks, in order; a block right after a skip comment is shown but not run. */
function jsBlocks(): { run: string[]; skipped: number } {
  const run: string[] = [];
  let skipped = 0;
  for (const doc of documents()) {
    for (const m of doc.matchAll(/(<!-- readme-test: skip[^\n]*\n)?```js\n([\s\S]*?)```/g)) {
      if (m[1]?.startsWith(SKIP)) skipped++;
      else run.push(m[2]!);
    }
  }
  return { run, skipped };
}

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

describe("README and the docs it links", () => {
  it("runs every example, top to bottom, against a fresh server", { timeout: 60_000 }, async () => {
    const { run, skipped } = jsBlocks();
    expect(run.length).toBeGreaterThanOrEqual(5);
    expect(skipped).toBe(1); // only the step that needs the token from a real mailbox
    const { out, err, code } = await runExample(svc, run.join("\n"));
    expect(err, out).toBe("");
    expect(code).toBe(0);
    // What the comments promise, where they promise an exact value.
    const lines = out.trim().split("\n");
    expect(lines).toContain("NotFound");
    expect(lines).toContain("1");
    expect(lines).toContain("1 Duplicated true");
    expect(lines).toContain("a***@example.com Europe/London");
    expect(lines).toContain("1 true");
    expect(lines).toContain("******");
    expect(lines).toContain("EMAIL true");
    expect(lines).toContain("Name DIRECT");
    expect(lines).toContain("true");
    expect(out).toContain('UpdateOAuthCredential: InvalidParameter.Scope: requested scope "admin" is invalid');
  });

  it("lists the error catalog the server answers with, with its HTTP statuses and CodeN", () => {
    const section = readFileSync(new URL("docs/api/errors.md", ROOT), "utf8");
    const rows = [...section.matchAll(/^\| (\d{3}) \| `([A-Za-z]+)(?:\.<Param>)?` \| *(\d*) *\|/gm)].map((m) => [
      m[2]!,
      Number(m[1]),
      m[3] ? Number(m[3]) : undefined,
    ]);
    const catalog = Object.entries(errorCatalog).map(([family, e]) => [family, e.status, e.codeN]);
    expect(rows).toEqual(catalog);
  });
});
