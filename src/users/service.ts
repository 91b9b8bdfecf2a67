// Users of a pool: each function is one use case; writes own their transaction (creates: create.ts). Passwords are
// checked against the pool's policy and hashed (concurrently, off the event loop) before the
// transaction opens, so no row lock is held while scrypt runs; hashing goes through the account's lane
// of the fair hash queue (hash-queue.ts). Handlers charge the hashing to the caller's rate limit first.
import type { z } from "zod";
import type { AppDeps } from "../deps.js";
import { ApiError, errors } from "../core/errors.js";
import { normalizeEmail } from "../core/email.js";
import { patchOf } from "../core/patch.js";
import { externalIdentityView, withExternalIdentities } from "../external-identities/view.js";
import type { IdentityRow } from "../external-identities/queries.js";
import { parentPool } from "../user-pools/parent.js";
import { DEFAULT_PASSWORD_POLICY } from "../user-pools/view.js";
import { failure, type ItemOutcome } from "./batch.js";
import { applyCustomAttributes, poolCustomAttributes } from "./custom-attributes.js";
import { USER_PATCH } from "./columns.js";
import { hashPasswordFor, policyViolation } from "./password.js";
import * as q from "./queries.js";
import { DuplicatedUser, translateUniqueViolation } from "./rules.js";
import type { updateUserInput, updateUsersItem } from "./schemas.js";
import type { UserState } from "./tables.js";
import { userView, type UserView, type ViewOptions } from "./view.js";
import { withGroupUids } from "./group-membership.js";
import { withDepartmentUids } from "./department-membership.js";

export type { UserFields } from "./rules.js";
type Deps = Pick<AppDeps, "db" | "config" | "clock" | "hashQueue">;
/** UpdateUser's fields, typed from its schema (UpdateUsers' items are a subset). */
export type UpdateUserFields = Omit<z.output<typeof updateUserInput>, "UserPoolUid" | "UserUid">;

const userNotFound = (uid: string) => errors.notFound(`User ${uid}`);
const federatedHasNoPassword = () =>
  errors.invalidParameter(
    "Password",
    "a federated user signs in through its connection and has no password; make it native first (BatchConvertFederatedUsersToNativeUsers)",
  );

export async function getUser(
  deps: Pick<Deps, "db">,
  accountId: string,
  poolUid: string,
  uid: string,
  view: ViewOptions = {},
): Promise<UserView> {
  const row = await q.findWholeUser(deps.db, accountId, poolUid, uid);
  if (!row) {
    // Which one is missing: the pool's NotFound comes first, as when the pool was read first.
    await parentPool(deps.db, accountId, poolUid, "read");
    throw userNotFound(uid);
  }
  const user = userView(row, view);
  user.GroupUids = row.group_uids;
  user.DepartmentUids = row.department_uids;
  user.ExternalIdentities = row.identities_json.map((i) =>
    externalIdentityView({
      ...i,
      user_uid: uid,
      updated_at: new Date(i.updated_at),
      last_login_at: i.last_login_at === null ? null : new Date(i.last_login_at),
    } as IdentityRow),
  );
  return user;
}

/** The user with what its row does not carry: its GroupUids, DepartmentUids and ExternalIdentities. */
async function filled(deps: Pick<Deps, "db">, accountId: string, poolUid: string, user: UserView): Promise<UserView> {
  await Promise.all([withGroupUids(deps.db, accountId, poolUid, [user]), withDepartmentUids(deps.db, accountId, poolUid, [user])]);
  return (await withExternalIdentities(deps.db, accountId, poolUid, [user]))[0]!;
}

/**
 * Partial update: omitted fields stay; "" clears Email, PreferredUsername or PhoneNumber. A changed
 * Email or PhoneNumber is unverified unless the call says otherwise. A new password, a changed Email,
 * or disabling the user revokes outstanding reset tokens: the link in flight must stop working.
 */
export async function updateUser(deps: Deps, accountId: string, poolUid: string, uid: string, f: UpdateUserFields): Promise<UserView> {
  const pool = await parentPool(deps.db, accountId, poolUid, "read");
  if (f.Password !== undefined) {
    const weak = policyViolation(f.Password, { ...DEFAULT_PASSWORD_POLICY, ...pool.password_policy });
    if (weak) throw errors.invalidParameter("Password", weak);
  }
  const passwordHash = f.Password === undefined ? undefined : await hashPasswordFor(deps.hashQueue, accountId, f.Password);
  const now = deps.clock.now();
  const row = await deps.db.transaction().execute(async (trx) => {
    await parentPool(trx, accountId, poolUid, "share");
    const cur = await q.findUserForUpdate(trx, accountId, poolUid, uid);
    if (!cur) throw userNotFound(uid);
    if (passwordHash !== undefined && cur.connection_uid !== null) throw federatedHasNoPassword();
    const email = f.Email === undefined ? cur.email : f.Email || null;
    const username = f.PreferredUsername === undefined ? cur.preferred_username : f.PreferredUsername || null;
    const phone = f.PhoneNumber === undefined ? cur.phone_number : f.PhoneNumber || null;
    if (!email && !username && !phone) {
      const cleared = f.Email === "" ? "Email" : f.PhoneNumber === "" ? "PhoneNumber" : "PreferredUsername";
      throw errors.invalidParameter(cleared, "a user needs at least one of PreferredUsername, Email or PhoneNumber");
    }
    const emailChanged = normalizeEmail(email ?? "") !== normalizeEmail(cur.email ?? "");
    const phoneChanged = phone !== cur.phone_number;
    const state: UserState = f.UserState ?? cur.user_state;
    let customAttributes = cur.custom_attributes;
    if (f.CustomAttributesToUpsert?.length) {
      const values = applyCustomAttributes(
        await poolCustomAttributes(trx, accountId, poolUid),
        cur.custom_attributes,
        f.CustomAttributesToUpsert,
      );
      if (values instanceof ApiError) throw values;
      customAttributes = values;
    }
    if (passwordHash !== undefined || emailChanged || (state === "DISABLED" && cur.user_state !== "DISABLED")) {
      await q.revokeOutstandingTokens(trx, accountId, poolUid, uid, now);
    }
    const changes = {
      preferred_username: username,
      email,
      phone_number: phone,
      email_verified: f.EmailVerified ?? (emailChanged ? false : cur.email_verified),
      phone_number_verified: f.PhoneNumberVerified ?? (phoneChanged ? false : cur.phone_number_verified),
      ...patchOf(f, cur, USER_PATCH),
      custom_attributes: customAttributes,
      user_state: state,
      ...(passwordHash !== undefined && { password_hash: passwordHash }),
      updated_at: now,
    };
    return translateUniqueViolation(q.updateUser(trx, accountId, poolUid, uid, changes), {
      Email: email,
      PreferredUsername: username,
      PhoneNumber: phone,
    });
  });
  if (!row) throw userNotFound(uid);
  return filled(deps, accountId, poolUid, userView(row));
}

export type UserUpdate = z.output<typeof updateUsersItem>;

/**
 * UpdateUsers: each item is UpdateUser on its own (its own transaction, in request order), or the
 * ApiError its validation already produced. The whole call fails only when the pool does not exist.
 */
export async function updateUsers(
  deps: Deps,
  accountId: string,
  poolUid: string,
  items: (UserUpdate | ApiError)[],
): Promise<ItemOutcome[]> {
  await parentPool(deps.db, accountId, poolUid, "read");
  const outcomes: ItemOutcome[] = [];
  for (const item of items) {
    if (item instanceof ApiError) {
      outcomes.push(failure(item, "Users"));
      continue;
    }
    const { UserUid, ...fields } = item;
    try {
      await updateUser(deps, accountId, poolUid, UserUid, fields);
      outcomes.push({ uid: UserUid });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err instanceof DuplicatedUser) {
        outcomes.push({
          error: err,
          field: err.field,
          duplicatedUserUid: (await q.uidHolding(deps.db, accountId, poolUid, err.field, err.value)) ?? "",
        });
      } else outcomes.push(failure(err, err.code === "NotFound" ? "UserUid" : "Users"));
    }
  }
  return outcomes;
}

/** Deletes what exists; an unknown (or repeated) uid is that item's NotFound. */
export async function deleteUsers(deps: Deps, accountId: string, poolUid: string, uids: string[]): Promise<ItemOutcome[]> {
  await parentPool(deps.db, accountId, poolUid, "read");
  const deleted = await deps.db.transaction().execute(async (trx) => {
    // Pool first (the counter trigger updates it anyway): the same order as DeleteUserPool's cascade.
    await parentPool(trx, accountId, poolUid, "counter");
    return q.deleteUsers(trx, accountId, poolUid, [...new Set(uids)]);
  });
  const seen = new Set<string>();
  return uids.map((uid) => {
    const first = !seen.has(uid);
    seen.add(uid);
    return first && deleted.has(uid) ? { uid } : { error: userNotFound(uid), field: "UserUids" };
  });
}

// Checking a password is sign-in's (sign-in.ts); kept importable from here for the control plane's callers.
export { verifyPassword } from "./sign-in.js";
