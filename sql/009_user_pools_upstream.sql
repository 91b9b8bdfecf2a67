-- Upstream fidelity for user pools (issue 11): the sign-in, sign-up and recovery settings, Brand,
-- ProjectName and Tags on the pool, and the pool's custom attributes (a child table).
-- The settings are stored and returned; a data plane would enforce them (idplane has no sign-in flow yet).

alter table user_pools
  add column project_name                    text    not null default 'default',
  -- [{"Key": ..., "Value": ...}] in the caller's order; at most 50, keys unique (checked by the service).
  add column tags                            jsonb   not null default '[]',
  add column brand                           jsonb   not null default '{"Name": "", "LogoUri": ""}',
  add column authentication_method_order     text[]  not null default '{}',
  add column required_sign_up_attributes     text[]  not null default '{}',
  add column sign_in_attributes              text[]  not null default '{email}',
  add column self_account_recovery_verification_attributes text[] not null default '{email}',
  add column password_sign_in_enabled        boolean not null default true,
  add column email_passwordless_sign_in_enabled boolean not null default false,
  add column sms_passwordless_sign_in_enabled boolean not null default false,
  add column self_sign_up_enabled            boolean not null default false,
  add column sign_up_auto_verification_enabled boolean not null default false,
  add column email_anonymous_sign_up_enabled boolean not null default false,
  add column sms_anonymous_sign_up_enabled   boolean not null default false,
  add column unconfirmed_user_sign_in_enabled boolean not null default false,
  add column self_account_recovery_enabled   boolean not null default false;

-- The other sort orders of ListUserPools (CreateTime has user_pools__account_id_created_at; Name has
-- the unique user_pools__name), and its ProjectName filter. Tag filters scan the account's pools,
-- which the pools quota keeps small (100 by default).
create index user_pools__account_id_updated_at on user_pools (account_id, updated_at desc, uid);
create index user_pools__account_id_project_name on user_pools (account_id, project_name, created_at desc, uid);

create table user_pool_custom_attributes (
  account_id     bigint      not null,
  user_pool_uid  text        not null,
  uid            text        not null,
  name           text        not null,
  data_type      text        not null,
  mutability     text        not null,
  -- The effective bounds: a string's length, a number's value; 0 and 0 for boolean and datetime.
  minimum        integer     not null,
  maximum        integer     not null,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  constraint user_pool_custom_attributes__pkey primary key (account_id, uid),
  constraint user_pool_custom_attributes__user_pool_uid foreign key (account_id, user_pool_uid)
    references user_pools (account_id, uid) on delete cascade,
  constraint user_pool_custom_attributes__data_type check (data_type in ('String', 'Number', 'Boolean', 'DateTime')),
  constraint user_pool_custom_attributes__mutability check (mutability in ('Mutable', 'Immutable')),
  constraint user_pool_custom_attributes__bounds check (minimum <= maximum)
);
-- Names are unique in a pool case-insensitively: users carry values by name, and "Dept" next to
-- "dept" would be a trap.
create unique index user_pool_custom_attributes__name on user_pool_custom_attributes (account_id, user_pool_uid, lower(name));
-- GetUserPool lists a pool's attributes oldest first.
create index user_pool_custom_attributes__account_id_user_pool_uid_created_at
  on user_pool_custom_attributes (account_id, user_pool_uid, created_at, uid);
