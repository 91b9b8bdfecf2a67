// Ends everything a user holds at a pool's OpenID Provider: sessions (the browser's cookie then
// names nothing), grants, refresh tokens, opaque access tokens and unspent codes, in the adapter's
// storage (sign_in_artifacts, sql/030). A completed password reset calls it in its transaction: a
// person who lost control of the password must not stay signed in wherever the thief signed in.
// JWT access tokens are not stored and run out on their own (one hour); clients see the rest fail
// at once (refresh: invalid_grant; introspection: inactive; userinfo: invalid_token).
// A leaf on purpose: password-reset imports it, and it imports nothing of sign-in.
import { sql } from "kysely";
import type { Db } from "../platform/db/types.js";

export async function endUserSessions(db: Db, accountId: string, poolUid: string, userUid: string): Promise<number> {
  const r = await db
    .deleteFrom("sign_in_artifacts")
    .where("account_id", "=", accountId)
    .where("pool_uid", "=", poolUid)
    // The partial index of sql/080 (payload ? 'accountId', then payload ->> 'accountId').
    .where(sql<boolean>`payload ? 'accountId'`)
    .where(sql<string>`payload ->> 'accountId'`, "=", userUid)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
