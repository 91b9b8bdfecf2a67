-- Users of a pool, their password reset tokens, and the mail outbox that carries reset links.
-- Every table leads its keys with account_id (see 001). Children reference user_pools with
-- ON DELETE CASCADE so DeleteUserPool removes everything in one statement.

create table users (
  account_id             bigint      not null,
  user_pool_uid          text        not null,
  uid                    text        not null,
  -- Keyset paging order of ListUsers: unique, increasing, exact (no timestamp precision games).
  seq                    bigint      generated always as identity,
  preferred_username     text,
  email                  text,
  email_verified         boolean     not null default false,
  phone_number           text,
  phone_number_verified  boolean     not null default false,
  name                   text        not null default '',
  given_name             text        not null default '',
  family_name            text        not null default '',
  middle_name            text        not null default '',
  nickname               text        not null default '',
  -- Kept as the caller wrote it (validated as a JSON object), so it reads back byte for byte.
  user_metadata          text        not null default '{}',
  user_state             text        not null default 'ACTIVE',
  -- scrypt$N$r$p$salt$hash (base64); null until a password is set.
  password_hash          text,
  created_at             timestamptz not null default now(),
  updated_at             timestamptz not null default now(),
  constraint users__pkey primary key (account_id, user_pool_uid, uid),
  constraint users__user_pool foreign key (account_id, user_pool_uid) references user_pools (account_id, uid) on delete cascade,
  constraint users__user_state check (user_state in ('ACTIVE', 'DISABLED')),
  constraint users__identifier check (preferred_username is not null or email is not null or phone_number is not null)
);
-- Uniqueness per pool: Email and PreferredUsername case-insensitively, PhoneNumber exactly.
create unique index users__email on users (account_id, user_pool_uid, lower(email)) where email is not null;
create unique index users__preferred_username on users (account_id, user_pool_uid, lower(preferred_username)) where preferred_username is not null;
create unique index users__phone_number on users (account_id, user_pool_uid, phone_number) where phone_number is not null;
-- ListUsers, newest first, by PageNumber or by keyset cursor.
create index users__account_id_user_pool_uid_seq on users (account_id, user_pool_uid, seq);

-- user_pools.total_users in step with this table (user_pools__count_children, 001).
create trigger users__count_inserted after insert on users
  referencing new table as changed for each statement execute function user_pools__count_children('total_users');
create trigger users__count_deleted after delete on users
  referencing old table as changed for each statement execute function user_pools__count_children('total_users');

create table password_reset_tokens (
  account_id     bigint      not null,
  user_pool_uid  text        not null,
  user_uid       text        not null,
  -- SHA-256 of the token; the token itself is stored nowhere but in the outbox until it is sent.
  token_hash     bytea       not null,
  created_at     timestamptz not null,
  expires_at     timestamptz not null,
  used_at        timestamptz,
  revoked_at     timestamptz,
  constraint password_reset_tokens__pkey primary key (account_id, token_hash),
  constraint password_reset_tokens__user foreign key (account_id, user_pool_uid, user_uid)
    references users (account_id, user_pool_uid, uid) on delete cascade
);
-- One outstanding token per user: ResetPassword revokes the earlier one under the user's row lock;
-- this index makes a second outstanding token impossible even if that lock were ever forgotten.
create unique index password_reset_tokens__outstanding on password_reset_tokens (account_id, user_pool_uid, user_uid)
  where used_at is null and revoked_at is null;
-- Every token of a user: serves the cascade when a user is deleted, and revocation.
create index password_reset_tokens__user on password_reset_tokens (account_id, user_pool_uid, user_uid);

-- Transactional outbox: written in the transaction that creates what the mail is about, delivered
-- later by the mail worker (src/platform/mail/). Body and link are wiped once sent or given up on.
create table mail_outbox (
  account_id       bigint      not null,
  id               bigint      generated always as identity,
  user_pool_uid    text        not null,
  kind             text        not null,
  recipient        text        not null,
  subject          text        not null,
  body_text        text,
  link             text,
  status           text        not null default 'queued',
  attempts         integer     not null default 0,
  -- Also the claim lease: a claimed message is pushed into the future until marked.
  next_attempt_at  timestamptz not null,
  last_error       text,
  created_at       timestamptz not null,
  sent_at          timestamptz,
  constraint mail_outbox__pkey primary key (account_id, id),
  constraint mail_outbox__user_pool foreign key (account_id, user_pool_uid) references user_pools (account_id, uid) on delete cascade,
  constraint mail_outbox__status check (status in ('queued', 'sent', 'failed'))
);
-- The worker's queue scan is across accounts by nature (one worker serves all tenants).
create index mail_outbox__due on mail_outbox (next_attempt_at) where status = 'queued';
