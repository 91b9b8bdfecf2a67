// Kysely table types of the groups family (sql/011_groups.sql); joined into the Database type in
// src/platform/db/schema.ts.
import type { ColumnType, Generated } from "kysely";
import type { BigintString, Timestamp } from "../platform/db/types.js";

export interface GroupsTable {
  account_id: BigintString;
  user_pool_uid: string;
  uid: string;
  name: string;
  description: Generated<string>;
  precedence: Generated<number>;
  iam_role_trn: Generated<string>;
  source: Generated<string>;
  /** Kept by the group_members triggers; never written by the application. */
  total_members: ColumnType<number, never, never>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface GroupMembersTable {
  account_id: BigintString;
  user_pool_uid: string;
  group_uid: string;
  user_uid: string;
  created_at: Timestamp;
}

export interface GroupTables {
  groups: GroupsTable;
  group_members: GroupMembersTable;
}
