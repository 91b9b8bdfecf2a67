// What a pool shows of its children (GetUserPool's CustomAttributes, an ACTIVE custom domain), read
// and shaped here, beside the pool: the children's families (custom-attributes, user-pool-domains)
// import the pool's kit (parent.ts, children.ts, settings.ts), so the pool imports nothing of theirs.
import type { Selectable } from "kysely";
import { z } from "zod";
import type { Db } from "../platform/db/types.js";
import { formatTime } from "../core/time.js";
import {
  DATA_TYPES,
  MUTABILITIES,
  type DataType,
  type Mutability,
  type UserPoolCustomAttributesTable,
} from "../custom-attributes/tables.js";

export type CustomAttributeRow = Selectable<UserPoolCustomAttributesTable>;

/** A pool's attributes, oldest first (the order GetUserPool shows them in). */
export function listCustomAttributes(db: Db, accountId: string, poolUid: string): Promise<CustomAttributeRow[]> {
  return db
    .selectFrom("user_pool_custom_attributes")
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "=", poolUid)
    .selectAll()
    .orderBy("created_at")
    .orderBy("uid")
    .execute();
}

export const customAttributeOutput = z.object({
  Uid: z.string(),
  Name: z.string(),
  DataType: z.enum(DATA_TYPES),
  Mutability: z.enum(MUTABILITIES),
  Minimum: z.number().int(),
  Maximum: z.number().int(),
});

/** What users' CustomAttributes are checked against (the users family reads it). */
export interface CustomAttributeDefinition {
  Name: string;
  DataType: DataType;
  Mutability: Mutability;
  Minimum: number;
  Maximum: number;
}

export const definition = (r: CustomAttributeRow): CustomAttributeDefinition => ({
  Name: r.name,
  DataType: r.data_type,
  Mutability: r.mutability,
  Minimum: r.minimum,
  Maximum: r.maximum,
});

/** The result of Create/UpdateUserPoolCustomAttribute. */
export const customAttributeResult = (r: CustomAttributeRow) => ({ Uid: r.uid, ...definition(r) });

/** An item of GetUserPool's CustomAttributes. */
export const customAttributeView = (r: CustomAttributeRow) => ({
  ...customAttributeResult(r),
  CreateTime: formatTime(r.created_at),
  UpdateTime: formatTime(r.updated_at),
});

/** The ACTIVE domain of each of the given pools (absent: none, or not active yet). */
export async function activeDomains(db: Db, accountId: string, poolUids: string[]): Promise<Map<string, string>> {
  if (poolUids.length === 0) return new Map();
  const rows = await db
    .selectFrom("user_pool_domains")
    .select(["user_pool_uid", "domain"])
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "in", poolUids)
    .where("status", "=", "ACTIVE")
    .execute();
  return new Map(rows.map((r) => [r.user_pool_uid, r.domain]));
}
