-- The plans and times of ListUsers' identity-linking filters and of the ExternalIdentities of a page
-- at 100,000 users (half federated) and 100,000 links, in a transaction rolled back at the end.
-- Run against a migrated database that holds at least one connection (any test run leaves some):
--   psql -h 127.0.0.1 -U postgres -d <db> -f bench/users/linking-plans.sql
-- The SQL mirrors what src/users/list-linking.ts and src/external-identities/queries.ts build.
\set QUIET on
select account_id, user_pool_uid, uid as conn from identity_providers limit 1 \gset
begin;
delete from users where account_id = :account_id and user_pool_uid = :'user_pool_uid';
insert into users (account_id, user_pool_uid, uid, email, connection_uid, created_at, updated_at)
select :account_id, :'user_pool_uid', 'bench-' || g,
       case when g % 2 = 0 then 'f' || (g % 1000) else 'n' || g end || '@example.com',
       case when g % 2 = 0 then :'conn' end, now(), now()
from generate_series(1, 100000) g;
-- Before the links: the foreign-key checks plan against the grown table, not the empty one.
analyze users;
insert into external_identities (account_id, user_pool_uid, connection_uid, external_user_id, user_uid, link_source, created_at, updated_at)
select :account_id, :'user_pool_uid', :'conn', 'ext-' || g, 'bench-' || g, 'CREATE', now(), now() from generate_series(1, 100000) g;
analyze external_identities;
\set QUIET off
-- Filter.ExternalProviderUserIdentifiersOr (two ids), first page
explain analyze select uid from users where account_id = :account_id and user_pool_uid = :'user_pool_uid'
  and uid in (select user_uid from external_identities where account_id = :account_id and user_pool_uid = :'user_pool_uid' and external_user_id in ('ext-5', 'ext-77777'))
  order by seq desc limit 11;
-- Filter.Connection (50,000 matches), first page
explain analyze select uid from users where account_id = :account_id and user_pool_uid = :'user_pool_uid' and connection_uid = :'conn' order by seq desc limit 11;
-- Filter.EmailIsDuplicated (500 shared addresses, 50,000 users holding one), counted
explain analyze select count(*) from users where account_id = :account_id and user_pool_uid = :'user_pool_uid'
  and (coalesce(lower(email), '') collate "C") in (select (coalesce(lower(email), '') collate "C") from users
    where account_id = :account_id and user_pool_uid = :'user_pool_uid' and (coalesce(lower(email), '') collate "C") > '' group by 1 having count(*) > 1);
-- The ExternalIdentities of a page of 10 users
explain analyze select l.user_uid from external_identities l join identity_providers c
  on c.account_id = l.account_id and c.user_pool_uid = l.user_pool_uid and c.uid = l.connection_uid
  where l.account_id = :account_id and l.user_pool_uid = :'user_pool_uid'
  and l.user_uid in ('bench-1','bench-2','bench-3','bench-4','bench-5','bench-6','bench-7','bench-8','bench-9','bench-10')
  order by l.created_at, l.connection_uid;
rollback;
