// The API representation of an OAuth credential (docs/spec/api.md §6), built from a row. It never carries the
// secret or its hash: those leave the service only as the one-time ClientSecret / NewClientSecret.
import { formatTime } from "../core/time.js";
import type { CredentialRow } from "./queries.js";

export function credentialView(row: CredentialRow) {
  return {
    CredentialId: Number(row.credential_id),
    ClientApiIdentifier: row.client_api_identifier,
    UserPoolUid: row.user_pool_uid,
    Name: row.name,
    Description: row.description,
    GrantType: row.grant_type,
    ClientType: row.client_type,
    Scope: row.scopes.join(" "),
    // Go-style zero values, as the real service answers: 0 and "" mean "not set".
    ServiceId: row.service_id === null ? 0 : Number(row.service_id),
    LogoUri: row.logo_uri ?? "",
    RedirectUri: row.redirect_uris,
    // A public client has no secret, so no version of one.
    SecretVersion: row.secret_hash === null ? 0 : row.secret_version,
    SecretUpdateTime: formatTime(row.secret_updated_at),
    CreateTime: formatTime(row.created_at),
    UpdateTime: formatTime(row.updated_at),
  };
}

export type CredentialView = ReturnType<typeof credentialView>;
