-- Custom domains (issue 22, item 3): a PENDING row is a claim, not an ownership. Any number of pools,
-- of any accounts, may claim one name; the claim whose CNAME verifies becomes ACTIVE, and only one
-- ACTIVE row per name may exist. The old unique index let the first claimant hold a name it could not
-- prove, forever, against its real owner.
drop index user_pool_domains__domain;
create unique index user_pool_domains__active_domain on user_pool_domains (domain) where status = 'ACTIVE';
-- The other claims of a name, withdrawn when one of them becomes ACTIVE.
create index user_pool_domains__domain on user_pool_domains (domain);
-- Housekeeping's removal of claims left pending past their time (src/user-pool-domains/claims.ts).
create index user_pool_domains__pending_created_at on user_pool_domains (created_at) where status = 'PENDING';
