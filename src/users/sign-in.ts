// Password sign-in against a pool's users, for the hosted sign-in page (src/sign-in/): which
// identifiers the pool accepts (SignInAttributes), its switches (PasswordSignInEnabled,
// UnconfirmedUserSignInEnabled), the password check through the fair hash queue, throttling of
// failures (sign-in-throttle.ts), and what the directory learns of a sign-in (recordSignIn).
//
// No answer says whether an account exists: an unknown identifier, a wrong password, a DISABLED or
// unconfirmed user and a federated user (no password) all get { ok: false, reason: "invalid" }, after
// the same work: one lookup, one throttle read, one scrypt verification (against a dummy hash when
// there is no usable stored one) and one throttle write.
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { errors } from "../core/errors.js";
import type { AppDeps } from "../deps.js";
import { isPlainEmail, normalizeEmail } from "../core/email.js";
import { findParentPool } from "../user-pools/parent.js";
import { browserFamily } from "./browser.js";
import { hashPassword, hashPasswordFor, MAX_PASSWORD_LENGTH, needsRehash, verifyPasswordFor } from "./password.js";
import * as q from "./queries.js";
import type { UserRow } from "./queries.js";
import { clearUser, recordFailure, throttleKeys, waitSeconds } from "./sign-in-throttle.js";

export {
  claimsForUser,
  claimsFrom,
  claimsSource,
  claimsSourceOf,
  CUSTOM_ATTRIBUTES_SCOPE,
  DEPARTMENTS_SCOPE,
  GROUPS_SCOPE,
  CLAIM_COLUMNS,
  PROFILE_CLAIMS,
  type Claims,
  type ClaimsSource,
  type ClaimsUser,
} from "./claims.js";

type Deps = Pick<AppDeps, "db" | "hashQueue" | "clock">;

export type AuthenticationResult =
  | { ok: true; user: UserRow }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number };

export interface PasswordAttempt {
  accountId: string;
  poolUid: string;
  /** What the person typed: an e-mail address, a phone number (E.164) or a username, as the pool allows. */
  identifier: string;
  password: string;
  /** The client's address as the sign-in side trusts it (the socket's, or a trusted proxy's header). */
  clientAddress: string;
}

const INVALID = { ok: false, reason: "invalid" } as const;
const E164 = /^\+[1-9][0-9]{1,14}$/;
const MAX_IDENTIFIER = 254;

// Made once per process at today's cost, so verifying against it takes what a real verification does.
let dummyHash: Promise<string> | undefined;
const dummy = () => (dummyHash ??= hashPassword(randomBytes(32).toString("base64url")));

/**
 * The native user an identifier names, among the types the pool signs in with. Each type is looked
 * up only when the text has its form (an e-mail address, E.164); a username may look like either, so
 * when two users match, the e-mail holder wins over the phone holder over the username holder.
 */
async function findByIdentifier(
  deps: Deps,
  accountId: string,
  poolUid: string,
  identifier: string,
  types: readonly string[],
): Promise<UserRow | undefined> {
  const email = types.includes("email") && isPlainEmail(identifier) ? normalizeEmail(identifier) : undefined;
  const phone = types.includes("phone_number") && E164.test(identifier) ? identifier : undefined;
  const username = types.includes("preferred_username") ? identifier.toLowerCase() : undefined;
  if (email === undefined && phone === undefined && username === undefined) return undefined;
  const rows = await deps.db
    .selectFrom("users")
    .selectAll()
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "=", poolUid)
    .where("connection_uid", "is", null)
    .where((eb) =>
      eb.or([
        ...(email !== undefined ? [eb(sql<string>`lower(email)`, "=", email)] : []),
        ...(phone !== undefined ? [eb("phone_number", "=", phone)] : []),
        ...(username !== undefined ? [eb(sql<string>`lower(preferred_username)`, "=", username)] : []),
      ]),
    )
    .limit(3)
    .execute();
  return (
    rows.find((r) => email !== undefined && r.email?.toLowerCase() === email) ??
    rows.find((r) => phone !== undefined && r.phone_number === phone) ??
    rows[0]
  );
}

/** Unconfirmed: the user has an e-mail address or a phone number, and none it has is verified. */
export const isUnconfirmed = (u: Pick<UserRow, "email" | "email_verified" | "phone_number" | "phone_number_verified">) =>
  (u.email !== null || u.phone_number !== null) &&
  !(u.email !== null && u.email_verified) &&
  !(u.phone_number !== null && u.phone_number_verified);

export async function authenticatePassword(deps: Deps, attempt: PasswordAttempt): Promise<AuthenticationResult> {
  const { accountId, poolUid, password } = attempt;
  const identifier = attempt.identifier.trim();
  // Nothing here depends on an account: these answers tell a stranger nothing, and cost nothing.
  if (identifier === "" || identifier.length > MAX_IDENTIFIER || password === "" || password.length > MAX_PASSWORD_LENGTH) return INVALID;
  const pool = await findParentPool(deps.db, accountId, poolUid, "read");
  if (!pool || !pool.enabled || !pool.password_sign_in_enabled) return INVALID;

  const user = await findByIdentifier(deps, accountId, poolUid, identifier, pool.sign_in_attributes);
  const keys = throttleKeys(
    accountId,
    poolUid,
    user ? `user:${user.uid}` : `identifier:${identifier.toLowerCase()}`,
    attempt.clientAddress,
  );
  const now = deps.clock.now();
  const wait = await waitSeconds(deps.db, keys, now);
  if (wait > 0) return { ok: false, reason: "throttled", retryAfterSeconds: wait };

  const stored = user?.password_hash ?? (await dummy());
  const matches = await verifyPasswordFor(deps.hashQueue, accountId, password, stored);
  const allowed =
    user !== undefined &&
    user.password_hash !== null &&
    user.user_state === "ACTIVE" &&
    (pool.unconfirmed_user_sign_in_enabled || !isUnconfirmed(user));
  if (!matches || !allowed) {
    await recordFailure(deps.db, keys, now);
    return INVALID;
  }
  await clearUser(deps.db, keys);
  await rehashIfWeak(deps, user, password);
  return { ok: true, user };
}

/** A hash made with weaker scrypt parameters than today's is replaced once the password is known right. */
async function rehashIfWeak(deps: Pick<Deps, "db" | "hashQueue">, row: UserRow, password: string): Promise<void> {
  if (!row.password_hash || !needsRehash(row.password_hash)) return;
  const rehashed = await hashPasswordFor(deps.hashQueue, row.account_id, password);
  await q.replacePasswordHash(deps.db, row.account_id, row.user_pool_uid, row.uid, row.password_hash, rehashed);
}

/**
 * For tests and tools: does this password verify against the user's stored hash (no switches, no
 * throttling)? Upgrades a weak hash on success, as a sign-in does. Throws NotFound for no such user.
 */
export async function verifyPassword(
  deps: Pick<AppDeps, "db" | "hashQueue">,
  accountId: string,
  poolUid: string,
  userUid: string,
  password: string,
): Promise<boolean> {
  const row = await q.findUser(deps.db, accountId, poolUid, userUid);
  if (!row) throw errors.notFound(`User ${userUid}`);
  if (!row.password_hash || !(await verifyPasswordFor(deps.hashQueue, accountId, password, row.password_hash))) return false;
  await rehashIfWeak(deps, row, password);
  return true;
}

export type SignInMethod = "password" | "email_code" | "sms_code" | "oauth" | "oidc" | "saml";

export interface SignInRecord {
  accountId: string;
  poolUid: string;
  userUid: string;
  method: SignInMethod;
  userAgent?: string | undefined;
  /** The connection a federated sign-in came through (LatestLoginConnection*). */
  connection?: { name: string; provider: string; type: string } | undefined;
}

/**
 * Counts a successful sign-in on the user (NumLogins, LatestLogin, LatestLoginMethod, LatestBrowser,
 * LatestLoginConnection*). UpdateTime stays: signing in changes no attribute of the user. One atomic
 * update, so concurrent sign-ins on any instance all count. False when the user is gone.
 */
export async function recordSignIn(deps: Pick<AppDeps, "db" | "clock">, r: SignInRecord): Promise<boolean> {
  const c = r.connection;
  const result = await deps.db
    .updateTable("users")
    .set((eb) => ({
      // Saturates rather than overflowing the integer column.
      num_logins: sql<number>`least(${eb.ref("num_logins")} + 1, 2147483647)`,
      latest_login_at: deps.clock.now(),
      latest_login_method: r.method,
      latest_browser: browserFamily(r.userAgent),
      latest_login_connection_name: c?.name.slice(0, 256) ?? "",
      latest_login_connection_provider: c?.provider.slice(0, 256) ?? "",
      latest_login_connection_type: c?.type.slice(0, 64) ?? "",
    }))
    .where("account_id", "=", r.accountId)
    .where("user_pool_uid", "=", r.poolUid)
    .where("uid", "=", r.userUid)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
