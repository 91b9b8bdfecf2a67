// SQL for password reset tokens. Tokens are looked up by (account_id, SHA-256 of the token) and
// every state change is one conditional UPDATE, so concurrent requests cannot both win.
import type { ExpressionBuilder, Kysely, Transaction } from "kysely";
import type { Database } from "../platform/db/schema.js";

type Db = Kysely<Database> | Transaction<Database>;

export interface TokenRef {
  accountId: string;
  poolUid: string;
  tokenHash: Uint8Array;
}

export async function insertToken(
  trx: Transaction<Database>,
  row: { accountId: string; poolUid: string; userUid: string; tokenHash: Uint8Array; now: Date; expiresAt: Date },
) {
  await trx
    .insertInto("password_reset_tokens")
    .values({
      account_id: row.accountId,
      user_pool_uid: row.poolUid,
      user_uid: row.userUid,
      token_hash: row.tokenHash,
      created_at: row.now,
      expires_at: row.expiresAt,
    })
    .execute();
}

/** The token, in its pool, neither used nor revoked nor expired. */
const usable = (ref: TokenRef, now: Date) => (eb: ExpressionBuilder<Database, "password_reset_tokens">) =>
  eb.and([
    eb("account_id", "=", ref.accountId),
    eb("token_hash", "=", ref.tokenHash),
    eb("user_pool_uid", "=", ref.poolUid),
    eb("used_at", "is", null),
    eb("revoked_at", "is", null),
    eb("expires_at", ">", now),
  ]);

/** A usable token's user, without consuming it (a cheap pre-check before the slow hash). */
export async function findUsableToken(db: Db, ref: TokenRef, now: Date): Promise<string | undefined> {
  const row = await db.selectFrom("password_reset_tokens").select("user_uid").where(usable(ref, now)).executeTakeFirst();
  return row?.user_uid;
}

/**
 * Marks the token used if, and only if, it is still usable. Under concurrent calls with one token,
 * the row lock makes the others wait, re-check the WHERE against the committed row, and find nothing.
 */
export async function consumeToken(trx: Transaction<Database>, ref: TokenRef, now: Date): Promise<string | undefined> {
  const row = await trx
    .updateTable("password_reset_tokens")
    .set({ used_at: now })
    .where(usable(ref, now))
    .returning("user_uid")
    .executeTakeFirst();
  return row?.user_uid;
}
