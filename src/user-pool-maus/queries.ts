// The statements behind GetUserPoolMaus: the account's pools, and the users per pool whose latest
// sign-in (users.latest_login_at, written by src/users/sign-in.ts) falls in a time range.
import type { Db } from "../platform/db/types.js";

/** The account's pools in creation order, only `asked` ones when given. */
export async function poolUidsOf(db: Db, accountId: string, asked?: string[]): Promise<string[]> {
  let q = db.selectFrom("user_pools").select("uid").where("account_id", "=", accountId);
  if (asked) q = q.where("uid", "in", asked.length ? asked : [""]);
  return (await q.orderBy("created_at").orderBy("uid").execute()).map((r) => r.uid);
}

/** Users per pool whose latest sign-in is in [from, to). */
export async function activeUserCounts(db: Db, accountId: string, pools: string[], from: Date, to: Date): Promise<Map<string, number>> {
  if (pools.length === 0) return new Map();
  const rows = await db
    .selectFrom("users")
    .select((eb) => ["user_pool_uid as pool", eb.fn.countAll<string>().as("n")])
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "in", pools)
    .where("latest_login_at", ">=", from)
    .where("latest_login_at", "<", to)
    .groupBy("user_pool_uid")
    .execute();
  return new Map(rows.map((x) => [x.pool, Number(x.n)]));
}
