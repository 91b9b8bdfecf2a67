// SQL for the access_keys table. Plain functions taking db or a transaction first.
import type { Kysely, Selectable } from "kysely";
import type { Database } from "../platform/db/schema.js";
import type { AccessKeysTable } from "./tables.js";

/** The NOTIFY channel on which a changed key's id is announced, so servers drop their cached copy. */
export const ACCESS_KEY_CHANNEL = "idplane_access_keys";

export type AccessKeyRow = Selectable<AccessKeysTable>;

export function findAccessKey(db: Kysely<Database>, accessKeyId: string): Promise<AccessKeyRow | undefined> {
  return db.selectFrom("access_keys").selectAll().where("access_key_id", "=", accessKeyId).executeTakeFirst();
}

export async function insertAccessKey(
  db: Kysely<Database>,
  row: Pick<AccessKeyRow, "access_key_id" | "account_id" | "role" | "secret_sealed" | "secret_key_id" | "description">,
): Promise<void> {
  await db.insertInto("access_keys").values(row).execute();
}

export function listAccessKeys(db: Kysely<Database>, accountId?: string) {
  let q = db
    .selectFrom("access_keys")
    .select(["access_key_id", "account_id", "role", "enabled", "description", "created_at", "secret_key_id"])
    .orderBy("created_at");
  if (accountId !== undefined) q = q.where("account_id", "=", accountId);
  return q.execute();
}

export async function setAccessKeyEnabled(db: Kysely<Database>, accessKeyId: string, enabled: boolean): Promise<boolean> {
  const r = await db
    .updateTable("access_keys")
    .set({ enabled, updated_at: new Date() })
    .where("access_key_id", "=", accessKeyId)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function updateAccessKeySecret(
  db: Kysely<Database>,
  accessKeyId: string,
  sealed: Pick<AccessKeyRow, "secret_sealed" | "secret_key_id">,
  extra: Partial<Pick<AccessKeyRow, "account_id" | "role" | "enabled">> = {},
): Promise<void> {
  await db
    .updateTable("access_keys")
    .set({ ...sealed, ...extra, updated_at: new Date() })
    .where("access_key_id", "=", accessKeyId)
    .execute();
}

export function countAccessKeys(db: Kysely<Database>) {
  return db
    .selectFrom("access_keys")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
}

/** The admin key made on the first start (description set by bootstrapRootKey), if it still exists. */
export function findFirstStartKey(db: Kysely<Database>, accountId: string) {
  return db
    .selectFrom("access_keys")
    .select(["access_key_id", "enabled"])
    .where("account_id", "=", accountId)
    .where("description", "=", FIRST_START_DESCRIPTION)
    .orderBy("created_at")
    .executeTakeFirst();
}

export const FIRST_START_DESCRIPTION = "root (first start)";

export type SealedAccessKey = Pick<AccessKeyRow, "access_key_id" | "secret_sealed" | "secret_key_id">;

/** Re-reads and locks up to `limit` keys after `after` whose secret is sealed under one of `keyIds`. */
export function lockSecretsSealedUnder(trx: Kysely<Database>, keyIds: string[], after: SealedAccessKey | undefined, limit: number) {
  let q = trx.selectFrom("access_keys").select(["access_key_id", "secret_sealed", "secret_key_id"]).where("secret_key_id", "in", keyIds);
  if (after) q = q.where("access_key_id", ">", after.access_key_id);
  return q.orderBy("access_key_id").limit(limit).forUpdate().execute();
}

export async function countSecretsNotUnder(db: Kysely<Database>, keyId: string): Promise<number> {
  const r = await db
    .selectFrom("access_keys")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("secret_key_id", "<>", keyId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
