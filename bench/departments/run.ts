// `npm run bench:departments`: a pool of 50,000 users and a tree of 10,110 departments (10 top, 10
// children each, 100 leaves under each child) holding 100,000 memberships (each user in two
// leaves), seeded with set-based SQL. Times through the SDK over signed HTTP: GetDepartmentTree of
// the whole pool and of one top (a tenth of it, for the ratio), ListUsersInDepartment recursive on a
// top's subtree (~10,000 users) and direct on a leaf, GetDepartment of a top, and sync commits of
// 5,000 and 10,000 changes (renames) of the hr Source. Ratios show growth against what each returns
// or changes. Medians of one run.
import { cpus, loadavg } from "node:os";
import { sql, type Kysely } from "kysely";
import type { Database } from "../../src/platform/db/schema.js";
import { median, p95, seedUsers, startBench, type Call } from "../users/setup.js";

const USERS = Number(process.env.BENCH_USERS ?? 50_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const fmt = (ms: number) => ms.toFixed(1);

interface Seeded {
  uid: string;
  ext: string;
  parentExt: string;
  name: string;
}

/**
 * The tree in three INSERT ... SELECT statements (tops, their children, the leaves), each a join of
 * the level above with generate_series; then read back parents first (the leaves last), with each
 * department's parent's ExternalID, for the sync uploads.
 */
async function seedTree(
  db: Kysely<Database>,
  accountId: string,
  pool: string,
): Promise<{ tops: Seeded[]; leaves: Seeded[]; all: Seeded[] }> {
  await sql`insert into departments (account_id, user_pool_uid, uid, parent_uid, path, depth, name, name_path, external_id, source, created_at, updated_at)
    select ${accountId}::bigint, ${pool}, uid, null, '/' || uid || '/', 1, 'Top ' || t, '/Top ' || t, 't' || t, 'hr', now(), now()
      from (select t, gen_random_uuid()::text as uid from generate_series(0, 9) as t) as x`.execute(db);
  const level = (depth: number, fanout: number, tag: string, label: string) =>
    sql`insert into departments (account_id, user_pool_uid, uid, parent_uid, path, depth, name, name_path, external_id, source, created_at, updated_at)
      select p.account_id, p.user_pool_uid, x.uid, p.uid, p.path || x.uid || '/', p.depth + 1,
             ${label} || substr(p.name, strpos(p.name, ' ') + 1) || '.' || x.i, p.name_path || '/' || ${label} || substr(p.name, strpos(p.name, ' ') + 1) || '.' || x.i,
             p.external_id || ${tag} || x.i, 'hr', now(), now()
        from departments p
        cross join lateral (select i, md5(p.uid || '.' || i)::uuid::text as uid from generate_series(0, ${fanout - 1}::int) as i) as x
       where p.account_id = ${accountId} and p.user_pool_uid = ${pool} and p.depth = ${depth}`.execute(db);
  await level(1, 10, "c", "Child ");
  await level(2, 100, "l", "Leaf ");
  // Fresh statistics: without them the planner takes the 10,110 departments for one row and runs
  // the self-joins below (and the membership seeding) as nested loops, minutes instead of a second.
  await sql`analyze departments`.execute(db);
  const rows = await sql<{ uid: string; ext: string; parent_ext: string | null; name: string; depth: number }>`
    select d.uid, d.external_id as ext, p.external_id as parent_ext, d.name, d.depth from departments d
      left join departments p on p.account_id = d.account_id and p.user_pool_uid = d.user_pool_uid and p.uid = d.parent_uid
     where d.account_id = ${accountId} and d.user_pool_uid = ${pool} order by d.depth, d.external_id`.execute(db);
  const all = rows.rows.map((r) => ({ uid: r.uid, ext: r.ext, parentExt: r.parent_ext ?? "", name: r.name }));
  return {
    all,
    tops: all.filter((_, i) => rows.rows[i]!.depth === 1),
    leaves: all.filter((_, i) => rows.rows[i]!.depth === 3),
  };
}

async function commitRenames(call: Call, pool: string, all: Seeded[], changes: number, tag: string): Promise<{ ms: number; result: any }> {
  const s = await call("CreateDepartmentSyncSession", { UserPoolUid: pool, Source: "hr" });
  const ref = { UserPoolUid: pool, SessionId: s.SessionId, Source: "hr" };
  // The leaves come last in `all`: rename `changes` of them (the rest uploaded unchanged).
  const items = all.map((d, i) => ({
    ExternalID: d.ext,
    ...(d.parentExt && { ExternalParentID: d.parentExt }),
    Name: i >= all.length - changes ? `${d.name} ${tag}` : d.name,
  }));
  for (let i = 0; i < items.length; i += 1000)
    await call("UploadDepartmentSyncDepartments", { ...ref, Departments: items.slice(i, i + 1000) });
  const t = performance.now();
  const result = await call("CommitDepartmentSyncSession", ref);
  return { ms: performance.now() - t, result };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** The least a commit of these renames must write: one UPDATE of their names, rolled back. */
async function renameFloor(db: Kysely<Database>, accountId: string, pool: string, depts: Seeded[]): Promise<number> {
  let ms = 0;
  await db
    .transaction()
    .execute(async (trx) => {
      const t = performance.now();
      await sql`update departments d set name = d.name || ' x', name_path = d.name_path || ' x', updated_at = now()
        from unnest(${depts.map((d) => d.uid)}::text[]) as u(uid)
       where d.account_id = ${accountId} and d.user_pool_uid = ${pool} and d.uid = u.uid`.execute(trx);
      ms = performance.now() - t;
      throw new Rollback();
    })
    .catch((err) => {
      if (!(err instanceof Rollback)) throw err;
    });
  return ms;
}
class Rollback extends Error {}

async function main() {
  const bench = await startBench();
  const { db } = bench.deps;
  const say = (line: string) => process.stdout.write(line + "\n");
  say(`database: ${bench.describe}; ${cpus().length} x ${cpus()[0]?.model ?? "cpu"}; load average at start ${loadavg()[0]!.toFixed(2)}`);
  try {
    const pool = (await bench.call("CreateUserPool", { Name: `bench-departments-${Date.now()}` })).Uid as string;
    const t = performance.now();
    await seedUsers(bench.deps, bench.accountId, pool, USERS);
    const tUsers = performance.now() - t;
    const { tops, leaves, all } = await seedTree(db, bench.accountId, pool);
    const tTree = performance.now() - t - tUsers;
    // Each user in two leaves of two tops: user n in leaf n mod L and leaf (n + L/2) mod L (leaves
    // numbered from 0 in ExternalID order, a top's 1,000 together): each top holds 10,000 users.
    await sql`insert into department_members (account_id, user_pool_uid, department_uid, user_uid, created_at)
      with l as (select uid, (row_number() over (order by external_id) - 1)::int as n from departments
                  where account_id = ${bench.accountId} and user_pool_uid = ${pool} and depth = 3),
           u as (select uid, row_number() over (order by seq)::int as n from users where account_id = ${bench.accountId} and user_pool_uid = ${pool})
      select ${bench.accountId}::bigint, ${pool}, l.uid, u.uid, now()
        from (select uid, n % ${leaves.length} as leaf from u union select uid, (n + ${leaves.length / 2}) % ${leaves.length} from u) as u
        join l on l.n = u.leaf`.execute(db);
    await sql`analyze departments`.execute(db);
    await sql`analyze department_members`.execute(db);
    const memberships = Number(
      (
        await sql<{
          n: string;
        }>`select count(*) as n from department_members where account_id = ${bench.accountId} and user_pool_uid = ${pool}`.execute(db)
      ).rows[0]!.n,
    );
    const tMembers = performance.now() - t - tUsers - tTree;
    say(
      `seeded ${USERS} users (${fmt(tUsers)} ms), ${all.length} departments (${fmt(tTree)} ms) and ${memberships} memberships (${fmt(tMembers)} ms, with analyze)`,
    );

    const top = tops[0]!.uid;
    const child = all.find((d) => d.parentExt === tops[0]!.ext)!.uid;
    const inTop = await bench.call("ListUsersInDepartment", {
      UserPoolUid: pool,
      DepartmentUid: top,
      PageSize: 50,
      Filter: { DepartmentUidRecursive: true },
    });
    const inChild = await bench.call("ListUsersInDepartment", {
      UserPoolUid: pool,
      DepartmentUid: child,
      PageSize: 50,
      Filter: { DepartmentUidRecursive: true },
    });
    const whole = await bench.call("GetDepartmentTree", { UserPoolUid: pool, RootDepartmentUid: "0" });
    const count = (nodes: { Children: unknown[] }[]): number => nodes.reduce((n, x) => n + 1 + count(x.Children as never), 0);
    say(
      `whole tree answers ${count(whole.Roots)} departments; top 0's subtree has ${inTop.TotalCount} users, one child's ${inChild.TotalCount}`,
    );

    // Floors, measured the same way (same process, same connection pool, alternated with the call):
    // the signed request path (GetUserPool through the SDK), and the bare SQL reading the rows the
    // call answers.
    const requestFloor = () => bench.call("GetUserPool", { UserPoolUid: pool });
    const treeRows = (path?: string) =>
      sql`select * from departments where account_id = ${bench.accountId} and user_pool_uid = ${pool}${
        path ? sql` and path >= ${path}::text collate "C" and path < (${path}::text || chr(1114111)) collate "C"` : sql``
      }`.execute(db);
    const topPath = `/${top}/`;
    const cases: [string, () => Promise<unknown>, (() => Promise<unknown>) | undefined][] = [
      [
        `GetDepartmentTree, whole pool (${all.length} departments)`,
        () => bench.call("GetDepartmentTree", { UserPoolUid: pool, RootDepartmentUid: "0" }),
        () => treeRows(),
      ],
      [
        `GetDepartmentTree, one top (${all.length / 10} departments)`,
        () => bench.call("GetDepartmentTree", { UserPoolUid: pool, RootDepartmentUid: top }),
        () => treeRows(topPath),
      ],
      [
        `ListUsersInDepartment, recursive on a top (${inTop.TotalCount} users), PageSize 50`,
        () =>
          bench.call("ListUsersInDepartment", {
            UserPoolUid: pool,
            DepartmentUid: top,
            PageSize: 50,
            Filter: { DepartmentUidRecursive: true },
          }),
        undefined,
      ],
      [
        `ListUsersInDepartment, recursive on a child (${inChild.TotalCount} users), PageSize 50`,
        () =>
          bench.call("ListUsersInDepartment", {
            UserPoolUid: pool,
            DepartmentUid: child,
            PageSize: 50,
            Filter: { DepartmentUidRecursive: true },
          }),
        undefined,
      ],
      [
        `ListUsersInDepartment, a leaf, PageSize 50`,
        () => bench.call("ListUsersInDepartment", { UserPoolUid: pool, DepartmentUid: leaves[0]!.uid, PageSize: 50 }),
        undefined,
      ],
      [
        `GetDepartment, a top (counts over ${memberships / 10} memberships)`,
        () => bench.call("GetDepartment", { UserPoolUid: pool, DepartmentUid: top }),
        undefined,
      ],
      [
        `ListDepartments, the 10 tops with their counts`,
        () => bench.call("ListDepartments", { UserPoolUid: pool, ParentDepartmentUid: "0" }),
        undefined,
      ],
    ];
    say("");
    say(`Reads: ${RUNS} runs each after 2 warm-ups, each run followed by the floors (alternated).`);
    say("");
    say(`| call | median ms | p95 ms | request floor median ms | call / request floor | data floor median ms | call / data floor |`);
    say(`|---|---|---|---|---|---|---|`);
    const medians: number[] = [];
    for (const [name, fn, dataFloor] of cases) {
      for (let i = 0; i < 2; i++) await fn();
      const times: number[] = [];
      const floorTimes: number[] = [];
      const dataTimes: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        times.push(await timed(fn));
        floorTimes.push(await timed(requestFloor));
        if (dataFloor) dataTimes.push(await timed(dataFloor));
      }
      for (const x of [times, floorTimes, dataTimes]) x.sort((a, b) => a - b);
      medians.push(median(times));
      const data = dataFloor ? `${fmt(median(dataTimes))} | ${(median(times) / median(dataTimes)).toFixed(1)}` : "| ";
      say(
        `| ${name} | ${fmt(median(times))} | ${fmt(p95(times))} | ${fmt(median(floorTimes))} | ${(median(times) / median(floorTimes)).toFixed(1)} | ${data} |`,
      );
    }
    say("");
    say(`Growth: whole tree / one top = ${(medians[0]! / medians[1]!).toFixed(2)} for 10x the departments;`);
    say(
      `recursive list on a top / on a child = ${(medians[2]! / medians[3]!).toFixed(2)} for ${(inTop.TotalCount / inChild.TotalCount).toFixed(1)}x the users.`,
    );

    // Commits: N renames of leaves (the whole Source uploaded, the rest unchanged); the data floor is
    // one UPDATE of the same N names, in a transaction rolled back.
    say("");
    say(`| commit | Updated | Skipped | commit ms | data floor ms (one UPDATE of the names) | commit / floor |`);
    say(`|---|---|---|---|---|---|`);
    const commits: [number, number][] = [];
    for (const [n, tag] of [
      [1000, "a"],
      [5000, "b"],
      [10_000, "c"],
    ] as const) {
      const floor = await renameFloor(db, bench.accountId, pool, leaves.slice(leaves.length - Math.min(n, leaves.length)));
      const r = await commitRenames(bench.call, pool, all, n, tag);
      commits.push([n, r.ms]);
      say(
        `| CommitDepartmentSyncSession, ${n} renames of ${all.length} uploaded | ${r.result.Departments.Updated} | ${r.result.Departments.Skipped} | ${fmt(r.ms)} | ${fmt(floor)} | ${(r.ms / floor).toFixed(1)} |`,
      );
    }
    say("");
    say(
      `Growth: 10,000 / 5,000 changes = ${(commits[2]![1] / commits[1]![1]).toFixed(2)}; 5,000 / 1,000 = ${(commits[1]![1] / commits[0]![1]).toFixed(2)}. Load average at end ${loadavg()[0]!.toFixed(2)}.`,
    );
  } finally {
    await bench.close();
  }
}

main().catch((err) => {
  process.stderr.write(`bench:departments failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
