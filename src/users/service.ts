// Users of a pool: each function is one use case; writes own their transaction. Passwords are
// checked against the pool's policy and hashed (concurrently, off the event loop) before the
// transaction opens, so no row lock is held while scrypt runs; hashing goes through the account's lane
// of the fair hash queue (hash-queue.ts). Handlers charge the hashing to the caller's rate limit first.
import { randomUUID } from "node:crypto";
import type { AppDeps } from "../deps.js";
import { ApiError, errors } from "../core/errors.js";
import { parentPool } from "../user-pools/parent.js";
import { DEFAULT_PASSWORD_POLICY } from "../user-pools/view.js";
import { revokeOutstandingTokens } from "../password-reset/queries.js";
import { fieldOf, type ItemFailure, type ItemOutcome } from "./batch.js";
import { normalizeEmail } from "../core/email.js";
import { hashPasswordFor, needsRehash, policyViolation, verifyPasswordFor } from "./password.js";
import * as q from "./queries.js";
import type { UserState } from "./tables.js";
import { userView, type UserView, type ViewOptions } from "./view.js";
import { DuplicatedUser, translateUniqueViolation, validateNewUser, type UserFields } from "./rules.js";
import { applyCustomAttributes, poolCustomAttributes } from "./custom-attributes.js";
import { patchOf, type PatchRules } from "../core/patch.js";
import { withGroupUids } from "./group-membership.js";

export type { UserFields } from "./rules.js";
type Deps = Pick<AppDeps, "db" | "config" | "clock" | "hashQueue">;

const userNotFound = (uid: string) => errors.notFound(`User ${uid}`);
const failure = (error: ApiError, fallback: string): ItemFailure => ({ error, field: fieldOf(error, fallback) });

/**
 * Creates users; each item is its fields, or the ApiError its validation already produced. The
 * whole call fails only when the pool does not exist; everything else is a per-item outcome.
 */
export async function createUsers(deps: Deps, accountId: string, poolUid: string, items: (UserFields | ApiError)[]): Promise<ItemOutcome[]> {
  const pool = await parentPool(deps.db, accountId, poolUid, "read");
  const policy = { ...DEFAULT_PASSWORD_POLICY, ...pool.password_policy };
  const outcomes: (ItemOutcome | undefined)[] = validateNewUser(items, policy);
  const wantsCustom = items.some((item) => !(item instanceof ApiError) && item.CustomAttributesToUpsert?.length);
  const defs = wantsCustom ? await poolCustomAttributes(deps.db, accountId, poolUid) : [];
  const custom = items.map((item, i) => {
    if (item instanceof ApiError || outcomes[i]) return {};
    const values = applyCustomAttributes(defs, {}, item.CustomAttributesToUpsert ?? []);
    if (values instanceof ApiError) outcomes[i] = failure(values, "CustomAttributesToUpsert");
    return values instanceof ApiError ? {} : values;
  });
  const pending = items.map((item, i) => ({ i, item })).filter((x): x is { i: number; item: UserFields } => !outcomes[x.i]);

  // All hashes queued at once: the queue runs as many as it has slots for, so a batch uses every core
  // while another account's hash still gets its turn.
  const hashes = await Promise.all(pending.map(({ item }) => (item.Password === undefined ? null : hashPasswordFor(deps.hashQueue, accountId, item.Password))));
  const now = deps.clock.now();
  const rows = pending.map(({ item, i }, k) => ({ ...toRow(item), custom_attributes: custom[i]!, account_id: accountId, user_pool_uid: poolUid, uid: randomUUID(), password_hash: hashes[k] ?? null, created_at: now, updated_at: now }));

  await deps.db.transaction().execute(async (trx) => {
    // The pool's counter lock serializes creators in this pool, so the quota check cannot be overshot.
    const locked = await parentPool(trx, accountId, poolUid, "counter");
    const room = Math.max(0, deps.config.quotas.usersPerPool - locked.total_users);
    pending.slice(room).forEach(({ i }) => (outcomes[i] = failure(errors.quotaExceeded("UsersPerPool"), "Users")));
    const toInsert = rows.slice(0, room);
    const inserted = await q.insertUsersSkippingConflicts(trx, toInsert);
    const skipped = toInsert.map((row, k) => ({ row, i: pending[k]!.i })).filter(({ row }) => !inserted.has(row.uid));
    const taken = skipped.length
      ? await q.takenIdentifiers(trx, accountId, poolUid, {
          emails: skipped.flatMap(({ row }) => (row.email ? [normalizeEmail(row.email)] : [])),
          usernames: skipped.flatMap(({ row }) => (row.preferred_username ? [row.preferred_username.toLowerCase()] : [])),
          phones: skipped.flatMap(({ row }) => (row.phone_number ? [row.phone_number] : [])),
        })
      : undefined;
    for (const { row, i } of toInsert.map((row, k) => ({ row, i: pending[k]!.i }))) {
      if (inserted.has(row.uid)) outcomes[i] = { uid: row.uid };
      else {
        const field = row.email && taken?.emails.has(normalizeEmail(row.email)) ? "Email"
          : row.preferred_username && taken?.usernames.has(row.preferred_username.toLowerCase()) ? "PreferredUsername" : "PhoneNumber";
        const value = (field === "Email" ? row.email : field === "PreferredUsername" ? row.preferred_username : row.phone_number) ?? "";
        const holder = field === "Email" ? taken?.emails.get(normalizeEmail(value)) : field === "PreferredUsername" ? taken?.usernames.get(value.toLowerCase()) : taken?.phones.get(value);
        outcomes[i] = { error: new DuplicatedUser(field, value), field, duplicatedUserUid: holder ?? "" };
      }
    }
  });
  return outcomes.map((o) => o!);
}

export async function createUser(deps: Deps, accountId: string, poolUid: string, fields: UserFields): Promise<UserView> {
  const [outcome] = await createUsers(deps, accountId, poolUid, [fields]);
  if ("error" in outcome!) throw outcome.error;
  return getUser(deps, accountId, poolUid, outcome!.uid);
}

function toRow(f: UserFields) {
  return {
    preferred_username: f.PreferredUsername || null,
    email: f.Email || null,
    email_verified: f.EmailVerified ?? false,
    phone_number: f.PhoneNumber || null,
    phone_number_verified: f.PhoneNumberVerified ?? false,
    name: f.Name ?? "",
    given_name: f.GivenName ?? "",
    family_name: f.FamilyName ?? "",
    middle_name: f.MiddleName ?? "",
    nickname: f.Nickname ?? "",
    picture: f.Picture ?? "",
    profile: f.Profile ?? "",
    website: f.Website ?? "",
    gender: f.Gender ?? "",
    birthdate: f.Birthdate ?? "",
    zoneinfo: f.Zoneinfo ?? "",
    locale: f.Locale ?? "",
    user_metadata: f.UserMetadata ?? "{}",
    user_state: f.UserState ?? "ACTIVE",
  };
}

export async function getUser(deps: Pick<Deps, "db">, accountId: string, poolUid: string, uid: string, view: ViewOptions = {}): Promise<UserView> {
  await parentPool(deps.db, accountId, poolUid, "read");
  const row = await q.findUser(deps.db, accountId, poolUid, uid);
  if (!row) throw userNotFound(uid);
  return withGroups(deps.db, accountId, poolUid, userView(row, view));
}

const withGroups = async (db: Deps["db"], accountId: string, poolUid: string, user: UserView) => (await withGroupUids(db, accountId, poolUid, [user]))[0]!;

/** The columns the plain fields write; identifiers, their verified flags, custom attributes and the password are handled below. */
const USER_PATCH: PatchRules<UserFields, q.UserRow> = {
  PreferredUsername: null, Email: null, EmailVerified: null, PhoneNumber: null, PhoneNumberVerified: null,
  Name: "name", GivenName: "given_name", FamilyName: "family_name", MiddleName: "middle_name", Nickname: "nickname",
  Picture: "picture", Profile: "profile", Website: "website", Gender: "gender", Birthdate: "birthdate", Zoneinfo: "zoneinfo", Locale: "locale",
  UserMetadata: "user_metadata", CustomAttributesToUpsert: null, UserState: null, Password: null,
};

/**
 * Partial update: omitted fields stay; "" clears Email, PreferredUsername or PhoneNumber. A changed
 * Email or PhoneNumber is unverified unless the call says otherwise. A new password, a changed Email,
 * or disabling the user revokes outstanding reset tokens: the link in flight must stop working.
 */
export async function updateUser(deps: Deps, accountId: string, poolUid: string, uid: string, f: Partial<UserFields>): Promise<UserView> {
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
      const values = applyCustomAttributes(await poolCustomAttributes(trx, accountId, poolUid), cur.custom_attributes, f.CustomAttributesToUpsert);
      if (values instanceof ApiError) throw values;
      customAttributes = values;
    }
    if (passwordHash !== undefined || emailChanged || (state === "DISABLED" && cur.user_state !== "DISABLED")) {
      await revokeOutstandingTokens(trx, accountId, poolUid, uid, now);
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
    return translateUniqueViolation(q.updateUser(trx, accountId, poolUid, uid, changes), { Email: email, PreferredUsername: username, PhoneNumber: phone });
  });
  if (!row) throw userNotFound(uid);
  return withGroups(deps.db, accountId, poolUid, userView(row));
}

export type UserUpdate = Partial<UserFields> & { UserUid: string };

/**
 * UpdateUsers: each item is UpdateUser on its own (its own transaction, in request order), or the
 * ApiError its validation already produced. The whole call fails only when the pool does not exist.
 */
export async function updateUsers(deps: Deps, accountId: string, poolUid: string, items: (UserUpdate | ApiError)[]): Promise<ItemOutcome[]> {
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
        outcomes.push({ error: err, field: err.field, duplicatedUserUid: (await q.uidHolding(deps.db, accountId, poolUid, err.field, err.value)) ?? "" });
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

/**
 * For sign-in and tests: does this password verify against the user's stored hash? A hash made with
 * weaker scrypt parameters than today's is replaced on a successful check: that is how raising
 * SCRYPT_PARAMS reaches existing users without anyone resetting a password.
 */
export async function verifyPassword(deps: Pick<Deps, "db" | "hashQueue">, accountId: string, poolUid: string, userUid: string, password: string): Promise<boolean> {
  const row = await q.findUser(deps.db, accountId, poolUid, userUid);
  if (!row) throw userNotFound(userUid);
  if (!row.password_hash || !(await verifyPasswordFor(deps.hashQueue, accountId, password, row.password_hash))) return false;
  if (needsRehash(row.password_hash)) {
    const rehashed = await hashPasswordFor(deps.hashQueue, accountId, password);
    await q.replacePasswordHash(deps.db, accountId, poolUid, userUid, row.password_hash, rehashed);
  }
  return true;
}
