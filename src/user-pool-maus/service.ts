// Monthly active users per pool: the users whose latest sign-in (upstream's LatestLogin) falls in
// the month (UTC). A user counts once per month however often it signs in, and only in the month of
// its latest sign-in: a user who signed in in March and again in April counts in April, no longer in March.
import type { z } from "zod";
import type { AppDeps } from "../deps.js";
import { poolNotFound } from "../user-pools/parent.js";
import { activeUserCounts, poolUidsOf } from "./queries.js";
import type { getUserPoolMausInput, getUserPoolMausOutput } from "./schemas.js";

type Deps = Pick<AppDeps, "db" | "clock">;

export async function userPoolMaus(
  deps: Deps,
  accountId: string,
  input: z.output<typeof getUserPoolMausInput>,
): Promise<z.output<typeof getUserPoolMausOutput>> {
  const month = input.Month ?? deps.clock.now().toISOString().slice(0, 7);
  const [y, m] = month.split("-").map(Number) as [number, number];
  const from = new Date(Date.UTC(y, m - 1, 1));
  const to = new Date(Date.UTC(y, m, 1));
  const asked = input.UserPoolUids ? [...new Set(input.UserPoolUids)] : undefined;
  const found = await poolUidsOf(deps.db, accountId, asked);
  const missing = asked?.find((p) => !found.includes(p));
  if (missing !== undefined) throw poolNotFound(missing);
  const counts = await activeUserCounts(deps.db, accountId, found, from, to);
  const pools = asked ?? found;
  return { Month: month, UserPoolMaus: pools.map((UserPoolUid) => ({ UserPoolUid, Mau: counts.get(UserPoolUid) ?? 0 })) };
}
