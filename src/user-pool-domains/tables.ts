// Kysely table types of the custom-domain family (sql/013_user_pool_domains.sql); joined into the
// Database type in src/platform/db/schema.ts.
import type { BigintString, Timestamp } from "../platform/db/types.js";

export const DOMAIN_STATUSES = ["PENDING", "ACTIVE"] as const;
export type DomainStatus = (typeof DOMAIN_STATUSES)[number];
export const OPERATION_ACTIONS = ["CREATE", "VERIFY", "UPDATE", "DELETE"] as const;
export type OperationAction = (typeof OPERATION_ACTIONS)[number];
export const OPERATION_STATUSES = ["SUCCESS", "FAILED"] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];

export interface UserPoolDomainsTable {
  account_id: BigintString;
  user_pool_uid: string;
  domain: string;
  apig_domain: string;
  certificate_id: string;
  status: DomainStatus;
  last_checked_at: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UserPoolDomainOperationsTable {
  account_id: BigintString;
  user_pool_uid: string;
  task_id: string;
  domain: string;
  action: OperationAction;
  status: OperationStatus;
  error_message: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UserPoolDomainTables {
  user_pool_domains: UserPoolDomainsTable;
  user_pool_domain_operations: UserPoolDomainOperationsTable;
}
