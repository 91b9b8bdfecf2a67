-- What the pools' OpenID Providers keep between requests (issue 24; src/sign-in/adapter.ts is the
-- oidc-provider adapter over it): codes, access and refresh tokens, grants, sessions, interactions,
-- client-credentials tokens and replay markers, one row each, of one pool.
--
-- id_hash is SHA-256 of the library's id. For the bearer artifacts (codes, opaque access tokens,
-- refresh tokens, client-credentials tokens) that id IS the value the client holds, and for a
-- session it is the cookie's value: the table never holds any of them, so reading it cannot replay
-- one. The adapter drops the `jti` the library repeats inside the payload and puts it back on read
-- from the id it was asked for. grant_id (revokeByGrantId) and session_uid (findByUid) are the
-- library's internal references, not bearer values.
create table sign_in_artifacts (
  account_id   bigint      not null,
  pool_uid     text        not null,
  kind         text        not null,
  id_hash      bytea       not null,
  grant_id     text,
  session_uid  text,
  payload      jsonb       not null,
  consumed_at  timestamptz,
  expires_at   timestamptz not null,
  constraint sign_in_artifacts__pkey primary key (account_id, pool_uid, kind, id_hash),
  constraint sign_in_artifacts__pool foreign key (account_id, pool_uid) references user_pools (account_id, uid) on delete cascade
);
create index sign_in_artifacts__grant on sign_in_artifacts (account_id, pool_uid, grant_id) where grant_id is not null;
create index sign_in_artifacts__session_uid on sign_in_artifacts (account_id, pool_uid, session_uid) where session_uid is not null;
-- Housekeeping deletes expired rows in batches by this index.
create index sign_in_artifacts__expires on sign_in_artifacts (expires_at);

-- Consent a user gave a client, remembered beyond the session and the grant (asked once per user
-- and client): the scopes granted so far. A request asking for no more than these is not asked again.
create table sign_in_consents (
  account_id  bigint      not null,
  pool_uid    text        not null,
  user_uid    text        not null,
  client_id   text        not null,
  scopes      text[]      not null,
  updated_at  timestamptz not null default now(),
  constraint sign_in_consents__pkey primary key (account_id, pool_uid, user_uid, client_id),
  constraint sign_in_consents__pool foreign key (account_id, pool_uid) references user_pools (account_id, uid) on delete cascade
);
