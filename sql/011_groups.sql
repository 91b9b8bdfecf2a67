-- Groups of a user pool and their members (upstream's CreateGroup family, issue 14).
--
-- A group belongs to one pool; a membership joins a group and a user of the same pool. Both foreign
-- keys of group_members cascade, so deleting a group, a user or the pool removes its memberships in
-- the same transaction. groups.total_members follows every insert and delete of group_members
-- through the statement-level triggers at the end of this file (one update per group per statement,
-- so adding 100,000 members in one statement costs one update, and a user's or pool's cascade too).

create table groups (
  account_id     bigint      not null,
  user_pool_uid  text        not null,
  uid            text        not null,
  -- Unique in the pool case-insensitively (groups__name): "Admins" and "admins" would be one group
  -- to anyone reading a token's group names.
  name           text        not null,
  description    text        not null default '',
  -- Lower comes first: the order a user's GroupUids are listed in.
  precedence     integer     not null default 0,
  -- Stored and answered; idplane assumes no IAM role (README, "Groups").
  iam_role_trn   text        not null default '',
  -- How the group came to be; every group idplane has was made through the API.
  source         text        not null default 'Manual',
  total_members  integer     not null default 0,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  constraint groups__pkey primary key (account_id, user_pool_uid, uid),
  constraint groups__user_pool foreign key (account_id, user_pool_uid) references user_pools (account_id, uid) on delete cascade
);
create unique index groups__name on groups (account_id, user_pool_uid, lower(name));
-- ListGroups' default order (Precedence, then uid) and its other sorts.
create index groups__precedence on groups (account_id, user_pool_uid, precedence, uid);
create index groups__created_at on groups (account_id, user_pool_uid, created_at, uid);

create table group_members (
  account_id     bigint      not null,
  user_pool_uid  text        not null,
  group_uid      text        not null,
  user_uid       text        not null,
  created_at     timestamptz not null default now(),
  -- Serves ListUsersInGroup and ListUsers' Filter.GroupUid (one probe per candidate user) and the
  -- group's cascade.
  constraint group_members__pkey primary key (account_id, user_pool_uid, group_uid, user_uid),
  constraint group_members__group foreign key (account_id, user_pool_uid, group_uid)
    references groups (account_id, user_pool_uid, uid) on delete cascade,
  constraint group_members__user foreign key (account_id, user_pool_uid, user_uid)
    references users (account_id, user_pool_uid, uid) on delete cascade
);
-- A user's groups: GroupUids, ListGroupsForUser(s), Filter.NotInAnyGroup, the per-user quota and the
-- user's cascade.
create index group_members__user on group_members (account_id, user_pool_uid, user_uid, group_uid);

-- groups.total_members in step with group_members, as user_pools__count_children (001) keeps the
-- pool's counters. A group being deleted finds no row to update, as it should.
create function groups__count_members() returns trigger language plpgsql as $$
begin
  update groups g set total_members = greatest(g.total_members + (case tg_op when 'INSERT' then 1 else -1 end) * c.n, 0)
    from (select account_id, user_pool_uid, group_uid, count(*)::int as n from changed group by 1, 2, 3) c
   where g.account_id = c.account_id and g.user_pool_uid = c.user_pool_uid and g.uid = c.group_uid;
  return null;
end $$;

create trigger group_members__count_inserted after insert on group_members
  referencing new table as changed for each statement execute function groups__count_members();
create trigger group_members__count_deleted after delete on group_members
  referencing old table as changed for each statement execute function groups__count_members();
