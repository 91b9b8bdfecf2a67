-- Foundation: access keys (the gateway's credentials) and user pools (the first tenant resource).
-- Every tenant table carries account_id and leads its unique constraints and lookup indexes with it,
-- so the schema can be sharded by account without a rewrite. Constraints are named table__column:
-- the error translator maps them to API errors by name.

create table access_keys (
  access_key_id     text        not null,
  account_id        bigint      not null,
  role              text        not null,
  -- AES-256-GCM (iv || tag || ciphertext) under the master key named by secret_key_id;
  -- associated data is the access key id. Never hashed: HMAC verification needs the plain secret.
  secret_sealed     bytea       not null,
  secret_key_id     text        not null,
  enabled           boolean     not null default true,
  description       text        not null default '',
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  constraint access_keys__pkey primary key (access_key_id),
  constraint access_keys__role check (role in ('admin', 'readonly'))
);
create index access_keys__account_id on access_keys (account_id);

create table user_pools (
  account_id               bigint      not null,
  uid                      text        not null,
  name                     text        not null,
  description              text        not null default '',
  enabled                  boolean     not null default true,
  password_policy          jsonb       not null,
  custom_scopes            text[]      not null default '{}',
  reset_password_url       text,
  reset_token_ttl_seconds  integer     not null default 7200,
  -- Kept in step by the statements that add and remove children, in the same transaction.
  total_users              integer     not null default 0,
  total_clients            integer     not null default 0,
  total_connections        integer     not null default 0,
  created_at               timestamptz not null default now(),
  updated_at               timestamptz not null default now(),
  constraint user_pools__pkey primary key (account_id, uid),
  constraint user_pools__name unique (account_id, name)
);
-- Paging order of ListUserPools.
create index user_pools__account_id_created_at on user_pools (account_id, created_at desc, uid);

-- Keeps the user_pools counter column named by the trigger's argument (total_users, total_clients,
-- total_connections) in step with a child table, in the same transaction. Each child table attaches
-- it twice, AFTER INSERT and AFTER DELETE, statement-level with the transition table named "changed",
-- so a batch or a pool's cascade costs one update per pool, not one per row. When the pool itself
-- is being deleted the update finds no row, as it should.
create function user_pools__count_children() returns trigger language plpgsql as $$
begin
  execute format(
    'update user_pools p set %1$I = greatest(p.%1$I + $1 * c.n, 0)
       from (select account_id, user_pool_uid, count(*)::int as n from changed group by 1, 2) c
      where p.account_id = c.account_id and p.uid = c.user_pool_uid',
    tg_argv[0])
  using case tg_op when 'INSERT' then 1 else -1 end;
  return null;
end $$;
