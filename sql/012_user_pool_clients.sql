-- User pool clients (issue 14): upstream's UserPoolClient actions are a second face of the OAuth
-- credentials of 003, not a second table. One row is one client, whichever API created it: one
-- client id, one secret, one quota, one set of rules. These columns hold the fields only the
-- UserPoolClient face names; OAuthCredential rows that predate them get the defaults (a confidential
-- web client with the default lifetimes and every switch off).

alter table oauth_credentials
  -- WEB: a server-side application that can keep a secret. SPA and NATIVE run on the user's device,
  -- can keep nothing, and so have no secret (PKCE instead). Set on create, never changed.
  add column client_type                              text     not null default 'WEB',
  -- The URL lists next to redirect_uris (AllowedCallbackUrls): where a sign-out may return to, and
  -- the origins a browser application calls from (web message responses; CORS).
  add column allowed_logout_urls                      text[]   not null default '{}',
  add column allowed_web_origins                      text[]   not null default '{}',
  add column allowed_cors                             text[]   not null default '{}',
  add column id_token_lifetime_seconds                integer  not null default 3600,
  add column refresh_token_rotation                   boolean  not null default false,
  add column refresh_token_has_idle_lifetime          boolean  not null default false,
  add column refresh_token_idle_lifetime_seconds      integer  not null default 1296000,
  add column refresh_token_has_combined_lifetime      boolean  not null default false,
  add column refresh_token_combined_lifetime_seconds  integer  not null default 2592000,
  add column development_mode_enabled                 boolean  not null default false,
  add column dismiss_login_page_enabled               boolean  not null default false,
  add column skip_consent_enabled                     boolean  not null default false,
  add column device_flow_enabled                      boolean  not null default false,
  add constraint oauth_credentials__client_type check (client_type in ('WEB', 'SPA', 'NATIVE')),
  -- The service's bounds (src/oauth-credentials/rules.ts), held here too so no writer stores a token
  -- lifetime nothing could honour.
  add constraint oauth_credentials__id_token_lifetime_seconds check (id_token_lifetime_seconds between 60 and 2592000),
  add constraint oauth_credentials__refresh_token_idle_lifetime_seconds check (refresh_token_idle_lifetime_seconds between 60 and 31536000),
  add constraint oauth_credentials__refresh_token_combined_lifetime_seconds check (refresh_token_combined_lifetime_seconds between 60 and 31536000);

-- A public client has no secret at all (not an unusable one): the data plane then cannot be talked
-- into authenticating it by a secret, and nothing can reset one.
alter table oauth_credentials alter column secret_hash drop not null;
alter table oauth_credentials drop constraint oauth_credentials__secret_hash;
alter table oauth_credentials add constraint oauth_credentials__secret_hash check (
  case when client_type = 'WEB' then secret_hash is not null and octet_length(secret_hash) = 32 else secret_hash is null end
);
