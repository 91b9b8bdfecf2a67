-- Self-service on the hosted sign-in pages (issue 26; src/sign-in/self-service/).
--
-- One-time codes mailed to verify an address after sign-up, or to sign in without a password. A
-- code belongs to one authorization request (interaction_hash: SHA-256 of the interaction's id, so
-- only the browser holding that interaction can spend it) and is stored only as an HMAC under a key
-- derived from the pool's private signing key, never as the digits. attempts counts every guess in
-- the database, so the limit holds across instances; a code is spent once (used_at). user_uid is
-- null when the address belongs to no one the flow may act for: the row exists anyway, so the flow
-- does the same work and answers the same whether the address is registered or not.
create table sign_in_codes (
  account_id        bigint      not null,
  user_pool_uid     text        not null,
  id                text        not null,
  purpose           text        not null,
  interaction_hash  bytea       not null,
  user_uid          text,
  code_hash         bytea       not null,
  attempts          integer     not null default 0,
  created_at        timestamptz not null,
  expires_at        timestamptz not null,
  used_at           timestamptz,
  constraint sign_in_codes__pkey primary key (account_id, user_pool_uid, id),
  constraint sign_in_codes__pool foreign key (account_id, user_pool_uid) references user_pools (account_id, uid) on delete cascade,
  constraint sign_in_codes__purpose check (purpose in ('sign_up', 'sign_in')),
  constraint sign_in_codes__hashes check (octet_length(interaction_hash) = 32 and octet_length(code_hash) = 32)
);
-- Housekeeping deletes expired codes by this index, across accounts.
create index sign_in_codes__expires on sign_in_codes (expires_at);

-- Flood limits of the self-service flows: fixed-window counters of mails sent to one address and of
-- requests from one client address (sign-ups, codes, recovery), one row per pool, scope and key.
-- Keys are SHA-256 digests: neither the e-mail address nor the IP address is stored. One upsert
-- counts and answers, so concurrent requests on any instance add up.
create table sign_in_flood (
  account_id     bigint      not null,
  user_pool_uid  text        not null,
  scope          text        not null,
  key            bytea       not null,
  window_start   timestamptz not null,
  count          integer     not null,
  constraint sign_in_flood__pkey primary key (account_id, user_pool_uid, scope, key),
  constraint sign_in_flood__pool foreign key (account_id, user_pool_uid) references user_pools (account_id, uid) on delete cascade,
  constraint sign_in_flood__key check (octet_length(key) = 32)
);
create index sign_in_flood__window_start on sign_in_flood (window_start);

-- Mails of the hosted pages carry an HTML alternative beside the plain text; wiped with the text
-- once sent or given up on (it holds the same codes and links).
alter table mail_outbox add column body_html text;

-- A completed password reset ends the user's sessions and tokens: the artifacts of one user of a
-- pool, found by the payload's accountId (the user's Uid) without a scan of the whole pool.
create index sign_in_artifacts__user on sign_in_artifacts (account_id, pool_uid, (payload ->> 'accountId'))
  where payload ? 'accountId';
