// GetUserPoolMaus: monthly active users per pool, the users whose latest sign-in (upstream's
// LatestLogin, users.latest_login_at, written by the sign-in service) falls in the month (UTC). A
// user counts once per month however often it signs in, and only in the month of its latest sign-in:
// a user who signed in in March and again in April counts in April, no longer in March. Until the
// sign-in records are in the schema (the column is looked for once), every pool answers 0.
import { sql } from "kysely";
import { z } from "zod";
import { defineAction } from "../core/action.js";
import { uid } from "../core/schemas.js";
import type { Db } from "../platform/db/types.js";
import { poolNotFound } from "../user-pools/parent.js";

let hasSignIns: Promise<boolean> | undefined;
const signInColumn = (db: Db) =>
  (hasSignIns ??= sql<{
    n: string;
  }>`select count(*) as n from information_schema.columns where table_name = 'users' and column_name = 'latest_login_at' and table_schema = current_schema()`
    .execute(db)
    .then((r) => Number(r.rows[0]!.n) > 0));

async function activeUsers(db: Db, accountId: string, pools: string[], from: Date, to: Date): Promise<Map<string, number>> {
  if (pools.length === 0 || !(await signInColumn(db))) return new Map();
  const r = await sql<{ pool: string; n: string }>`select user_pool_uid as pool, count(*) as n from users
    where account_id = ${accountId} and user_pool_uid in (${sql.join(pools)}) and latest_login_at >= ${from} and latest_login_at < ${to} group by user_pool_uid`.execute(
    db,
  );
  return new Map(r.rows.map((x) => [x.pool, Number(x.n)]));
}

export const userPoolMausActions = [
  defineAction({
    name: "GetUserPoolMaus",
    access: "read",
    accountWide: true,
    errors: ["NotFound"],
    summary:
      "Monthly active users of up to 100 pools (none given: every pool of the account): the users whose latest sign-in falls in Month (YYYY-MM, UTC; default this month).",
    input: z.object({
      Month: z
        .string()
        .trim()
        .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "a month as YYYY-MM")
        .optional(),
      UserPoolUids: z.array(uid()).max(100).optional(),
    }),
    output: z.object({ Month: z.string(), UserPoolMaus: z.array(z.object({ UserPoolUid: z.string(), Mau: z.number().int() })) }),
    handler: async (input, ctx) => {
      const db = ctx.deps.db;
      const month = input.Month ?? ctx.deps.clock.now().toISOString().slice(0, 7);
      const [y, m] = month.split("-").map(Number) as [number, number];
      const from = new Date(Date.UTC(y, m - 1, 1));
      const to = new Date(Date.UTC(y, m, 1));
      const asked = input.UserPoolUids ? [...new Set(input.UserPoolUids)] : undefined;
      let q = db.selectFrom("user_pools").select("uid").where("account_id", "=", ctx.accountId);
      if (asked) q = q.where("uid", "in", asked.length ? asked : [""]);
      const found = (await q.orderBy("created_at").orderBy("uid").execute()).map((r) => r.uid);
      const missing = asked?.find((p) => !found.includes(p));
      if (missing !== undefined) throw poolNotFound(missing);
      const counts = await activeUsers(db, ctx.accountId, found, from, to);
      const pools = asked ?? found;
      return { Month: month, UserPoolMaus: pools.map((UserPoolUid) => ({ UserPoolUid, Mau: counts.get(UserPoolUid) ?? 0 })) };
    },
  }),
];
