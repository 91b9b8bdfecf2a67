// An operator tailing the log sees each request within a second: the server's stdout is buffered
// (a synchronous write per line cost the request path), and a line used to sit in the 4 KB buffer
// until enough others followed (61 s once). The buffer is now flushed every 250 ms (issue 22, item
// 11; docs/operations.md "Health, logs, shutdown and housekeeping").
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { childClient, childEnv, ownDatabase, startChild, stopChild, type Child } from "../support/infra/child-server.js";

let child: Child | undefined;
let client: ReturnType<typeof childClient>;
let db: Awaited<ReturnType<typeof ownDatabase>>;
beforeAll(async () => {
  db = await ownDatabase(inject("databaseUrl")!);
  const { env, key } = childEnv(db.url);
  child = await startChild(env, 120_000);
  client = childClient(child.host, key);
}, 150_000);
afterAll(async () => {
  client?.close();
  await stopChild(child);
  await db?.drop();
});

const requestLines = (action: string) =>
  child!
    .output()
    .split("\n")
    .filter((l) => l.includes('"msg":"request"') && l.includes(`"action":"${action}"`));

describe("the request log", () => {
  it("shows a lone request within a second of its answer", { timeout: 30_000 }, async () => {
    // Quiet first, so nothing else pushes the buffer past its size.
    await new Promise((r) => setTimeout(r, 1500));
    for (const action of ["ListUserPools", "GetUserPool"]) {
      expect((await client.call(action, action === "GetUserPool" ? { UserPoolUid: "none" } : {})).status).toBeGreaterThan(0);
      const answered = Date.now();
      while (requestLines(action).length === 0 && Date.now() - answered < 1000) await new Promise((r) => setTimeout(r, 20));
      expect(requestLines(action), `${action} logged within 1 s`).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 1500));
    }
  });
});
