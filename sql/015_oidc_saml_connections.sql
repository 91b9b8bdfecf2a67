-- OIDC and SAML connections (issue 15) live in identity_providers beside OAuth ones, so the name
-- rule per pool, the per-pool quota, ListIdentityProviders and whatever references a connection
-- (account_id, uid) cover every kind. The columns shared with OAuth keep their meaning: an OIDC
-- connection's authorization_endpoint, token_endpoint and user_endpoint are what its issuer's
-- discovery document named; a SAML connection has no client or endpoints of that kind ('').

alter table identity_providers drop constraint identity_providers__connection_type;
alter table identity_providers add constraint identity_providers__connection_type
  check (connection_type in ('OAUTH', 'OIDC', 'SAML'));

alter table identity_providers
  -- OIDC and SAML: upstream's ScimProvisioning settings, stored whole.
  add column scim_provisioning    jsonb   not null default '{"Enabled": false, "UserIdAttribute": "", "AdditionalMappings": []}',
  -- OIDC: the issuer as given, whether the ID token (not userinfo) feeds the mappings, and the
  -- jwks_uri its discovery document named (the other endpoints go to the OAuth columns).
  add column issuer               text,
  add column is_id_token_mapping  boolean not null default false,
  add column jwks_uri             text,
  -- SAML: the metadata as given, what was read from it (entity id, SSO endpoints, signing
  -- certificates), the attribute carrying the user's identifier, and the signing/encryption flags.
  add column idp_metadata         text,
  add column saml_idp             jsonb,
  add column attribute_mapping    text    not null default '',
  add column enabled_sign         boolean not null default false,
  add column enabled_encryption   boolean not null default false,
  -- SAML: the service provider's own key pair for this connection, made when signing or encryption
  -- is first enabled. The certificate is public; the PKCS#8 private key is AES-256-GCM under the
  -- master key named by sp_private_key_key_id, associated data
  -- 'identity_provider_sp_key:<account_id>:<user_pool_uid>:<uid>'.
  add column sp_certificate        text,
  add column sp_private_key_sealed bytea,
  add column sp_private_key_key_id text,
  add constraint identity_providers__issuer check ((connection_type = 'OIDC') = (issuer is not null and jwks_uri is not null)),
  add constraint identity_providers__idp_metadata check ((connection_type = 'SAML') = (idp_metadata is not null and saml_idp is not null)),
  add constraint identity_providers__sp_private_key check (
    (sp_private_key_sealed is null) = (sp_private_key_key_id is null)
    and (sp_private_key_sealed is null) = (sp_certificate is null)
    and (sp_certificate is null or connection_type = 'SAML'));
