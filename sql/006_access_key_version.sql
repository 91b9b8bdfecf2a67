-- A counter of changes to access_keys, for instances that cannot LISTEN (behind PgBouncer in
-- transaction mode, DATABASE_POOLER=pgbouncer): each polls this one row and drops its cached keys
-- when the number moved (src/access-keys/key-changes.ts). A trigger keeps it, so every writer counts,
-- the CLI of any version included. The row lock orders the increments by commit: a poller never
-- sees a later change and misses an earlier one, as it could with a sequence.
create table access_key_version (
  id       boolean primary key default true,
  version  bigint  not null default 0,
  constraint access_key_version__one_row check (id)
);
insert into access_key_version (id, version) values (true, 0);

create function access_key_version_bump() returns trigger language plpgsql as $$
begin
  update access_key_version set version = version + 1 where id;
  return null;
end;
$$;

-- Per statement: a batch of changes costs one increment. Inserts count too: an instance may hold a
-- short negative entry for a key that did not exist yet.
create trigger access_keys__version after insert or update or delete on access_keys
  for each statement execute function access_key_version_bump();
