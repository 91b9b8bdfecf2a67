// The Database type Kysely checks every query against, composed from the tables each family declares
// in its own src/<family>/tables.ts. Add a family's tables by adding one interface to the list.
import type { AccessKeyTables } from "../../access-keys/tables.js";
import type { CustomAttributeTables } from "../../custom-attributes/tables.js";
import type { DepartmentTables } from "../../departments/tables.js";
import type { ExternalIdentityTables } from "../../external-identities/tables.js";
import type { GroupTables } from "../../groups/tables.js";
import type { DeliverySettingsTables } from "../../delivery-settings/tables.js";
import type { IdentityProviderTables } from "../../identity-providers/tables.js";
import type { MailTables } from "../mail/tables.js";
import type { OAuthCredentialTables } from "../../oauth-credentials/tables.js";
import type { PermissionTables } from "../../permissions/tables.js";
import type { PasswordResetTables } from "../../password-reset/tables.js";
import type { UserPoolDomainTables } from "../../user-pool-domains/tables.js";
import type { UserPoolTables } from "../../user-pools/tables.js";
import type { UserTables } from "../../users/tables.js";
import type { SignInTables } from "../../sign-in/tables.js";
import type { SigningKeyTables } from "../../sign-in/key-tables.js";
import type { SelfServiceTables } from "../../sign-in/self-service/tables.js";
import type { Timestamp } from "./types.js";

export type { BigintString, Timestamp } from "./types.js";

export interface MigrationsTable {
  name: string;
  applied_at: Timestamp;
}

export interface Database
  extends AccessKeyTables,
    UserPoolTables,
    UserTables,
    PasswordResetTables,
    MailTables,
    OAuthCredentialTables,
    IdentityProviderTables,
    CustomAttributeTables,
    UserPoolDomainTables,
    GroupTables,
    DeliverySettingsTables,
    ExternalIdentityTables,
    SigningKeyTables,
    SignInTables,
    SelfServiceTables,
    PermissionTables,
    DepartmentTables {
  schema_migrations: MigrationsTable;
}
