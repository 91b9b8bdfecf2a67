-- One row per password reset mail queued: what the per-user and per-address limits count
-- (ID_RESET_MAIL_PER_USER, ID_RESET_MAIL_PER_ADDRESS over ID_RESET_MAIL_WINDOW_SECONDS). Written in
-- the transaction that queues the mail, and counted under that transaction's locks, so the limits
-- are exact across every instance sharing the database.
--
-- No foreign key on purpose: deleting the user or the pool (and, by cascade, its tokens and mail)
-- must not reset the count, or delete-and-recreate would lift the limit. Housekeeping removes rows
-- older than a day, the longest window the configuration allows.
--
-- Existing users are not touched: addresses stored before the stricter email rule (such as
-- "x<victim@corp.example>") stay as they are, readable and updatable; ResetPassword refuses them and
-- the mail worker gives up on mail queued to them (see docs/security.md, "Email addresses").
create table reset_mail_log (
  account_id     bigint      not null,
  id             bigint      generated always as identity,
  user_pool_uid  text        not null,
  user_uid       text        not null,
  -- The recipient in its normalised form (lower case; src/users/email.ts).
  address        text        not null,
  created_at     timestamptz not null,
  constraint reset_mail_log__pkey primary key (account_id, id)
);
create index reset_mail_log__user on reset_mail_log (account_id, user_pool_uid, user_uid, created_at);
create index reset_mail_log__address on reset_mail_log (account_id, address, created_at);
-- Housekeeping's purge, across accounts by nature.
create index reset_mail_log__created_at on reset_mail_log (created_at);
