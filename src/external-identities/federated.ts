// SQL of BatchConvertFederatedUsersToNativeUsers on the users table: the users asked for (locked),
// the native users holding their identifiers, and the switch to native. Identifiers are compared as
// the users' unique indexes compare them (lower-cased Email and PreferredUsername, exact PhoneNumber).
import { sql, type Transaction } from "kysely";
import type { Database } from "../platform/db/schema.js";

export const IDENTIFIER_FIELDS = ["Email", "PreferredUsername", "PhoneNumber"] as const;
export type IdentifierField = (typeof IDENTIFIER_FIELDS)[number];

const KEY = {
  Email: sql<string | null>`lower(email)`,
  PreferredUsername: sql<string | null>`lower(preferred_username)`,
  PhoneNumber: sql<string | null>`phone_number`,
};

/** The users asked for, locked until the transaction ends, with their identifiers as the unique indexes see them. */
export function lockUsers(trx: Transaction<Database>, accountId: string, poolUid: string, uids: string[]) {
  return trx
    .selectFrom("users")
    .select([
      "uid",
      "connection_uid",
      KEY.Email.as("Email"),
      KEY.PreferredUsername.as("PreferredUsername"),
      KEY.PhoneNumber.as("PhoneNumber"),
    ])
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "=", poolUid)
    .where("uid", "in", uids)
    .orderBy("uid")
    .forUpdate()
    .execute();
}

export type FederationRow = Awaited<ReturnType<typeof lockUsers>>[number];

/** Which of these values of a field native users of the pool already hold. */
export async function heldByNativeUsers(
  trx: Transaction<Database>,
  accountId: string,
  poolUid: string,
  field: IdentifierField,
  values: string[],
): Promise<Set<string>> {
  if (values.length === 0) return new Set();
  const rows = await trx
    .selectFrom("users")
    .select(KEY[field].as("v"))
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "=", poolUid)
    .where("connection_uid", "is", null)
    .where(KEY[field], "in", values)
    .execute();
  return new Set(rows.map((r) => r.v!));
}

export async function markNative(trx: Transaction<Database>, accountId: string, poolUid: string, uids: string[], now: Date): Promise<void> {
  if (uids.length === 0) return;
  await trx
    .updateTable("users")
    .set({ connection_uid: null, updated_at: now })
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "=", poolUid)
    .where("uid", "in", uids)
    .execute();
}
