// Password reset (seed 001, docs/spec/api.md §6): ResetPassword issues a single-use token and queues the email
// carrying its link, in one transaction; CompletePasswordReset spends the token once and sets the
// password. Only the token's SHA-256 is stored; the token itself exists in the outbox row until the
// mail is delivered, and in no response and no log line. Reset mails are limited per user and per
// address (limits.ts), and go only to a plain address through an https (or loopback) link.
import { createHash, randomBytes } from "node:crypto";
import type { AppDeps } from "../deps.js";
import { errors } from "../core/errors.js";
import { emailEnabledLocked } from "../delivery-settings/service.js";
import { enqueueMail } from "../platform/mail/outbox.js";
import { isSecureWebUrl } from "../core/url.js";
import { findParentPool, parentPool } from "../user-pools/parent.js";
import { DEFAULT_PASSWORD_POLICY } from "../user-pools/view.js";
import { isPlainEmail, normalizeEmail } from "../core/email.js";
import { hashPasswordFor, policyViolation } from "../users/password.js";
import * as users from "../users/queries.js";
import { checkResetMailLimits, logResetMail } from "./limits.js";
import { resetEmail, resetLink } from "./message.js";
import * as q from "./queries.js";
import { endUserSessions } from "../sign-in/user-sessions.js";

type Deps = Pick<AppDeps, "db" | "clock" | "config" | "hashQueue">;

/** 256 bits from the CSPRNG, URL-safe. */
const TOKEN_BYTES = 32;
export const hashToken = (token: string): Uint8Array => createHash("sha256").update(token, "utf8").digest();
const invalidToken = () => errors.invalidParameter("Token", "the token is invalid, has expired or has already been used");

export interface ResetTarget {
  UserUid?: string | undefined;
  Email?: string | undefined;
}

/**
 * A reset started from a pool's hosted pages (src/sign-in/self-service/recovery.ts): the link to the
 * hosted completion page, used when the pool has no ResetPasswordUrl of its own, and the mail in the
 * page's language with the pool's brand. Everything else (token, limits, checks) is the same.
 */
export interface HostedReset {
  hostedUrl: string;
  mail(link: string, expiresAt: Date): { subject: string; bodyText: string; bodyHtml: string };
}

export interface ResetStarted {
  userUid: string;
  /** false: the pool's email service is off, so no token was issued and no mail queued. */
  mailed: boolean;
}

/**
 * Starts a reset for one user, named by UserUid or Email (or both, if they agree). A pool whose email
 * service is off gets the same checks, then nothing: a token no mail carries could reach no one, and
 * issuing it would still revoke the link the user may already have.
 */
export async function startPasswordReset(
  deps: Deps,
  accountId: string,
  poolUid: string,
  target: ResetTarget,
  hosted?: HostedReset,
): Promise<ResetStarted> {
  if (!target.UserUid && !target.Email) throw errors.missingParameter("Email", "an email address or a user id is required");
  const pool = await parentPool(deps.db, accountId, poolUid, "read");
  if (!pool.enabled) throw errors.invalidRequest(`the user pool ${poolUid} is disabled`);
  const resetUrl = pool.reset_password_url ?? hosted?.hostedUrl;
  if (!resetUrl) throw errors.invalidRequest("the user pool has no ResetPasswordUrl; set one with UpdateUserPool first");
  // Stored before http was refused: the token must not travel in clear to a host on the network.
  if (!isSecureWebUrl(resetUrl)) {
    throw errors.invalidRequest(
      "the user pool's ResetPasswordUrl is not https (http only on a loopback host); set an https one with UpdateUserPool first",
    );
  }

  const byUid = target.UserUid ? await users.findUser(deps.db, accountId, poolUid, target.UserUid) : undefined;
  if (target.UserUid && !byUid) throw errors.notFound(`User ${target.UserUid}`);
  const byEmail = target.Email ? await users.findUserByEmail(deps.db, accountId, poolUid, target.Email) : undefined;
  if (target.Email && !byEmail) throw errors.notFound(`User with Email ${JSON.stringify(target.Email)}`);
  if (byUid && byEmail && byUid.uid !== byEmail.uid)
    throw errors.invalidParameter("UserUid", "the UserUid and the Email name different users");
  const userUid = (byUid ?? byEmail)!.uid;

  const token = randomBytes(TOKEN_BYTES).toString("base64url");
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + pool.reset_token_ttl_seconds * 1000);
  const mailed = await deps.db.transaction().execute(async (trx) => {
    // Pool, then user, then tokens: the lock order of every child write (src/user-pools/parent.ts).
    // The user's row lock serializes resets of one user: revoke-then-insert cannot interleave.
    await parentPool(trx, accountId, poolUid, "share");
    const user = await users.findUserForUpdate(trx, accountId, poolUid, userUid);
    if (!user) throw errors.notFound(`User ${userUid}`);
    if (user.user_state === "DISABLED") throw errors.invalidRequest(`the user ${userUid} is disabled`);
    if (user.connection_uid !== null)
      throw errors.invalidRequest(`the user ${userUid} is federated: it signs in through its connection and has no password to reset`);
    if (!user.email) throw errors.invalidRequest(`the user ${userUid} has no email address to send the reset link to`);
    // Stored before the address rule was tightened: it might name another mailbox (docs/security.md).
    if (!isPlainEmail(user.email)) {
      throw errors.invalidRequest(
        `the email address of user ${userUid} is not a plain address (name@example.com); correct it with UpdateUser first`,
      );
    }
    // Held until commit: turning the email service off waits for this reset (and then drops its mail).
    if (!(await emailEnabledLocked(trx, accountId, poolUid))) return false;
    // Throttling leaves everything as it was: the earlier link still works, no token, no mail.
    const mailKey = { accountId, poolUid, userUid, address: normalizeEmail(user.email) };
    await checkResetMailLimits(trx, deps.config.resetMailLimits, mailKey, now);
    await users.revokeOutstandingTokens(trx, accountId, poolUid, userUid, now);
    await q.insertToken(trx, { accountId, poolUid, userUid, tokenHash: hashToken(token), now, expiresAt });
    const link = resetLink(resetUrl, token);
    await enqueueMail(trx, {
      accountId,
      poolUid,
      kind: "password_reset",
      recipient: user.email,
      ...(hosted ? hosted.mail(link, expiresAt) : resetEmail(pool.name, link, expiresAt)),
      link,
      now,
    });
    await logResetMail(trx, mailKey, now);
    return true;
  });
  return { userUid, mailed };
}

/** Spends a token and sets the new password; returns the user's uid. */
export async function completePasswordReset(
  deps: Deps,
  accountId: string,
  poolUid: string,
  token: string,
  newPassword: string,
): Promise<string> {
  const pool = await parentPool(deps.db, accountId, poolUid, "read");
  if (!pool.enabled) throw errors.invalidRequest(`the user pool ${poolUid} is disabled`);
  // A weak password is refused before the token is touched, so the user can retry with a better one.
  const weak = policyViolation(newPassword, { ...DEFAULT_PASSWORD_POLICY, ...pool.password_policy });
  if (weak) throw errors.invalidParameter("NewPassword", weak);
  const ref = { accountId, poolUid, tokenHash: hashToken(token) };
  // Cheap check first: an unusable token costs no scrypt. The decisive check is consumeToken below.
  const owner = await q.findUsableToken(deps.db, ref, deps.clock.now());
  if (!owner) throw invalidToken();
  const passwordHash = await hashPasswordFor(deps.hashQueue, accountId, newPassword);
  return deps.db.transaction().execute(async (trx) => {
    // Pool, then user, then token (the family's lock order); concurrent completes queue on the user.
    if (!(await findParentPool(trx, accountId, poolUid, "share"))) throw invalidToken();
    if (!(await users.findUserForUpdate(trx, accountId, poolUid, owner))) throw invalidToken();
    const now = deps.clock.now();
    const userUid = await q.consumeToken(trx, ref, now);
    if (userUid !== owner) throw invalidToken();
    // The link reached the user's mailbox and was followed: the address is proven.
    await users.updateUser(trx, accountId, poolUid, userUid, { password_hash: passwordHash, email_verified: true, updated_at: now });
    await users.revokeOutstandingTokens(trx, accountId, poolUid, userUid, now);
    // Whoever signed in with the old password is signed out everywhere (sessions, refresh tokens).
    await endUserSessions(trx, accountId, poolUid, userUid);
    return userUid;
  });
}
