// Kysely table types of identity linking (sql/016_external_identities.sql); joined into the Database
// type in src/platform/db/schema.ts.
import type { ColumnType } from "kysely";
import type { BigintString, Timestamp } from "../platform/db/types.js";

/** How a link was made: with the user (CreateUser, CreateUsers) or afterwards (LinkIdentityProviderToUser). */
export type LinkSource = "CREATE" | "LINK";

export interface ExternalIdentitiesTable {
  account_id: BigintString;
  user_pool_uid: string;
  connection_uid: string;
  external_user_id: string;
  user_uid: string;
  link_source: LinkSource;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** The identity's latest federated sign-in (sql/070); null until then. */
  last_login_at: ColumnType<Date | null, Date | null | undefined>;
  /** The provider's profile of the latest sign-in, JSON text within 16 KiB; "" until then. */
  provider_metadata: ColumnType<string, string | undefined>;
  /** The claims the connection's ClaimsPropagationConfig let through at the latest sign-in. */
  propagated_claims: ColumnType<Record<string, unknown>, Record<string, unknown> | undefined>;
}

/** DisableIdentityProviderForUser's mark: the identity signs in no more until it is linked again. */
export interface DisabledExternalIdentitiesTable {
  account_id: BigintString;
  user_pool_uid: string;
  connection_uid: string;
  external_user_id: string;
  user_uid: string;
  disabled_at: Timestamp;
}

export interface ExternalIdentityTables {
  external_identities: ExternalIdentitiesTable;
  disabled_external_identities: DisabledExternalIdentitiesTable;
}
