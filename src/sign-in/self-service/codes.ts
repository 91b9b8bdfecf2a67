// One-time codes of the hosted pages: six digits, mailed to verify an address after sign-up or to
// sign in without a password. Short-lived (10 minutes), single-use, bound to the authorization
// request that asked for them (the interaction), stored only as an HMAC under a key derived from the
// pool's private signing key (sql/080), and guessed at most MAX_ATTEMPTS times: every guess is
// counted in Postgres by one conditional update, so several instances together allow no more.
// Guesses are also throttled per client address across codes (the password sign-in throttle,
// src/users/sign-in-throttle.ts), so asking for fresh codes buys a guesser nothing.
import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import { sql } from "kysely";
import type { Db } from "../../platform/db/types.js";
import { recordFailure, throttleKeys, waitSeconds } from "../../users/sign-in-throttle.js";
import type { CodePurpose } from "./tables.js";
import { PURGE_BATCH } from "../../platform/db/declarations.js";

export const CODE = {
  digits: 6,
  ttlSeconds: 10 * 60,
  /** Guesses of one code; the next (right or wrong) finds it spent. */
  maxAttempts: 5,
} as const;

export interface CodeScope {
  accountId: string;
  poolUid: string;
  purpose: CodePurpose;
  interactionUid: string;
  /** HMAC key of the pool's codes (from its signing key, as the forms' CSRF key is). */
  key: Buffer;
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest();
const hmac = (key: Buffer, id: string, code: string) => createHmac("sha256", key).update(`${id}\n${code}`).digest();

/** Stores a new code for `userUid` (or for no one) and returns its id and digits; the caller mails them. */
export async function issueCode(db: Db, s: CodeScope, userUid: string | null, now: Date): Promise<{ id: string; code: string }> {
  const id = randomBytes(16).toString("base64url");
  const code = String(randomInt(0, 10 ** CODE.digits)).padStart(CODE.digits, "0");
  await db
    .insertInto("sign_in_codes")
    .values({
      account_id: s.accountId,
      user_pool_uid: s.poolUid,
      id,
      purpose: s.purpose,
      interaction_hash: sha256(s.interactionUid),
      user_uid: userUid,
      code_hash: hmac(s.key, id, code),
      created_at: now,
      expires_at: new Date(now.getTime() + CODE.ttlSeconds * 1000),
    })
    .execute();
  return { id, code };
}

export type CodeCheck =
  | { ok: true; userUid: string }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number };

const INVALID = { ok: false, reason: "invalid" } as const;

/**
 * Spends one guess of the code `id`. Right digits on a live code of this interaction that names a
 * user: ok, and the code is used up. Anything else: invalid (an unknown id, another interaction's
 * code, an expired, used or exhausted one, a code for no one), after the same database work.
 */
export async function checkCode(db: Db, s: CodeScope, id: string, digits: string, clientAddress: string, now: Date): Promise<CodeCheck> {
  const keys = throttleKeys(s.accountId, s.poolUid, `code:${id}`, clientAddress);
  const wait = await waitSeconds(db, keys, now);
  if (wait > 0) return { ok: false, reason: "throttled", retryAfterSeconds: wait };
  // Counts the guess first, whatever it is: concurrent guesses on any instance each take one attempt.
  const row = await db
    .updateTable("sign_in_codes")
    .set({ attempts: sql<number>`attempts + 1` })
    .where("account_id", "=", s.accountId)
    .where("user_pool_uid", "=", s.poolUid)
    .where("id", "=", id)
    .where("purpose", "=", s.purpose)
    .where("interaction_hash", "=", sha256(s.interactionUid))
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .where("attempts", "<", CODE.maxAttempts)
    .returning(["code_hash", "user_uid"])
    .executeTakeFirst();
  const expected = row ? Buffer.from(row.code_hash) : randomBytes(32);
  const right = /^\d{6}$/.test(digits) && timingSafeEqual(hmac(s.key, id, digits), expected);
  if (!row || !right || row.user_uid === null) {
    await recordFailure(db, keys, now);
    return INVALID;
  }
  // Spent once: of two right guesses at once, one finds used_at set.
  const spent = await db
    .updateTable("sign_in_codes")
    .set({ used_at: now })
    .where("account_id", "=", s.accountId)
    .where("user_pool_uid", "=", s.poolUid)
    .where("id", "=", id)
    .where("used_at", "is", null)
    .executeTakeFirst();
  return spent.numUpdatedRows > 0n ? { ok: true, userUid: row.user_uid } : INVALID;
}

/** The user a live code of this interaction names (to resend to the same person), without spending it. */
export async function codeOwner(db: Db, s: Omit<CodeScope, "key">, id: string, now: Date): Promise<{ userUid: string | null } | undefined> {
  const row = await db
    .selectFrom("sign_in_codes")
    .select("user_uid")
    .where("account_id", "=", s.accountId)
    .where("user_pool_uid", "=", s.poolUid)
    .where("id", "=", id)
    .where("purpose", "=", s.purpose)
    .where("interaction_hash", "=", sha256(s.interactionUid))
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .executeTakeFirst();
  return row && { userUid: row.user_uid };
}

/** Deletes codes expired before `cutoff` (housekeeping). */
export async function purgeExpiredCodes(db: Db, cutoff: Date): Promise<number> {
  const r = await sql`
    delete from sign_in_codes where (account_id, user_pool_uid, id) in (
      select account_id, user_pool_uid, id from sign_in_codes where expires_at < ${cutoff} limit ${PURGE_BATCH})`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}
