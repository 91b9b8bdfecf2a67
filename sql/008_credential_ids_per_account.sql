-- CredentialId is numbered per account (issue 10): the one identity sequence of 003 told every tenant
-- how many credentials all the others had created (the gap between two of its own ids). Now each
-- account counts its own credentials; (account_id, credential_id) was already the primary key, and
-- ClientApiIdentifier stays unique across accounts. Existing rows keep their ids.

-- The last CredentialId each account has handed out. A row per account that ever created one.
create table oauth_credential_ids (
  account_id  bigint  not null,
  last_id     bigint  not null,
  constraint oauth_credential_ids__pkey primary key (account_id)
);

-- Accounts that exist at upgrade continue above every id the global sequence ever handed out, so no
-- id an account had before (a deleted credential's included) names another of its credentials later.
-- Accounts created after the upgrade start at 1.
insert into oauth_credential_ids (account_id, last_id)
select a.account_id, s.last_id
  from (select account_id from oauth_credentials
        union select account_id from user_pools
        union select account_id from access_keys) a
 cross join (select greatest(
               coalesce(pg_sequence_last_value(pg_get_serial_sequence('oauth_credentials', 'credential_id')::regclass), 0),
               coalesce((select max(credential_id) from oauth_credentials), 0)) as last_id) s
 where s.last_id > 0;

alter table oauth_credentials alter column credential_id drop identity;

-- The next id of the row's account, taken under the lock of the account's counter row until the
-- inserting transaction ends: concurrent creates in one account queue here and get consecutive ids
-- (a rolled-back create gives its id back); creates in different accounts never wait for each other.
-- Any credential_id the insert names is replaced: the application never chooses one.
create function oauth_credentials__next_id() returns trigger language plpgsql as $$
begin
  insert into oauth_credential_ids as c (account_id, last_id) values (new.account_id, 1)
  on conflict (account_id) do update set last_id = c.last_id + 1
  returning c.last_id into new.credential_id;
  return new;
end $$;

create trigger oauth_credentials__next_id before insert on oauth_credentials
  for each row execute function oauth_credentials__next_id();
