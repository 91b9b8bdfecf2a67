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
import type { Transaction } from "kysely";
import type { Database } from "../db/schema.js";
import { withExternalIdentities } from "../external-identities/view.js";
import { fieldOf, type ItemFailure, type ItemOutcome } from "./batch.js";
import { isFederated, linkingErrors, linkNewUsers, requireConnection, type LinkTarget } from "./linking.js";
import type { z } from "zod";
import type { NewUserFields, updateUserInput, updateUsersItem } from "./schemas.js";
import { normalizeEmail } from "../core/email.js";
import { hashPasswordFor, needsRehash, policyViolation, verifyPasswordFor } from "./password.js";
import * as q from "./queries.js";
import type { UserState } from "./tables.js";
import { userView, type UserView, type ViewOptions } from "./view.js";
import { DuplicatedUser, translateUniqueViolation, validateNewUser, type UserFields } from "./rules.js";
import { applyCustomAttributes, poolCustomAttributes } from "./custom-attributes.js";
import { emptyIsNull, patchOf, type PatchRules } from "../core/patch.js";

export type { UserFields } from "./rules.js";
type Deps = Pick<AppDeps, "db" | "config" | "clock" | "hashQueue">;
/** UpdateUser's fields, typed from its schema (UpdateUsers' items are a subset). */
export type UpdateUserFields = Omit<z.output<typeof updateUserInput>, "UserPoolUid" | "UserUid">;

const userNotFound = (uid: string) => errors.notFound(`User ${uid}`);
const federatedHasNoPassword = () =>
  errors.invalidParameter("Password", "a federated user signs in through its connection and has no password; make it native first (BatchConvertFederatedUsersToNativeUsers)");
const failure = (error: ApiError, fallback: string): ItemFailure => ({ error, field: fieldOf(error, fallback) });

/** The columns the plain fields write; identifiers, their verified flags, custom attributes and the password are handled below. */
const USER_PATCH: PatchRules<UserFields, q.UserRow> = {
  PreferredUsername: null, Email: null, EmailVerified: null, PhoneNumber: null, PhoneNumberVerified: null,
  Name: "name", GivenName: "given_name", FamilyName: "family_name", MiddleName: "middle_name", Nickname: "nickname",
  Picture: "picture", Profile: "profile", Website: "website", Gender: "gender", Birthdate: "birthdate", Zoneinfo: "zoneinfo", Locale: "locale",
  UserMetadata: "user_metadata", CustomAttributesToUpsert: null, UserState: null, Password: null,
};

/** What a new user starts with, before its fields apply. */
const NEW_USER_DEFAULTS = {
  preferred_username: null as string | null, email: null as string | null, email_verified: false, phone_number: null as string | null, phone_number_verified: false,
  name: "", given_name: "", family_name: "", middle_name: "", nickname: "", picture: "", profile: "", website: "", gender: "", birthdate: "", zoneinfo: "", locale: "",
  user_metadata: "{}", user_state: "ACTIVE" as UserState,
};

/**
 * Create's columns: every field of CreateUser's schema has a rule, so a field added there without
 * one is a type error (test/typed-inputs.test.ts) rather than a parameter accepted and dropped.
 */
export const NEW_USER_FIELDS: PatchRules<NewUserFields, q.UserRow> = {
  ...USER_PATCH,
  PreferredUsername: emptyIsNull("preferred_username"),
  Email: emptyIsNull("email"),
  PhoneNumber: emptyIsNull("phone_number"),
  EmailVerified: "email_verified",
  PhoneNumberVerified: "phone_number_verified",
  UserState: "user_state",
  // createUsers handles these: checked against the pool's definitions, hashed, linked (linking.ts).
  CustomAttributesToUpsert: null,
  Password: null,
  ExternalProviderUserIdentifier: null,
};

const toRow = (f: NewUserFields) => ({ ...NEW_USER_DEFAULTS, ...(patchOf(f, {}, NEW_USER_FIELDS) as Partial<typeof NEW_USER_DEFAULTS>) });

/** A valid item on its way in: its index in the request, its row, and its identity at the request's connection. */
interface PendingUser {
  i: number;
  row: q.NewUserRow & { uid: string };
  externalId: string | undefined;
}

type Outcomes = (ItemOutcome | undefined)[];

/**
 * Creates users; each item is its fields, or the ApiError its validation already produced. The
 * whole call fails only when the pool (or the connection named) does not exist; everything else is
 * a per-item outcome. With a connection, each user is linked to its identity there (linking.ts).
 */
export async function createUsers(deps: Deps, accountId: string, poolUid: string, items: (NewUserFields | ApiError)[], connection?: LinkTarget): Promise<ItemOutcome[]> {
  const pool = await parentPool(deps.db, accountId, poolUid, "read");
  await requireConnection(deps.db, accountId, poolUid, connection);
  const policy = { ...DEFAULT_PASSWORD_POLICY, ...pool.password_policy };
  const linking = linkingErrors(items, connection);
  const outcomes: Outcomes = validateNewUser(items, policy, (item) => isFederated(item, connection)).map((o, i) => o ?? linking[i]);
  const custom = await customAttributeValues(deps, accountId, poolUid, items, outcomes);
  const pending = await pendingUsers(deps, accountId, poolUid, items, outcomes, custom, connection);
  await deps.db.transaction().execute(async (trx) => {
    // The pool's counter lock serializes creators in this pool, so the quota check cannot be overshot.
    const locked = await parentPool(trx, accountId, poolUid, "counter");
    const room = Math.max(0, deps.config.quotas.usersPerPool - locked.total_users);
    pending.slice(room).forEach(({ i }) => (outcomes[i] = failure(errors.quotaExceeded("UsersPerPool"), "Users")));
    const admitted = pending.slice(0, room);
    const inserted = await q.insertUsersSkippingConflicts(trx, admitted.map((p) => p.row));
    await reportTakenIdentifiers(trx, accountId, poolUid, admitted.filter((p) => !inserted.has(p.row.uid)), outcomes);
    const created = admitted.filter((p) => inserted.has(p.row.uid));
    const lost = connection === undefined
      ? new Map<string, ItemFailure>()
      : await linkNewUsers(trx, { accountId, poolUid, connection }, created.map((p) => ({ uid: p.row.uid, externalId: p.externalId! })), deps.clock.now());
    for (const p of created) outcomes[p.i] = lost.get(p.row.uid) ?? { uid: p.row.uid };
  });
  return outcomes.map((o) => o!);
}

/** Each valid item's custom attribute values, checked against the pool's definitions (a bad one fails its item). */
async function customAttributeValues(deps: Deps, accountId: string, poolUid: string, items: (NewUserFields | ApiError)[], outcomes: Outcomes) {
  const wantsCustom = items.some((item) => !(item instanceof ApiError) && item.CustomAttributesToUpsert?.length);
  const defs = wantsCustom ? await poolCustomAttributes(deps.db, accountId, poolUid) : [];
  return items.map((item, i) => {
    if (item instanceof ApiError || outcomes[i]) return {};
    const values = applyCustomAttributes(defs, {}, item.CustomAttributesToUpsert ?? []);
    if (values instanceof ApiError) outcomes[i] = failure(values, "CustomAttributesToUpsert");
    return values instanceof ApiError ? {} : values;
  });
}

/** The rows of the items still without an outcome, their passwords hashed before any transaction opens. */
async function pendingUsers(
  deps: Deps,
  accountId: string,
  poolUid: string,
  items: (NewUserFields | ApiError)[],
  outcomes: Outcomes,
  custom: Record<string, string>[],
  connection: LinkTarget,
): Promise<PendingUser[]> {
  const valid = items.flatMap((item, i) => (item instanceof ApiError || outcomes[i] ? [] : [{ item, i }]));
  // All hashes queued at once: the queue runs as many as it has slots for, so a batch uses every core
  // while another account's hash still gets its turn.
  const hashes = await Promise.all(valid.map(({ item }) => (item.Password === undefined ? null : hashPasswordFor(deps.hashQueue, accountId, item.Password))));
  const now = deps.clock.now();
  return valid.map(({ item, i }, k) => ({
    i,
    externalId: item.ExternalProviderUserIdentifier || undefined,
    row: {
      ...toRow(item),
      custom_attributes: custom[i]!,
      account_id: accountId,
      user_pool_uid: poolUid,
      uid: randomUUID(),
      password_hash: hashes[k] ?? null,
      connection_uid: isFederated(item, connection) ? connection! : null,
      created_at: now,
      updated_at: now,
    },
  }));
}

/** Native users not inserted because a unique identifier is taken: Duplicated, naming the field and the user holding it. */
async function reportTakenIdentifiers(trx: Transaction<Database>, accountId: string, poolUid: string, skipped: PendingUser[], outcomes: Outcomes): Promise<void> {
  if (skipped.length === 0) return;
  const rows = skipped.map((p) => p.row);
  const taken = await q.takenIdentifiers(trx, accountId, poolUid, {
    emails: rows.flatMap((row) => (row.email ? [normalizeEmail(row.email)] : [])),
    usernames: rows.flatMap((row) => (row.preferred_username ? [row.preferred_username.toLowerCase()] : [])),
    phones: rows.flatMap((row) => (row.phone_number ? [row.phone_number] : [])),
  });
  for (const { row, i } of skipped) {
    const field = row.email && taken.emails.has(normalizeEmail(row.email)) ? "Email"
      : row.preferred_username && taken.usernames.has(row.preferred_username.toLowerCase()) ? "PreferredUsername" : "PhoneNumber";
    const value = (field === "Email" ? row.email : field === "PreferredUsername" ? row.preferred_username : row.phone_number) ?? "";
    const holder = field === "Email" ? taken.emails.get(normalizeEmail(value)) : field === "PreferredUsername" ? taken.usernames.get(value.toLowerCase()) : taken.phones.get(value);
    outcomes[i] = { error: new DuplicatedUser(field, value), field, duplicatedUserUid: holder ?? "" };
  }
}

export async function createUser(deps: Deps, accountId: string, poolUid: string, fields: NewUserFields, connection?: LinkTarget): Promise<UserView> {
  const [outcome] = await createUsers(deps, accountId, poolUid, [fields], connection);
  if ("error" in outcome!) throw outcome.error;
  return getUser(deps, accountId, poolUid, outcome!.uid);
}

export async function getUser(deps: Pick<Deps, "db">, accountId: string, poolUid: string, uid: string, view: ViewOptions = {}): Promise<UserView> {
  await parentPool(deps.db, accountId, poolUid, "read");
  const row = await q.findUser(deps.db, accountId, poolUid, uid);
  if (!row) throw userNotFound(uid);
  return oneWithIdentities(deps, accountId, poolUid, userView(row, view));
}

const oneWithIdentities = async (deps: Pick<Deps, "db">, accountId: string, poolUid: string, user: UserView) =>
  (await withExternalIdentities(deps.db, accountId, poolUid, [user]))[0]!;

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
  return oneWithIdentities(deps, accountId, poolUid, userView(row));
}

export type UserUpdate = z.output<typeof updateUsersItem>;

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
