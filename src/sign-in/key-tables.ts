// Kysely table type of the pools' signing keys (sql/028_pool_signing_keys.sql); joined into the
// Database type in src/platform/db/schema.ts.
import type { ColumnType } from "kysely";
import type { JWK } from "jose";
import type { BigintString } from "../platform/db/types.js";

export type SigningAlg = "ES256" | "RS256";

export interface PoolSigningKeysTable {
  account_id: BigintString;
  user_pool_uid: string;
  kid: string;
  alg: SigningAlg;
  /** jsonb: the public half only, as published in the JWKS; written through jsonb() (user-pools/queries.ts). */
  public_jwk: ColumnType<JWK, never, never>;
  /** The private JWK's JSON, sealed under the master key (secret-box.ts); opened only in keys.ts. */
  private_key_sealed: Uint8Array;
  private_key_key_id: string;
  created_at: Date;
  retired_at: Date | null;
  publish_until: Date | null;
}

export interface SigningKeyTables {
  pool_signing_keys: PoolSigningKeysTable;
}
