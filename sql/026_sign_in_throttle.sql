-- Failed password sign-ins, counted in the database so every instance sees the same counts (issue 24;
-- src/users/sign-in-throttle.ts). One row per pool and key: the user a sign-in named (its Uid, or the
-- identifier typed when no user holds it) and the client address (an IPv4 address, or an IPv6 /64).
-- Keys are SHA-256 digests: no e-mail address or IP address typed by a stranger is stored here.
-- After `failures` passes a scope's free allowance, the next attempt waits until blocked_until
-- (exponential back-off, capped at 15 minutes); a row untouched for an hour starts over, and
-- housekeeping deletes such rows (src/users/purge.ts).
create table sign_in_throttle (
  account_id       bigint      not null,
  user_pool_uid    text        not null,
  scope            text        not null,
  key              bytea       not null,
  failures         integer     not null,
  last_failure_at  timestamptz not null,
  blocked_until    timestamptz not null,
  constraint sign_in_throttle__pkey primary key (account_id, user_pool_uid, scope, key),
  constraint sign_in_throttle__user_pool_uid foreign key (account_id, user_pool_uid)
    references user_pools (account_id, uid) on delete cascade,
  constraint sign_in_throttle__scope check (scope in ('user', 'address')),
  constraint sign_in_throttle__key check (octet_length(key) = 32)
);
-- Housekeeping's purge of rows idle for longer than the counting window, across accounts.
create index sign_in_throttle__last_failure_at on sign_in_throttle (last_failure_at);
