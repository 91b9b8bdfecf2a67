-- Permissions (upstream phase 5, issue 29): namespaces of an account, and in each its resource tree,
-- actions, permission points and Cedar policies. Everything below a namespace goes with it
-- (foreign keys cascade). docs/api/permissions.md describes the behaviour.

create table permission_namespaces (
  account_id      bigint      not null,
  id              text        not null,
  name            text        not null,
  description     text        not null default '',
  project_name    text        not null default 'default',
  tags            jsonb       not null default '[]',
  associates      jsonb       not null default '[]',
  -- Bumped in the transaction of every policy write: a check reads it with the namespace row and
  -- rebuilds its cached policy index when it moved, so the next check on any instance sees the write.
  policy_version  bigint      not null default 0,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  constraint permission_namespaces__pkey primary key (account_id, id)
);
create unique index permission_namespaces__name on permission_namespaces (account_id, name);
create index permission_namespaces__created_at on permission_namespaces (account_id, created_at, id);

create table permission_resources (
  account_id    bigint      not null,
  namespace_id  text        not null,
  id            text        not null,
  key           text        not null,
  name          text        not null,
  type          text        not null,
  description   text        not null default '',
  -- "" or a JSON object: the resource's attributes in a check (resource.<attr> in a condition).
  properties    text        not null default '',
  parent_key    text,
  -- The keys of the ancestors, root first (empty for a root); bounded depth (src/permissions/schemas.ts).
  path          text[]      not null default '{}',
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  constraint permission_resources__pkey primary key (account_id, namespace_id, key),
  constraint permission_resources__namespace foreign key (account_id, namespace_id)
    references permission_namespaces (account_id, id) on delete cascade
);
create index permission_resources__parent on permission_resources (account_id, namespace_id, parent_key, key);
-- A resource's descendants (reparenting, the delete guard): path @> array[key].
create index permission_resources__path on permission_resources using gin (path);

create table permission_actions (
  account_id     bigint      not null,
  namespace_id   text        not null,
  id             text        not null,
  key            text        not null,
  name           text        not null,
  resource_type  text        not null,
  description    text        not null default '',
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  constraint permission_actions__pkey primary key (account_id, id),
  constraint permission_actions__namespace foreign key (account_id, namespace_id)
    references permission_namespaces (account_id, id) on delete cascade
);
create unique index permission_actions__key on permission_actions (account_id, namespace_id, resource_type, key);

create table permission_points (
  account_id     bigint      not null,
  namespace_id   text        not null,
  id             text        not null,
  auth_point_id  text        not null,
  link           text        not null,
  name           text        not null,
  type           text        not null,
  decision_mode  text        not null,
  enabled        boolean     not null,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  constraint permission_points__pkey primary key (account_id, id),
  constraint permission_points__namespace foreign key (account_id, namespace_id)
    references permission_namespaces (account_id, id) on delete cascade
);
create unique index permission_points__auth_point on permission_points (account_id, namespace_id, auth_point_id);

create table permission_policies (
  account_id    bigint      not null,
  namespace_id  text        not null,
  id            text        not null,
  name          text        not null,
  description   text        not null default '',
  status        text        not null default 'Enabled',
  -- The Cedar text as given (or as written from a Definition), and what a check's index needs from it
  -- without parsing it again: the effect and the scope (Cedar's JSON form of principal/action/resource).
  text          text        not null,
  effect        text        not null,
  scope         jsonb       not null,
  conditional   boolean     not null,
  definition    jsonb       not null,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  constraint permission_policies__pkey primary key (account_id, namespace_id, id),
  constraint permission_policies__namespace foreign key (account_id, namespace_id)
    references permission_namespaces (account_id, id) on delete cascade
);
create unique index permission_policies__name on permission_policies (account_id, namespace_id, name);

-- A User principal's groups in a check (the group_members index leads with the pool, which a check
-- does not know).
create index group_members__account_user on group_members (account_id, user_uid, group_uid);
