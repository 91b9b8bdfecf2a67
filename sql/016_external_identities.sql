-- Identity linking (issue 15): external identities (a connection's user id) linked to users of a
-- pool, and federated users (created from an external identity, without a password).
--
-- A link names its connection generically, whatever its type (OAuth, OIDC and SAML connections all
-- live in identity_providers), and the pool is part of the reference, so a link can never name
-- another pool's connection. Deleting a user or a connection deletes its links in the same statement
-- (FK cascade); deleting the pool cascades through both.

-- The target of the links' foreign key: (pool, connection) rather than the primary key's
-- (account, connection), so the database itself keeps a link's user and connection in one pool.
alter table identity_providers
  add constraint identity_providers__user_pool_uid_uid unique (account_id, user_pool_uid, uid);

create table external_identities (
  account_id        bigint      not null,
  user_pool_uid     text        not null,
  connection_uid    text        not null,
  -- The user's id at the provider (upstream's ExternalProviderUserIdentifier / ExternalProviderUserId).
  external_user_id  text        not null,
  user_uid          text        not null,
  -- CREATE: made with the user (CreateUser, CreateUsers); LINK: LinkIdentityProviderToUser.
  link_source       text        not null,
  created_at        timestamptz not null,
  updated_at        timestamptz not null,
  -- One external identity belongs to at most one user of a pool. external_user_id before
  -- connection_uid: ListUsers' Filter.ExternalProviderUserIdentifiersOr is a range of this index.
  constraint external_identities__pkey primary key (account_id, user_pool_uid, external_user_id, connection_uid),
  -- A user has at most one identity of each connection; also the index of a user's identities and of
  -- the cascade when a user is deleted.
  constraint external_identities__user_uid unique (account_id, user_pool_uid, user_uid, connection_uid),
  constraint external_identities__user foreign key (account_id, user_pool_uid, user_uid)
    references users (account_id, user_pool_uid, uid) on delete cascade,
  constraint external_identities__connection foreign key (account_id, user_pool_uid, connection_uid)
    references identity_providers (account_id, user_pool_uid, uid) on delete cascade,
  constraint external_identities__link_source check (link_source in ('CREATE', 'LINK'))
);
-- Serves the cascade when a connection is deleted.
create index external_identities__connection_uid on external_identities (account_id, user_pool_uid, connection_uid);

-- Federated users: created from an external identity without a password. connection_uid names the
-- connection they came through (the user's Connection; kept when that connection is deleted, so no
-- foreign key) and is null for native users. A federated user's identifiers are the provider's
-- claims, not sign-in names of this pool: they are unique among native users only, and
-- BatchConvertFederatedUsersToNativeUsers makes a federated user native where that holds.
alter table users add column connection_uid text;

drop index users__email;
drop index users__preferred_username;
drop index users__phone_number;
create unique index users__email on users (account_id, user_pool_uid, lower(email)) where email is not null and connection_uid is null;
create unique index users__preferred_username on users (account_id, user_pool_uid, lower(preferred_username)) where preferred_username is not null and connection_uid is null;
create unique index users__phone_number on users (account_id, user_pool_uid, phone_number) where phone_number is not null and connection_uid is null;

-- ListUsers' Filter.Connection (newest first within a connection).
create index users__connection_uid on users (account_id, user_pool_uid, connection_uid, seq);
