// `npm run bench:departments`: a pool of 50,000 users and a tree of 10,110 departments (10 top, 10
// children each, 100 leaves under each child) holding 100,000 memberships (each user in two
// leaves), seeded with set-based SQL. Times through the SDK over signed HTTP: GetDepartmentTree of
// the whole pool and of one top (a tenth of it, for the ratio), ListUsersInDepartment recursive on a
// top's subtree (~10,000 users) and direct on a leaf, GetDepartment of a top, and sync commits of
// 5,000 and 10,000 changes (renames) of the hr Source. Ratios show growth against what each returns
// or changes. Medians of one run.
import { randomUUID } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { sql, type Insertable, type Kysely } from "kysely";
import type { Database } from "../../src/platform/db/schema.js";
import type { DepartmentsTable } from "../../src/departments/tables.js";
import { median, p95, seedUsers, startBench, timeRuns, type Call } from "../users/setup.js";

const USERS = Number(process.env.BENCH_USERS ?? 50_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const fmt = (ms: number) => ms.toFixed(1);

interface Seeded {
  uid: string;
  ext: string;
  parentExt: string;
  name: string;
}

/** The tree's rows (parents first) with paths, inserted 1,000 per statement. */
async function seedTree(
  db: Kysely<Database>,
  accountId: string,
  pool: string,
): Promise<{ tops: Seeded[]; leaves: Seeded[]; all: Seeded[] }> {
  const all: Seeded[] = [];
  const rows: Insertable<DepartmentsTable>[] = [];
  const add = (ext: string, name: string, parent?: { uid: string; path: string; namePath: string; depth: number; ext: string }) => {
    const uid = randomUUID();
    const node = {
      uid,
      path: `${parent?.path ?? "/"}${uid}/`,
      namePath: `${parent?.namePath ?? ""}/${name}`,
      depth: (parent?.depth ?? 0) + 1,
      ext,
    };
    rows.push({
      account_id: accountId,
      user_pool_uid: pool,
      uid,
      parent_uid: parent?.uid ?? null,
      path: node.path,
      depth: node.depth,
      name,
      name_path: node.namePath,
      external_id: ext,
      source: "hr",
      created_at: new Date(),
      updated_at: new Date(),
    });
    all.push({ uid, ext, parentExt: parent?.ext ?? "", name });
    return node;
  };
  const tops: Seeded[] = [];
  const leaves: Seeded[] = [];
  for (let t = 0; t < 10; t++) {
    const top = add(`t${t}`, `Top ${t}`);
    tops.push(all[all.length - 1]!);
    for (let c = 0; c < 10; c++) {
      const child = add(`t${t}c${c}`, `Child ${t}.${c}`, top);
      for (let l = 0; l < 100; l++) {
        add(`t${t}c${c}l${l}`, `Leaf ${t}.${c}.${l}`, child);
        leaves.push(all[all.length - 1]!);
      }
    }
  }
  for (let i = 0; i < rows.length; i += 1000)
    await db
      .insertInto("departments")
      .values(rows.slice(i, i + 1000))
      .execute();
  return { tops, leaves, all };
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

async function main() {
  const bench = await startBench();
  const { db } = bench.deps;
  const say = (line: string) => process.stdout.write(line + "\n");
  say(`database: ${bench.describe}; ${cpus().length} x ${cpus()[0]?.model ?? "cpu"}; load average at start ${loadavg()[0]!.toFixed(2)}`);
  try {
    const pool = (await bench.call("CreateUserPool", { Name: `bench-departments-${Date.now()}` })).Uid as string;
    const t = performance.now();
    await seedUsers(bench.deps, bench.accountId, pool, USERS);
    const { tops, leaves, all } = await seedTree(db, bench.accountId, pool);
    // Each user in two leaves: user n in leaf n mod L and leaf (7n + 3) mod L.
    const leafUids = leaves.map((l) => l.uid);
    await sql`insert into department_members (account_id, user_pool_uid, department_uid, user_uid, created_at)
      select ${bench.accountId}::bigint, ${pool}, x.leaf, u.uid, now()
        from (select uid, row_number() over (order by seq) as n from users where account_id = ${bench.accountId} and user_pool_uid = ${pool}) u
        cross join lateral (values ((${leafUids}::text[])[1 + (u.n % ${leafUids.length})::int]), ((${leafUids}::text[])[1 + ((7 * u.n + 3) % ${leafUids.length})::int])) as x(leaf)
      on conflict do nothing`.execute(db);
    await sql`analyze departments`.execute(db);
    await sql`analyze department_members`.execute(db);
    const memberships = Number(
      (
        await sql<{
          n: string;
        }>`select count(*) as n from department_members where account_id = ${bench.accountId} and user_pool_uid = ${pool}`.execute(db)
      ).rows[0]!.n,
    );
    say(`seeded ${USERS} users, ${all.length} departments and ${memberships} memberships in ${fmt(performance.now() - t)} ms`);

    const top = tops[0]!.uid;
    const inTop = await bench.call("ListUsersInDepartment", {
      UserPoolUid: pool,
      DepartmentUid: top,
      PageSize: 50,
      Filter: { DepartmentUidRecursive: true },
    });
    const whole = await bench.call("GetDepartmentTree", { UserPoolUid: pool, RootDepartmentUid: "0" });
    const count = (nodes: { Children: unknown[] }[]): number => nodes.reduce((n, x) => n + 1 + count(x.Children as never), 0);
    say(`whole tree answers ${count(whole.Roots)} departments; top 0's subtree has ${inTop.TotalCount} users`);

    const cases: [string, () => Promise<unknown>, number][] = [
      [
        `GetDepartmentTree, whole pool (${all.length} departments)`,
        () => bench.call("GetDepartmentTree", { UserPoolUid: pool, RootDepartmentUid: "0" }),
        RUNS,
      ],
      [
        `GetDepartmentTree, one top (${all.length / 10} departments)`,
        () => bench.call("GetDepartmentTree", { UserPoolUid: pool, RootDepartmentUid: top }),
        RUNS,
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
        RUNS,
      ],
      [
        `ListUsersInDepartment, a leaf, PageSize 50`,
        () => bench.call("ListUsersInDepartment", { UserPoolUid: pool, DepartmentUid: leaves[0]!.uid, PageSize: 50 }),
        RUNS,
      ],
      [
        `GetDepartment, a top (counts over ${memberships / 10} memberships)`,
        () => bench.call("GetDepartment", { UserPoolUid: pool, DepartmentUid: top }),
        RUNS,
      ],
      [
        `ListDepartments, the 10 tops with their counts`,
        () => bench.call("ListDepartments", { UserPoolUid: pool, ParentDepartmentUid: "0" }),
        RUNS,
      ],
    ];
    say("");
    say(`| call | runs | median ms | p95 ms |`);
    say(`|---|---|---|---|`);
    const medians: number[] = [];
    for (const [name, fn, runs] of cases) {
      const times = await timeRuns(fn, runs, 2);
      medians.push(median(times));
      say(`| ${name} | ${runs} | ${fmt(median(times))} | ${fmt(p95(times))} |`);
    }
    say(`whole tree / one top = ${(medians[0]! / medians[1]!).toFixed(1)} (10x the departments)`);

    const half = await commitRenames(bench.call, pool, all, 5000, "a");
    say(
      `| CommitDepartmentSyncSession, 5,000 renames of ${all.length} uploaded | 1 | ${fmt(half.ms)} | |  (Updated ${half.result.Departments.Updated}, Skipped ${half.result.Departments.Skipped})`,
    );
    const full = await commitRenames(bench.call, pool, all, 10_000, "b");
    say(
      `| CommitDepartmentSyncSession, 10,000 renames of ${all.length} uploaded | 1 | ${fmt(full.ms)} | |  (Updated ${full.result.Departments.Updated}, Skipped ${full.result.Departments.Skipped})`,
    );
    say(`10,000 / 5,000 changes = ${(full.ms / half.ms).toFixed(2)}; load average at end ${loadavg()[0]!.toFixed(2)}`);
  } finally {
    await bench.close();
  }
}

main().catch((err) => {
  process.stderr.write(`bench:departments failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
