-- Departments of a user pool (upstream's CreateDepartment family, issue 28): a tree per pool, its
-- members, and the staging area of directory sync sessions with their jobs.
--
-- The tree is a materialized path: `path` is '/<top uid>/.../<own uid>/', so a subtree is one range
-- of departments__path (path >= p and path < p || U+10FFFF, byte order), and a move rewrites the
-- moved subtree's paths in one UPDATE (linear in the subtree). Writers of one pool's tree take an
-- advisory lock (src/departments/lock.ts), so two moves never interleave into a cycle. The counts
-- (DirectChildrenCount, DirectMemberCount, MemberCount) are computed when read, never stored, so no
-- write can leave them wrong.

create table departments (
  account_id     bigint      not null,
  user_pool_uid  text        not null,
  uid            text        not null,
  -- null: a top-level department (answered as ParentDepartmentUid "0").
  parent_uid     text,
  path           text        collate "C" not null,
  depth          integer     not null,
  name           text        not null,
  -- '/<top name>/.../<own name>', rewritten with the paths on a move or a rename.
  name_path      text        not null,
  description    text        not null default '',
  -- An outside system's id for the department (sync): unique per Source in the pool when set.
  external_id    text        not null default '',
  source         text        not null default 'Manual',
  precedence     integer     not null default 0,
  iam_role_trn   text        not null default '',
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  constraint departments__pkey primary key (account_id, user_pool_uid, uid),
  constraint departments__user_pool foreign key (account_id, user_pool_uid) references user_pools (account_id, uid) on delete cascade,
  constraint departments__parent foreign key (account_id, user_pool_uid, parent_uid)
    references departments (account_id, user_pool_uid, uid) on delete cascade
);
create unique index departments__path on departments (account_id, user_pool_uid, path);
-- A department's children in ListDepartments' default order, and DirectChildrenCount.
create index departments__parent_uid on departments (account_id, user_pool_uid, parent_uid, precedence, uid);
create unique index departments__external_id on departments (account_id, user_pool_uid, source, external_id) where external_id <> '';

create table department_members (
  account_id      bigint      not null,
  user_pool_uid   text        not null,
  department_uid  text        not null,
  user_uid        text        not null,
  is_primary      boolean     not null default false,
  role            text        not null default '',
  created_at      timestamptz not null default now(),
  constraint department_members__pkey primary key (account_id, user_pool_uid, department_uid, user_uid),
  constraint department_members__department foreign key (account_id, user_pool_uid, department_uid)
    references departments (account_id, user_pool_uid, uid) on delete cascade,
  constraint department_members__user foreign key (account_id, user_pool_uid, user_uid)
    references users (account_id, user_pool_uid, uid) on delete cascade
);
-- A user's departments: DepartmentUids, ListDepartmentsForUser, NotInAnyDepartment, the user's cascade.
create index department_members__user on department_members (account_id, user_pool_uid, user_uid, department_uid);
-- At most one primary department per user.
create unique index department_members__primary on department_members (account_id, user_pool_uid, user_uid) where is_primary;

-- A sync session: what an outside source uploaded, staged until validated and committed.
create table department_sync_sessions (
  account_id      bigint      not null,
  user_pool_uid   text        not null,
  uid             text        not null,
  source          text        not null,
  -- OPEN, VALIDATED, COMMITTED, CANCELLED, FAILED
  status          text        not null,
  delete_threshold_pct integer not null,
  error_message   text        not null default '',
  expires_at      timestamptz not null,
  committed_at    timestamptz,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  constraint department_sync_sessions__pkey primary key (account_id, user_pool_uid, uid),
  constraint department_sync_sessions__user_pool foreign key (account_id, user_pool_uid) references user_pools (account_id, uid) on delete cascade
);

create table department_sync_staged_departments (
  account_id         bigint  not null,
  user_pool_uid      text    not null,
  session_uid        text    not null,
  external_id        text    not null,
  external_parent_id text    not null default '',
  name               text    not null,
  description        text    not null default '',
  precedence         integer not null default 0,
  -- UPSERT or DELETE
  action             text    not null default 'UPSERT',
  constraint department_sync_staged_departments__pkey primary key (account_id, user_pool_uid, session_uid, external_id),
  constraint department_sync_staged_departments__session foreign key (account_id, user_pool_uid, session_uid)
    references department_sync_sessions (account_id, user_pool_uid, uid) on delete cascade
);

create table department_sync_staged_members (
  account_id              bigint  not null,
  user_pool_uid           text    not null,
  session_uid             text    not null,
  department_external_id  text    not null,
  user_uid                text    not null,
  is_primary              boolean not null default false,
  role                    text    not null default '',
  constraint department_sync_staged_members__pkey primary key (account_id, user_pool_uid, session_uid, department_external_id, user_uid),
  constraint department_sync_staged_members__session foreign key (account_id, user_pool_uid, session_uid)
    references department_sync_sessions (account_id, user_pool_uid, uid) on delete cascade
);

-- Validations and commits of sessions, newest first per pool.
create table department_sync_jobs (
  account_id      bigint      not null,
  user_pool_uid   text        not null,
  uid             text        not null,
  session_uid     text        not null,
  source          text        not null,
  -- VALIDATE or COMMIT
  type            text        not null,
  -- SUCCEEDED or FAILED
  status          text        not null,
  error_message   text        not null default '',
  started_at      timestamptz not null,
  finished_at     timestamptz not null,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  constraint department_sync_jobs__pkey primary key (account_id, user_pool_uid, uid),
  constraint department_sync_jobs__user_pool foreign key (account_id, user_pool_uid) references user_pools (account_id, uid) on delete cascade
);
create index department_sync_jobs__created_at on department_sync_jobs (account_id, user_pool_uid, created_at desc, uid);
