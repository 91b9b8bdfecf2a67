// Kysely table types of the permissions family (sql/050_permissions.sql); joined into the Database
// type in src/platform/db/schema.ts.
import type { ColumnType, Generated } from "kysely";
import type { BigintString, Timestamp } from "../platform/db/types.js";
import type { Tag } from "../user-pools/tables.js";

type Json<T> = ColumnType<T, string, string>;

export interface PermissionNamespacesTable {
  account_id: BigintString;
  id: string;
  name: string;
  description: Generated<string>;
  project_name: Generated<string>;
  tags: Json<Tag[]>;
  associates: Json<string[]>;
  policy_version: ColumnType<string, never, never>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PermissionResourcesTable {
  account_id: BigintString;
  namespace_id: string;
  id: string;
  key: string;
  name: string;
  type: string;
  description: Generated<string>;
  properties: Generated<string>;
  parent_key: string | null;
  path: string[];
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PermissionActionsTable {
  account_id: BigintString;
  namespace_id: string;
  id: string;
  key: string;
  name: string;
  resource_type: string;
  description: Generated<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PermissionPointsTable {
  account_id: BigintString;
  namespace_id: string;
  id: string;
  auth_point_id: string;
  link: string;
  name: string;
  type: string;
  decision_mode: string;
  enabled: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A policy's definition as answered by ListPolicies (given, or read off a text policy's scope). */
export interface PolicyDefinition {
  Principal: string;
  PrincipalInfo: string;
  Operation: string;
  Resource: string;
  ResourceInfo: string;
  Effect: string;
  Condition: string;
  ConditionInfo: string;
}

export interface PermissionPoliciesTable {
  account_id: BigintString;
  namespace_id: string;
  id: string;
  name: string;
  description: Generated<string>;
  status: Generated<string>;
  text: string;
  effect: string;
  scope: Json<unknown>;
  conditional: boolean;
  definition: Json<PolicyDefinition>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PermissionTables {
  permission_namespaces: PermissionNamespacesTable;
  permission_resources: PermissionResourcesTable;
  permission_actions: PermissionActionsTable;
  permission_points: PermissionPointsTable;
  permission_policies: PermissionPoliciesTable;
}
