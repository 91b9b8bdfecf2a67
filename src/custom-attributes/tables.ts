// Kysely table types of the custom-attribute family (sql/009_user_pools_upstream.sql); joined into the
// Database type in src/platform/db/schema.ts.
import type { BigintString, Timestamp } from "../platform/db/types.js";

export const DATA_TYPES = ["String", "Number", "Boolean", "DateTime"] as const;
export const MUTABILITIES = ["Mutable", "Immutable"] as const;
export type DataType = (typeof DATA_TYPES)[number];
export type Mutability = (typeof MUTABILITIES)[number];

export interface UserPoolCustomAttributesTable {
  account_id: BigintString;
  user_pool_uid: string;
  uid: string;
  name: string;
  data_type: DataType;
  mutability: Mutability;
  minimum: number;
  maximum: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CustomAttributeTables {
  user_pool_custom_attributes: UserPoolCustomAttributesTable;
}
