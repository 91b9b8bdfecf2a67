-- Users speak upstream's (Volcengine id) field set: the OIDC profile, custom attribute values, and
-- the indexes that serve every ListUsers filter and sort (issue 11).
--
-- Profile fields are text, '' meaning "not set" (as the other names of 002). Custom attribute values
-- are a JSON object {name: value} validated against the pool's attribute definitions by the service.
alter table users
  add column picture           text  not null default '',
  add column profile           text  not null default '',
  add column website           text  not null default '',
  add column gender            text  not null default '',
  add column birthdate         text  not null default '',
  add column zoneinfo          text  not null default '',
  add column locale            text  not null default '',
  add column custom_attributes jsonb not null default '{}';

-- One index per sortable or filterable text field: (pool, lower-cased value in byte order, seq).
-- It serves the exact filter (=), the prefix search of UniversalSearch (LIKE 'x%', which a btree
-- can use only under the C collation), the *IsNullOrEmpty flags (= ''), and the keyset cursor of a
-- sort by that field ((key, seq) < (k, s) is one index range). Nullable identifiers are coalesced to
-- '' so "no value" sorts and filters like an empty one. The expressions here are the ones
-- src/users/queries.ts writes (SORT_KEYS); a query that spells one differently loses its index.
create index users__sort_preferred_username on users (account_id, user_pool_uid, (coalesce(lower(preferred_username), '') collate "C"), seq);
create index users__sort_email on users (account_id, user_pool_uid, (coalesce(lower(email), '') collate "C"), seq);
create index users__sort_phone_number on users (account_id, user_pool_uid, (coalesce(phone_number, '') collate "C"), seq);
create index users__sort_name on users (account_id, user_pool_uid, (lower(name) collate "C"), seq);
create index users__sort_given_name on users (account_id, user_pool_uid, (lower(given_name) collate "C"), seq);
create index users__sort_family_name on users (account_id, user_pool_uid, (lower(family_name) collate "C"), seq);
create index users__sort_middle_name on users (account_id, user_pool_uid, (lower(middle_name) collate "C"), seq);
create index users__sort_nickname on users (account_id, user_pool_uid, (lower(nickname) collate "C"), seq);
create index users__sort_website on users (account_id, user_pool_uid, (lower(website) collate "C"), seq);
create index users__sort_gender on users (account_id, user_pool_uid, (lower(gender) collate "C"), seq);
create index users__sort_locale on users (account_id, user_pool_uid, (lower(locale) collate "C"), seq);
-- SortField UpdateTime, and Filter.UserState (newest first within a state).
create index users__sort_updated_at on users (account_id, user_pool_uid, updated_at, seq);
create index users__user_state on users (account_id, user_pool_uid, user_state, seq);
