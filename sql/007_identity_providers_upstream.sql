-- Upstream's OAuth connection fields (issue 11): attribute mappings, claims propagation, the
-- DingTalk extra configuration and the sole-provider flag; and the index ListAllIdentityProviders
-- pages by (every connection of an account, newest first).
alter table identity_providers
  add column attribute_mappings           jsonb   not null default '[]',
  add column claims_propagation_config    jsonb   not null default '{"Mode": "DISABLED", "ClaimRules": []}',
  add column extra_provider_configuration jsonb   not null default '{"DingDingExtraProviderConfiguration": {"AgentId": ""}}',
  add column sole_provider_connection     boolean not null default false;

-- At most one connection of a pool is its sole provider connection.
create unique index identity_providers__sole_provider_connection
  on identity_providers (account_id, user_pool_uid) where sole_provider_connection;

create index identity_providers__account_id_created_at
  on identity_providers (account_id, created_at desc, uid);
