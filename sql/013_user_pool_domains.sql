-- Custom domains of user pools (issue 14): one domain per pool, the CNAME target its owner must point
-- it at, and whether idplane has seen that CNAME (PENDING until then, ACTIVE after); and the log of
-- what was done to a pool's domain (create, verify, update, delete) with its outcome.

create table user_pool_domains (
  account_id       bigint      not null,
  user_pool_uid    text        not null,
  -- Lower case, IDN as punycode, no trailing dot (src/user-pool-domains/names.ts).
  domain           text        not null,
  -- The CNAME target (ApigDomain), fixed at creation: the owner's DNS record points at it.
  apig_domain      text        not null,
  -- Stored and returned; idplane terminates no TLS for custom domains.
  certificate_id   text        not null default '',
  status           text        not null default 'PENDING',
  -- When a check last started: checks of one domain are at least ID_DOMAIN_CHECK_INTERVAL_SECONDS apart.
  last_checked_at  timestamptz,
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  -- One domain per pool: the pool's CustomDomain and endpoints name one host.
  constraint user_pool_domains__pkey primary key (account_id, user_pool_uid),
  constraint user_pool_domains__user_pool_uid foreign key (account_id, user_pool_uid)
    references user_pools (account_id, uid) on delete cascade,
  constraint user_pool_domains__status check (status in ('PENDING', 'ACTIVE'))
);
-- A host name points at one pool in the whole service, whatever the account: the one unique key here
-- not led by account_id, on purpose (sharded by account, it would become a reference table).
create unique index user_pool_domains__domain on user_pool_domains (domain);
-- Housekeeping's pass over the pending domains of every account, least recently checked first.
create index user_pool_domains__pending on user_pool_domains (last_checked_at nulls first) where status = 'PENDING';

create table user_pool_domain_operations (
  account_id     bigint      not null,
  user_pool_uid  text        not null,
  task_id        text        not null,
  domain         text        not null,
  action         text        not null,
  status         text        not null,
  error_message  text        not null default '',
  created_at     timestamptz not null default now(),
  -- A repeated check with the same outcome moves this instead of adding a row.
  updated_at     timestamptz not null default now(),
  constraint user_pool_domain_operations__pkey primary key (account_id, task_id),
  constraint user_pool_domain_operations__user_pool_uid foreign key (account_id, user_pool_uid)
    references user_pools (account_id, uid) on delete cascade,
  constraint user_pool_domain_operations__action check (action in ('CREATE', 'VERIFY', 'UPDATE', 'DELETE')),
  constraint user_pool_domain_operations__status check (status in ('SUCCESS', 'FAILED'))
);
-- ListUserPoolDomainOperations, newest first; and the trim that keeps a pool's newest 100.
create index user_pool_domain_operations__account_id_user_pool_uid_created_at
  on user_pool_domain_operations (account_id, user_pool_uid, created_at desc, task_id desc);
