// Queries compiled once and bound per call (src/platform/db/prepared.ts), on the suite's database:
// each call gets its own arguments' rows (never the first call's), constants of the query stay,
// transactions run them on their connection, and a builder that computes with an argument is refused.
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { prepared } from "../../../src/platform/db/prepared.js";
import type { Db } from "../../../src/platform/db/types.js";
import { testDatabase } from "../../support/harness.js";

const pair = prepared((db: Db, a: string, b: number) =>
  db.selectNoFrom([sql<string>`${a}::text`.as("a"), sql<number>`${b}::int + ${10}::int`.as("b"), sql<string>`${"constant"}::text`.as("c")]),
);

describe("prepared queries", () => {
  it("bind each call's arguments into the same SQL text, keeping the query's own constants", async () => {
    const { db } = await testDatabase();
    expect(await pair.first(db, "x", 1)).toEqual({ a: "x", b: 11, c: "constant" });
    expect(await pair.first(db, "y", 2)).toEqual({ a: "y", b: 12, c: "constant" });
    const calls = await Promise.all(Array.from({ length: 20 }, (_, i) => pair.first(db, `v${i}`, i)));
    expect(calls.map((r) => r?.a)).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}`));
    expect(pair.template(db)).toEqual({ sql: expect.stringContaining("$3"), slots: [0, 1, -1, -1] });
  });

  it("run inside a transaction on the transaction's connection", async () => {
    const { db } = await testDatabase();
    const inside = prepared((t: Db, name: string) => t.selectNoFrom(sql<string>`current_setting(${name})`.as("v")));
    const seen = await db.transaction().execute(async (trx) => {
      await sql`set local application_name = 'prepared-test'`.execute(trx);
      return inside.all(trx, "application_name");
    });
    expect(seen).toEqual([{ v: "prepared-test" }]);
  });

  it("refuse a builder that does not pass an argument through as a parameter", async () => {
    const { db } = await testDatabase();
    const computed = prepared((t: Db, n: number) => t.selectNoFrom(sql<number>`${String(n)}::int`.as("n")));
    await expect(computed.first(db, 1)).rejects.toThrow(/argument 0 is not a parameter/);
  });
});
