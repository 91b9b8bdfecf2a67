// Every sealed column is declared: `keys rotate-master` re-seals only what the families declare
// (src/families.ts), so a new table holding a sealed secret that nobody declared would keep it under
// the old master key after a rotation, and the old key could never be destroyed.
import { sql } from "kysely";
import { expect, it } from "vitest";
import { purgeRules, sealedSources } from "../../../src/families.js";
import { testDatabase } from "../../support/harness.js";

it("declares every sealed column of the schema for rotate-master", async () => {
  const { db } = await testDatabase();
  const { rows } = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
     where table_schema = current_schema() and column_name like '%sealed%' order by 1, 2`.execute(db);
  const inSchema = rows.map((r) => `${r.table_name}.${r.column_name}`);
  expect(inSchema.length).toBeGreaterThan(0);
  expect(sealedSources.map((s) => `${s.table}.${s.column}`).sort()).toEqual(inSchema);
});

it("names each purge rule once, with a retention", () => {
  const names = purgeRules.map((r) => r.name);
  expect(new Set(names).size).toBe(names.length);
  expect(purgeRules.every((r) => r.keepMs > 0)).toBe(true);
});
