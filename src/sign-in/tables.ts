// Kysely table types of sign-in (sql/030_sign_in_artifacts.sql); joined into the Database type in
// src/platform/db/schema.ts.
import type { BigintString, Timestamp } from "../platform/db/types.js";

export interface SignInArtifactsTable {
  account_id: BigintString;
  pool_uid: string;
  /** The oidc-provider model: AuthorizationCode, RefreshToken, Session, Grant, Interaction, ... */
  kind: string;
  /** SHA-256 of the library's id (for bearer artifacts, of the value itself). */
  id_hash: Uint8Array;
  grant_id: string | null;
  session_uid: string | null;
  payload: Record<string, unknown>;
  consumed_at: Date | null;
  expires_at: Date;
}

export interface SignInConsentsTable {
  account_id: BigintString;
  pool_uid: string;
  user_uid: string;
  client_id: string;
  scopes: string[];
  updated_at: Timestamp;
}

/** One federated sign-in between leaving for the provider and coming back (sql/070, federation/state.ts). */
export interface FederationStatesTable {
  account_id: BigintString;
  pool_uid: string;
  state_hash: Uint8Array;
  binding_hash: Uint8Array;
  interaction_uid: string;
  connection_uid: string;
  protocol: "oauth" | "oidc" | "saml";
  mode: "login" | "signup";
  payload: Record<string, unknown>;
  consumed_at: Date | null;
  user_uid: string | null;
  result: Record<string, unknown> | null;
  expires_at: Date;
}

export interface SignInTables {
  federation_states: FederationStatesTable;
  sign_in_artifacts: SignInArtifactsTable;
  sign_in_consents: SignInConsentsTable;
}
