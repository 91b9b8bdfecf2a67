-- OAuth identity providers ("connections") of a user pool (api.md §6, seed 002).
-- account_id leads every key and index (sharding by account); constraints are named table__column so
-- the error translator can tell them apart. A connection belongs to its pool: deleting the pool
-- deletes its connections in the same statement (FK cascade).

create table identity_providers (
  account_id              bigint      not null,
  user_pool_uid           text        not null,
  uid                     text        not null,
  name                    text        not null,
  -- Only OAUTH today; the column lets ListIdentityProviders filter when other kinds arrive.
  connection_type         text        not null default 'OAUTH',
  provider                text        not null default '',
  enabled                 boolean     not null default true,
  use_pkce                boolean     not null default true,
  client_id               text        not null,
  -- AES-256-GCM (iv || tag || ciphertext) under the master key named by client_secret_key_id;
  -- associated data 'identity_provider:<account_id>:<user_pool_uid>:<uid>' binds it to this row.
  -- Both null when no secret was ever set (public client with PKCE).
  client_secret_sealed    bytea,
  client_secret_key_id    text,
  authorization_endpoint  text        not null,
  token_endpoint          text        not null,
  user_endpoint           text        not null,
  scopes_list             text[]      not null default '{}',
  id_attribute            text        not null,
  provider_options        jsonb       not null,
  created_at              timestamptz not null default now(),
  updated_at              timestamptz not null default now(),
  constraint identity_providers__pkey primary key (account_id, uid),
  constraint identity_providers__name unique (account_id, user_pool_uid, name),
  constraint identity_providers__user_pool_uid foreign key (account_id, user_pool_uid)
    references user_pools (account_id, uid) on delete cascade,
  constraint identity_providers__connection_type check (connection_type in ('OAUTH')),
  constraint identity_providers__client_secret check ((client_secret_sealed is null) = (client_secret_key_id is null))
);
-- Paging order of the list actions (newest first) within a pool.
create index identity_providers__account_id_user_pool_uid_created_at
  on identity_providers (account_id, user_pool_uid, created_at desc, uid);

-- user_pools.total_connections in step with this table (user_pools__count_children, 001).
create trigger identity_providers__count_inserted after insert on identity_providers
  referencing new table as changed for each statement execute function user_pools__count_children('total_connections');
create trigger identity_providers__count_deleted after delete on identity_providers
  referencing old table as changed for each statement execute function user_pools__count_children('total_connections');
