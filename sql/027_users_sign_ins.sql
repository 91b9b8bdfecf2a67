-- What the directory learns of sign-ins (issue 24): upstream's NumLogins, LatestLogin,
-- LatestLoginMethod, LatestBrowser and LatestLoginConnection{Name,Provider,Type}, written by
-- recordSignIn (src/users/sign-in.ts) on every successful sign-in. '' means "never" for the texts, as
-- for the profile fields of 010; latest_login_at is null until the first sign-in.
alter table users
  add column num_logins                       integer     not null default 0,
  add column latest_login_at                  timestamptz,
  add column latest_login_method              text        not null default '',
  add column latest_browser                   text        not null default '',
  add column latest_login_connection_name     text        not null default '',
  add column latest_login_connection_provider text        not null default '',
  add column latest_login_connection_type     text        not null default '';

-- ListUsers' Filter.LatestLoginMethod and Filter.LatestBrowser: exact and case-insensitive like its
-- other text filters, spelled as src/users/list-query.ts writes them, newest first within a value.
-- Neither changes on most sign-ins (same browser, same method), so the update stays a HOT update.
create index users__latest_login_method on users (account_id, user_pool_uid, (lower(latest_login_method) collate "C"), seq);
create index users__latest_browser on users (account_id, user_pool_uid, (lower(latest_browser) collate "C"), seq);
