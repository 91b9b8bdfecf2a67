-- Signing keys of each pool's OpenID Provider (issue 24; src/sign-in/keys.ts). Made on first use: an
-- ES256 key (the default) and an RS256 key (for relying parties that only take RS256). The public JWK
-- is stored plainly (it is published); the private JWK is sealed under the master key like every
-- other secret, with associated data naming the row, and re-sealed by `keys rotate-master`.
-- A rotation sets retired_at on the current keys (they sign nothing more) and publish_until, until
-- which their public keys stay in the JWKS so tokens they signed still verify; housekeeping deletes
-- them a day after that (signingKeyPurges in src/sign-in/keys.ts).
create table pool_signing_keys (
  account_id          bigint      not null,
  user_pool_uid       text        not null,
  kid                 text        not null,
  alg                 text        not null,
  public_jwk          jsonb       not null,
  private_key_sealed  bytea       not null,
  private_key_key_id  text        not null,
  created_at          timestamptz not null,
  retired_at          timestamptz,
  publish_until       timestamptz,
  constraint pool_signing_keys__pkey primary key (account_id, user_pool_uid, kid),
  constraint pool_signing_keys__user_pool_uid foreign key (account_id, user_pool_uid)
    references user_pools (account_id, uid) on delete cascade,
  constraint pool_signing_keys__alg check (alg in ('ES256', 'RS256')),
  constraint pool_signing_keys__retired check ((retired_at is null) = (publish_until is null))
);
-- One current key per pool and algorithm: concurrent first uses on any instance insert at most one
-- (the losers' insert does nothing, and they read the winner's).
create unique index pool_signing_keys__current on pool_signing_keys (account_id, user_pool_uid, alg) where retired_at is null;
-- Housekeeping's pass over retired keys whose tokens have all expired, across accounts.
create index pool_signing_keys__publish_until on pool_signing_keys (publish_until) where publish_until is not null;
