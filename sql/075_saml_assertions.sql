-- SAML sign-in (issue 25, src/sign-in/federation/saml.ts): the ids of the assertions a pool's SAML
-- connections have accepted, kept until the assertion could no longer be accepted anyway (its
-- NotOnOrAfter plus the allowed clock skew), so an assertion posted a second time is refused on
-- every instance, not only the one that saw it first. assertion_id_hash is SHA-256 of the
-- assertion's ID (an identifier, not a bearer value; hashed so the key has a fixed size).
create table saml_assertions (
  account_id         bigint      not null,
  pool_uid           text        not null,
  connection_uid     text        not null,
  assertion_id_hash  bytea       not null,
  expires_at         timestamptz not null,
  constraint saml_assertions__pkey primary key (account_id, pool_uid, connection_uid, assertion_id_hash),
  constraint saml_assertions__pool foreign key (account_id, pool_uid) references user_pools (account_id, uid) on delete cascade
);
-- Housekeeping deletes expired ids in batches by this index.
create index saml_assertions__expires on saml_assertions (expires_at);
