// GetUserPoolMaus through the official SDK: the month echoed (this month by default), every pool of
// the account or the ones named, each with the users whose latest sign-in falls in the month,
// recounted here from the users table (0 while the schema has no sign-in records); another
// account's pool NotFound; a malformed month refused.
import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { createPool } from "../support/families/user-pools.js";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

async function recount(pool: string, month: string): Promise<number> {
  const has = await sql<{
    n: string;
  }>`select count(*) as n from information_schema.columns where table_name = 'users' and column_name = 'latest_login_at' and table_schema = current_schema()`.execute(
    svc.deps.db,
  );
  if (Number(has.rows[0]!.n) === 0) return 0;
  const r = await sql<{
    n: string;
  }>`select count(*) as n from users where user_pool_uid = ${pool} and to_char(latest_login_at at time zone 'UTC', 'YYYY-MM') = ${month}`.execute(
    svc.deps.db,
  );
  return Number(r.rows[0]!.n);
}

it("answers each pool's monthly active users", async () => {
  const [a, b] = [await createPool(svc), await createPool(svc)];
  await svc.ok("CreateUser", { UserPoolUid: a, Email: `mau-${a}@example.com` });
  const thisMonth = new Date().toISOString().slice(0, 7);
  const named = await svc.ok("GetUserPoolMaus", { UserPoolUids: [b, a] }, { key: svc.readonly });
  expect(named).toEqual({
    Month: thisMonth,
    UserPoolMaus: [
      { UserPoolUid: b, Mau: await recount(b, thisMonth) },
      { UserPoolUid: a, Mau: await recount(a, thisMonth) },
    ],
  });
  const all = await svc.ok("GetUserPoolMaus", { Month: "2026-01" });
  expect(all.Month).toBe("2026-01");
  expect(all.UserPoolMaus.map((p: { UserPoolUid: string }) => p.UserPoolUid)).toEqual(expect.arrayContaining([a, b]));
  expect(codeOf(await svc.call("GetUserPoolMaus", { UserPoolUids: [a] }, { key: svc.otherAdmin }))).toBe("NotFound");
  expect(codeOf(await svc.call("GetUserPoolMaus", { Month: "2026-13" }))).toBe("InvalidParameter.Month");
});
