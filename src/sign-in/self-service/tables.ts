// Kysely table types of self-service sign-in (sql/080_self_service.sql); joined into the Database
// type in src/platform/db/schema.ts.
import type { Generated } from "kysely";
import type { BigintString } from "../../platform/db/types.js";

export type CodePurpose = "sign_up" | "sign_in";

export interface SignInCodesTable {
  account_id: BigintString;
  user_pool_uid: string;
  /** Random, not secret: names the code in the verify form. */
  id: string;
  purpose: CodePurpose;
  /** SHA-256 of the interaction's id: only the browser of that sign-in can spend the code. */
  interaction_hash: Uint8Array;
  /** Who the code verifies or signs in; null when the address belongs to no one the flow may act for. */
  user_uid: string | null;
  /** HMAC of the digits under a key derived from the pool's private signing key. */
  code_hash: Uint8Array;
  attempts: Generated<number>;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

export interface SignInFloodTable {
  account_id: BigintString;
  user_pool_uid: string;
  scope: string;
  key: Uint8Array;
  window_start: Date;
  count: number;
}

export interface SelfServiceTables {
  sign_in_codes: SignInCodesTable;
  sign_in_flood: SignInFloodTable;
}
