// Kysely table type of SAML sign-in's replay cache (sql/075_saml_assertions.sql); joined into the
// Database type in src/platform/db/schema.ts.
import type { BigintString } from "../../platform/db/types.js";

export interface SamlAssertionsTable {
  account_id: BigintString;
  pool_uid: string;
  connection_uid: string;
  /** SHA-256 of the assertion's ID attribute. */
  assertion_id_hash: Uint8Array;
  expires_at: Date;
}

export interface SamlAssertionTables {
  saml_assertions: SamlAssertionsTable;
}
