// Consent remembered per user and client beyond one session (sql/030 sign_in_consents): the scopes
// a person allowed a client so far. A later request asking for no more than these is not asked again
// (unless it says prompt=consent); a request asking for more shows the page for what is new.
import { sql } from "kysely";
import type { Db } from "../platform/db/types.js";

interface PoolKey {
  accountId: string;
  poolUid: string;
}

export async function rememberedScopes(db: Db, pool: PoolKey, userUid: string, clientId: string): Promise<Set<string>> {
  const row = await db
    .selectFrom("sign_in_consents")
    .select("scopes")
    .where("account_id", "=", pool.accountId)
    .where("pool_uid", "=", pool.poolUid)
    .where("user_uid", "=", userUid)
    .where("client_id", "=", clientId)
    .executeTakeFirst();
  return new Set(row?.scopes ?? []);
}

export async function rememberConsent(db: Db, pool: PoolKey, userUid: string, clientId: string, scopes: string[]): Promise<void> {
  if (scopes.length === 0) return;
  const unique = [...new Set(scopes)];
  await db
    .insertInto("sign_in_consents")
    .values({ account_id: pool.accountId, pool_uid: pool.poolUid, user_uid: userUid, client_id: clientId, scopes: unique })
    .onConflict((oc) =>
      oc.columns(["account_id", "pool_uid", "user_uid", "client_id"]).doUpdateSet({
        scopes: sql<string[]>`array(select distinct unnest(sign_in_consents.scopes || excluded.scopes))`,
        updated_at: sql<Date>`now()`,
      }),
    )
    .execute();
}
