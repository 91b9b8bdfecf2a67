// Kysely table types of the access-key family (sql/001_foundation.sql); joined into the Database type
// in src/platform/db/schema.ts.
import type { Generated } from "kysely";
import type { BigintString, Timestamp } from "../platform/db/types.js";

export interface AccessKeysTable {
  access_key_id: string;
  account_id: BigintString;
  role: "admin" | "readonly";
  secret_sealed: Uint8Array;
  secret_key_id: string;
  enabled: Generated<boolean>;
  description: Generated<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AccessKeyTables {
  access_keys: AccessKeysTable;
}
