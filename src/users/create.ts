// CreateUser and CreateUsers in named steps: validate each item (identifiers, password policy,
// linking), check custom attributes, hash passwords before any transaction opens, then in one
// transaction under the pool's counter lock: admit what the quota allows, insert skipping conflicts,
// attribute each conflict to the user holding the value, and link the new users (linking.ts).
import { randomUUID } from "node:crypto";
import type { Transaction } from "kysely";
import type { AppDeps } from "../deps.js";
import { ApiError, errors } from "../core/errors.js";
import { normalizeEmail } from "../core/email.js";
import type { Database } from "../platform/db/schema.js";
import { parentPool } from "../user-pools/parent.js";
import { DEFAULT_PASSWORD_POLICY } from "../user-pools/view.js";
import { failure, type ItemFailure, type ItemOutcome } from "./batch.js";
import { applyCustomAttributes, poolCustomAttributes } from "./custom-attributes.js";
import { toRow } from "./columns.js";
import { isFederated, linkingErrors, linkNewUsers, requireConnection, type LinkTarget } from "./linking.js";
import { hashPasswordFor } from "./password.js";
import * as q from "./queries.js";
import { DuplicatedUser, validateNewUser } from "./rules.js";
import type { NewUserFields } from "./schemas.js";
import { getUser } from "./service.js";
import type { UserView } from "./view.js";
import { analyzeWithin, refreshStatistics } from "../platform/db/statistics.js";

type Deps = Pick<AppDeps, "db" | "config" | "clock" | "hashQueue" | "log">;

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
export async function createUsers(
  deps: Deps,
  accountId: string,
  poolUid: string,
  items: (NewUserFields | ApiError)[],
  connection?: LinkTarget,
): Promise<ItemOutcome[]> {
  const pool = await parentPool(deps.db, accountId, poolUid, "read");
  await requireConnection(deps.db, accountId, poolUid, connection);
  const policy = { ...DEFAULT_PASSWORD_POLICY, ...pool.password_policy };
  const linking = linkingErrors(items, connection);
  const outcomes: Outcomes = validateNewUser(items, policy, (item) => isFederated(item, connection)).map((o, i) => o ?? linking[i]);
  const custom = await customAttributeValues(deps, accountId, poolUid, items, outcomes);
  const pending = await pendingUsers(deps, accountId, poolUid, items, outcomes, custom, connection);
  // One time for the users and their links: a new user's identity was made with it.
  const now = pending[0]?.row.created_at ?? deps.clock.now();
  const bulkAt = deps.config.database.analyzeAfterRows;
  let bulk = false;
  await deps.db.transaction().execute(async (trx) => {
    // The pool's counter lock serializes creators in this pool, so the quota check cannot be overshot.
    const locked = await parentPool(trx, accountId, poolUid, "counter");
    const room = Math.max(0, deps.config.quotas.usersPerPool - locked.total_users);
    pending.slice(room).forEach(({ i }) => (outcomes[i] = failure(errors.quotaExceeded("UsersPerPool"), "Users")));
    const admitted = pending.slice(0, room);
    const inserted = await q.insertUsersSkippingConflicts(
      trx,
      admitted.map((p) => p.row),
    );
    await reportTakenIdentifiers(
      trx,
      accountId,
      poolUid,
      admitted.filter((p) => !inserted.has(p.row.uid)),
      outcomes,
    );
    const created = admitted.filter((p) => inserted.has(p.row.uid));
    bulk = bulkAt > 0 && created.length >= bulkAt;
    // The links' foreign-key checks look each new user up: planned against statistics without them,
    // each was a scan of the pool (60 s for 10,000 links), so the statistics learn of them first.
    if (bulk && connection !== undefined) await analyzeWithin(trx, "users");
    const lost =
      connection === undefined
        ? new Map<string, ItemFailure>()
        : await linkNewUsers(
            trx,
            { accountId, poolUid, connection },
            created.map((p) => ({ uid: p.row.uid, externalId: p.externalId! })),
            now,
          );
    for (const p of created) outcomes[p.i] = lost.get(p.row.uid) ?? { uid: p.row.uid };
  });
  // Not awaited: the caller has its answer; later requests get plans that know of the new rows.
  if (bulk) void refreshStatistics(deps.db, deps.log, connection === undefined ? ["users"] : ["users", "external_identities"]);
  return outcomes.map((o) => o!);
}

/** Each valid item's custom attribute values, checked against the pool's definitions (a bad one fails its item). */
async function customAttributeValues(
  deps: Deps,
  accountId: string,
  poolUid: string,
  items: (NewUserFields | ApiError)[],
  outcomes: Outcomes,
) {
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
  const hashes = await Promise.all(
    valid.map(({ item }) => (item.Password === undefined ? null : hashPasswordFor(deps.hashQueue, accountId, item.Password))),
  );
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
async function reportTakenIdentifiers(
  trx: Transaction<Database>,
  accountId: string,
  poolUid: string,
  skipped: PendingUser[],
  outcomes: Outcomes,
): Promise<void> {
  if (skipped.length === 0) return;
  const rows = skipped.map((p) => p.row);
  const taken = await q.takenIdentifiers(trx, accountId, poolUid, {
    emails: rows.flatMap((row) => (row.email ? [normalizeEmail(row.email)] : [])),
    usernames: rows.flatMap((row) => (row.preferred_username ? [row.preferred_username.toLowerCase()] : [])),
    phones: rows.flatMap((row) => (row.phone_number ? [row.phone_number] : [])),
  });
  for (const { row, i } of skipped) {
    const field =
      row.email && taken.emails.has(normalizeEmail(row.email))
        ? "Email"
        : row.preferred_username && taken.usernames.has(row.preferred_username.toLowerCase())
          ? "PreferredUsername"
          : "PhoneNumber";
    const value = (field === "Email" ? row.email : field === "PreferredUsername" ? row.preferred_username : row.phone_number) ?? "";
    const holder =
      field === "Email"
        ? taken.emails.get(normalizeEmail(value))
        : field === "PreferredUsername"
          ? taken.usernames.get(value.toLowerCase())
          : taken.phones.get(value);
    outcomes[i] = { error: new DuplicatedUser(field, value), field, duplicatedUserUid: holder ?? "" };
  }
}

export async function createUser(
  deps: Deps,
  accountId: string,
  poolUid: string,
  fields: NewUserFields,
  connection?: LinkTarget,
): Promise<UserView> {
  const [outcome] = await createUsers(deps, accountId, poolUid, [fields], connection);
  if ("error" in outcome!) throw outcome.error;
  return getUser(deps, accountId, poolUid, outcome!.uid);
}
