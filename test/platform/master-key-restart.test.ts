// The newcomer's restart: first start on Postgres with one ID_MASTER_KEY prints an admin key; a
// restart with another key (what re-running `export ID_MASTER_KEY=$(openssl rand ...)` does) must
// not start and answer 500 to everything, but stop with a message naming the missing key id and what
// to do (issue 22, item 9). With the old key in ID_MASTER_KEYS_PREVIOUS, or the old key back, it starts.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { keyIdOf } from "../../src/platform/crypto/secret-box.js";
import { ownDatabase, startChild, stopChild } from "../support/infra/child-server.js";

let db: Awaited<ReturnType<typeof ownDatabase>>;
beforeAll(async () => {
  db = await ownDatabase(inject("databaseUrl")!);
}, 60_000);
afterAll(() => db?.drop());

const newKey = () => randomBytes(32).toString("base64");
const idOf = (key: string) => keyIdOf(Buffer.from(key, "base64"));

async function startsAndStops(env: Record<string, string>): Promise<string> {
  const s = await startChild({ DATABASE_URL: db.url, ...env }, 120_000);
  try {
    return s.output();
  } finally {
    s.child.kill("SIGTERM");
    await s.exited;
    await stopChild(s);
  }
}

describe("a restart with another master key", () => {
  it("refuses to start, naming the key id it needs and what to do; the old key, or it as a previous key, starts", {
    timeout: 300_000,
  }, async () => {
    const first = newKey();
    expect(await startsAndStops({ ID_MASTER_KEY: first })).toMatch(/AKLT\w+/);

    const second = newKey();
    const err = (await startChild({ DATABASE_URL: db.url, ID_MASTER_KEY: second }, 120_000).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/exited 2 before listening/);
    expect(err.message).toContain(`sealed under the master key with id ${idOf(first)}, which is not configured`);
    expect(err.message).toContain(`holds the key with id ${idOf(second)}`);
    expect(err.message).toContain("ID_MASTER_KEYS_PREVIOUS");
    expect(err.message).not.toContain(first);

    expect(await startsAndStops({ ID_MASTER_KEY: second, ID_MASTER_KEYS_PREVIOUS: first })).toContain("still valid");
    expect(await startsAndStops({ ID_MASTER_KEY: first })).toContain("still valid");
  });
});
