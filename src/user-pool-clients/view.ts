// The UserPoolClient representation of a client row (the OAuthCredential face has its own,
// src/oauth-credentials/view.ts). Neither ever carries the secret or its hash: the secret leaves the
// service only as the one-time ClientSecret of Create and ResetSecret.
import type { Config } from "../platform/config.js";
import { formatTime } from "../core/time.js";
import { SECRET_MASK } from "../identity-providers/secret.js";
import type { CredentialRow } from "../oauth-credentials/queries.js";
import { ENDPOINT_PATHS, poolEndpoints } from "../user-pools/endpoints.js";

export function userPoolClientListItem(
  row: Pick<CredentialRow, "client_api_identifier" | "name" | "client_type" | "description" | "logo_uri" | "created_at" | "updated_at">,
) {
  return {
    Uid: row.client_api_identifier,
    Name: row.name,
    ClientType: row.client_type,
    Description: row.description,
    LogoUri: row.logo_uri ?? "",
    CreateTime: formatTime(row.created_at),
    UpdateTime: formatTime(row.updated_at),
  };
}

/** @param secret the secret this very call made (Create, ResetSecret), shown this once. */
export function userPoolClientView(row: CredentialRow, config: Pick<Config, "publicBaseUrl">, secret?: string) {
  const issuer = poolEndpoints(config.publicBaseUrl, row.user_pool_uid).IssuerUrl;
  return {
    ...userPoolClientListItem(row),
    ClientSecret: secret ?? (row.secret_hash === null ? "" : SECRET_MASK),
    AllowedCallbackUrls: row.redirect_uris,
    AllowedLogoutUrls: row.allowed_logout_urls,
    AllowedWebOrigins: row.allowed_web_origins,
    AllowedCors: row.allowed_cors,
    IdToken: { LifetimeSeconds: row.id_token_lifetime_seconds },
    RefreshToken: {
      Rotation: row.refresh_token_rotation,
      HasIdleLifetime: row.refresh_token_has_idle_lifetime,
      IdleLifetimeSeconds: row.refresh_token_idle_lifetime_seconds,
      HasCombinedLifetime: row.refresh_token_has_combined_lifetime,
      CombinedLifetimeSeconds: row.refresh_token_combined_lifetime_seconds,
    },
    // The pool's hosted sign-in page for this client, under the pool's issuer (endpoints.ts).
    LoginPageUrl: `${issuer}${ENDPOINT_PATHS.login}?client_id=${encodeURIComponent(row.client_api_identifier)}`,
    DevelopmentModeEnabled: row.development_mode_enabled,
    DismissLoginPageEnabled: row.dismiss_login_page_enabled,
    SkipConsentEnabled: row.skip_consent_enabled,
    DeviceFlowEnabled: row.device_flow_enabled,
  };
}

export type UserPoolClientView = ReturnType<typeof userPoolClientView>;
export type UserPoolClientListItem = ReturnType<typeof userPoolClientListItem>;
