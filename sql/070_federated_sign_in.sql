-- Federated sign-in (issue 25): a pool's OAuth, OIDC and SAML connections sign people in
-- (src/sign-in/federation/).
--
-- federation_states: one row per sign-in sent to a provider, so the instance the browser comes back
-- to finds what the one it left from chose. state_hash is SHA-256 of the `state` (OAuth, OIDC) or
-- RelayState (SAML) sent upstream; binding_hash SHA-256 of the random value in the browser's
-- binding cookie, so a state replayed from another browser finds nothing to act on. payload holds
-- the nonce and the PKCE verifier (or a SAML request id): each useless without the browser's cookie
-- and the provider's code, and the row lives ten minutes at most and is consumed on first use.
-- After the provider answered and the user is known, user_uid is set and the row waits (a few
-- seconds, normally) for the browser to come back to its interaction, which deletes it.
create table federation_states (
  account_id       bigint      not null,
  pool_uid         text        not null,
  state_hash       bytea       not null,
  binding_hash     bytea       not null,
  interaction_uid  text        not null,
  connection_uid   text        not null,
  protocol         text        not null,
  mode             text        not null,
  payload          jsonb       not null,
  consumed_at      timestamptz,
  user_uid         text,
  result           jsonb,
  expires_at       timestamptz not null,
  constraint federation_states__pkey primary key (state_hash),
  constraint federation_states__pool foreign key (account_id, pool_uid) references user_pools (account_id, uid) on delete cascade,
  constraint federation_states__protocol check (protocol in ('oauth', 'oidc', 'saml')),
  constraint federation_states__mode check (mode in ('login', 'signup'))
);
-- The browser's return to its interaction finds the finished row by the interaction.
create index federation_states__interaction on federation_states (account_id, pool_uid, interaction_uid);
-- Housekeeping deletes expired rows in batches by this index.
create index federation_states__expires on federation_states (expires_at);

-- What a sign-in learns of the identity (upstream's LastLoginAt and ExternalProviderUserMetadata),
-- and the claims its connection's ClaimsPropagationConfig lets through to idplane's tokens.
-- provider_metadata is the provider's profile as JSON text, bounded by the code (16 KiB).
alter table external_identities
  add column last_login_at      timestamptz,
  add column provider_metadata  text  not null default '',
  add column propagated_claims  jsonb not null default '{}'::jsonb;

-- DisableIdentityProviderForUser removes a link and leaves this mark, so a later federated sign-in
-- of that identity is refused rather than linked to the user again by e-mail or created anew.
-- LinkIdentityProviderToUser (an administrator linking it again) removes the mark.
create table disabled_external_identities (
  account_id        bigint      not null,
  user_pool_uid     text        not null,
  connection_uid    text        not null,
  external_user_id  text        not null,
  user_uid          text        not null,
  disabled_at       timestamptz not null,
  constraint disabled_external_identities__pkey primary key (account_id, user_pool_uid, connection_uid, external_user_id),
  constraint disabled_external_identities__connection foreign key (account_id, user_pool_uid, connection_uid)
    references identity_providers (account_id, user_pool_uid, uid) on delete cascade
);
