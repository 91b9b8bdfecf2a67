-- Sign-in finds its tenant from the request alone (issue 24; src/user-pools/locate.ts): the pool Uid
-- in the issuer path, the Host of a custom domain, or a client_id. Those are the documented
-- exceptions to "every index leads with account_id" (docs/architecture.md): the lookups know no
-- account yet. Custom domains (user_pool_domains__domain, 013) and client ids
-- (oauth_credentials__client_api_identifier, 003) already have their global unique index; a pool's
-- Uid gets one here, so an issuer path names one pool in the whole service.
-- Uids are random UUIDs (src/user-pools/service.ts), so existing rows never collide; should an
-- imported row ever repeat one, this migration stops with the duplicate named rather than letting
-- an issuer path point at two pools. On a sharded deployment it becomes a directory table by Uid.
create unique index user_pools__uid on user_pools (uid);
