// Kysely table types of the departments family (sql/040_departments.sql); joined into the Database
// type in src/platform/db/schema.ts.
import type { Generated } from "kysely";
import type { BigintString, Timestamp } from "../platform/db/types.js";

export interface DepartmentsTable {
  account_id: BigintString;
  user_pool_uid: string;
  uid: string;
  /** null: top level. */
  parent_uid: string | null;
  /** '/<top uid>/.../<uid>/': every descendant's path starts with it. */
  path: string;
  depth: number;
  name: string;
  name_path: string;
  description: Generated<string>;
  external_id: Generated<string>;
  source: Generated<string>;
  precedence: Generated<number>;
  iam_role_trn: Generated<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DepartmentMembersTable {
  account_id: BigintString;
  user_pool_uid: string;
  department_uid: string;
  user_uid: string;
  is_primary: Generated<boolean>;
  role: Generated<string>;
  created_at: Timestamp;
}

export type SyncSessionStatus = "OPEN" | "VALIDATED" | "COMMITTED" | "CANCELLED" | "FAILED";

export interface DepartmentSyncSessionsTable {
  account_id: BigintString;
  user_pool_uid: string;
  uid: string;
  source: string;
  status: SyncSessionStatus;
  delete_threshold_pct: number;
  error_message: Generated<string>;
  expires_at: Timestamp;
  committed_at: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface StagedDepartmentsTable {
  account_id: BigintString;
  user_pool_uid: string;
  session_uid: string;
  external_id: string;
  external_parent_id: string;
  name: string;
  description: string;
  precedence: number;
  action: "UPSERT" | "DELETE";
}

export interface StagedMembersTable {
  account_id: BigintString;
  user_pool_uid: string;
  session_uid: string;
  department_external_id: string;
  user_uid: string;
  is_primary: boolean;
  role: string;
}

export interface DepartmentSyncJobsTable {
  account_id: BigintString;
  user_pool_uid: string;
  uid: string;
  session_uid: string;
  source: string;
  type: "VALIDATE" | "COMMIT";
  status: "SUCCEEDED" | "FAILED";
  error_message: Generated<string>;
  started_at: Date;
  finished_at: Date;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DepartmentTables {
  departments: DepartmentsTable;
  department_members: DepartmentMembersTable;
  department_sync_sessions: DepartmentSyncSessionsTable;
  department_sync_staged_departments: StagedDepartmentsTable;
  department_sync_staged_members: StagedMembersTable;
  department_sync_jobs: DepartmentSyncJobsTable;
}
