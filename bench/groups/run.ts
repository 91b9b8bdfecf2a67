// `npm run bench:groups`: group membership at 100,000 members. Seeds a pool of 150,000 users and a
// group holding 100,000 of them (every user whose row number is not a multiple of 3) with set-based
// SQL, plus one user in 100 groups; then times, through the SDK over signed HTTP: ListUsersInGroup's
// first cursor page, a cursor page 90,000 members deep, the PageNumber page at the same depth (for
// contrast), ListUsers with Filter.GroupUid and NotInAnyGroup, ListGroupsForUser, ListGroupsForUsers,
// GetUser with 100 GroupUids, AddUsersToGroup/RemoveUsersFromGroup of 100 users into the big group,
// and once, DeleteGroup of the big group (the cascade of 100,000 memberships). Medians of one run.
import { randomUUID } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { sql } from "kysely";
import { encodeCursor } from "../../src/users/cursor.js";
import { median, p95, seedUsers, startBench, timeRuns } from "../users/setup.js";

const USERS = Number(process.env.BENCH_USERS ?? 150_000);
const PAGE = 50;
const RUNS = Number(process.env.BENCH_RUNS ?? 100);
const GROUPS_OF_ONE_USER = 100;
const fmt = (ms: number) => ms.toFixed(2);

async function main() {
  const bench = await startBench();
  const { db } = bench.deps;
  const say = (line: string) => process.stdout.write(line + "\n");
  say(`database: ${bench.describe}; ${cpus().length} x ${cpus()[0]?.model ?? "cpu"}; load average at start ${loadavg()[0]!.toFixed(2)}`);
  try {
    const pool = (await bench.call("CreateUserPool", { Name: `bench-groups-${Date.now()}` })).Uid as string;
    const big = (await bench.call("CreateGroup", { UserPoolUid: pool, Name: "everyone" })).Uid as string;
    let t = performance.now();
    await seedUsers(bench.deps, bench.accountId, pool, USERS);
    say(`seeded ${USERS} users in ${fmt(performance.now() - t)} ms`);

    t = performance.now();
    await sql`insert into group_members (account_id, user_pool_uid, group_uid, user_uid, created_at)
      select account_id, user_pool_uid, ${big}, uid, now() from users
       where account_id = ${bench.accountId} and user_pool_uid = ${pool} and seq % 3 <> 0`.execute(db);
    // One user in 100 groups: the groups and the memberships, each one statement.
    const [loner] = (
      await sql<{
        uid: string;
      }>`select uid from users where account_id = ${bench.accountId} and user_pool_uid = ${pool} order by seq limit 1`.execute(db)
    ).rows;
    const groupUids = Array.from({ length: GROUPS_OF_ONE_USER }, () => randomUUID());
    await sql`insert into groups (account_id, user_pool_uid, uid, name, precedence, created_at, updated_at)
      select ${bench.accountId}::bigint, ${pool}, u, 'team ' || i, i % 10, now(), now() from unnest(${groupUids}::text[]) with ordinality as x(u, i)`.execute(
      db,
    );
    await sql`insert into group_members (account_id, user_pool_uid, group_uid, user_uid, created_at)
      select ${bench.accountId}::bigint, ${pool}, u, ${loner!.uid}, now() from unnest(${groupUids}::text[]) as u`.execute(db);
    await sql`analyze group_members`.execute(db);
    await sql`analyze groups`.execute(db);
    say(`seeded the memberships (INSERT ... SELECT) in ${fmt(performance.now() - t)} ms`);

    const members = (await bench.call("ListGroups", { UserPoolUid: pool, Filter: { GroupUidsOr: [big] } })).Data[0]
      .TotalCountOfGroupMember as number;
    const depth = Math.floor(members * 0.9);
    const [at] = (
      await sql<{ seq: string }>`select u.seq::text as seq from users u join group_members m on m.account_id = u.account_id
        and m.user_pool_uid = u.user_pool_uid and m.user_uid = u.uid and m.group_uid = ${big}
       where u.account_id = ${bench.accountId} and u.user_pool_uid = ${pool} order by u.seq desc offset ${depth - 1} limit 1`.execute(db)
    ).rows;
    const deepToken = encodeCursor({ field: "CreateTime", direction: "Desc" }, at!.seq, null);
    const inGroup = { UserPoolUid: pool, GroupUid: big };
    const deep = await bench.call("ListUsersInGroup", { ...inGroup, MaxResults: PAGE, NextToken: deepToken });
    if (deep.Data.length !== PAGE || deep.TotalCount !== members) throw new Error("the deep page is not a full page of the group");
    const hundred = (
      await sql<{
        uid: string;
      }>`select uid from users where account_id = ${bench.accountId} and user_pool_uid = ${pool} and seq % 3 = 0 order by seq limit 100`.execute(
        db,
      )
    ).rows.map((r) => r.uid);

    const cases: [string, () => Promise<unknown>, number][] = [
      [
        `ListUsersInGroup, first cursor page (MaxResults=${PAGE})`,
        () => bench.call("ListUsersInGroup", { ...inGroup, MaxResults: PAGE }),
        RUNS,
      ],
      [
        `ListUsersInGroup, cursor page after ${depth} members`,
        () => bench.call("ListUsersInGroup", { ...inGroup, MaxResults: PAGE, NextToken: deepToken }),
        RUNS,
      ],
      [
        `ListUsersInGroup, same depth by PageNumber=${depth / PAGE + 1} (offset)`,
        () => bench.call("ListUsersInGroup", { ...inGroup, PageNumber: depth / PAGE + 1, PageSize: PAGE }),
        Math.max(5, RUNS / 10),
      ],
      [
        `ListUsersInGroup with Filter.Email (counted, not the counter)`,
        () => bench.call("ListUsersInGroup", { ...inGroup, Filter: { Email: "user100@example.com" } }),
        RUNS,
      ],
      [
        `ListUsers Filter.GroupUid, first page (TotalCount from the group counter)`,
        () => bench.call("ListUsers", { UserPoolUid: pool, MaxResults: PAGE, Filter: { GroupUid: big } }),
        Math.max(5, RUNS / 5),
      ],
      [
        `ListUsers Filter.NotInAnyGroup, first page (TotalCount counted)`,
        () => bench.call("ListUsers", { UserPoolUid: pool, MaxResults: PAGE, Filter: { NotInAnyGroup: true } }),
        Math.max(5, RUNS / 5),
      ],
      [
        `ListGroupsForUser, user in ${GROUPS_OF_ONE_USER} groups, PageSize=${PAGE}`,
        () => bench.call("ListGroupsForUser", { UserPoolUid: pool, UserUid: loner!.uid, PageSize: PAGE }),
        RUNS,
      ],
      [
        `ListGroupsForUsers, 100 users`,
        () => bench.call("ListGroupsForUsers", { UserPoolUid: pool, UserUids: [loner!.uid, ...hundred.slice(0, 99)] }),
        RUNS,
      ],
      [`GetUser with ${GROUPS_OF_ONE_USER} GroupUids`, () => bench.call("GetUser", { UserPoolUid: pool, UserUid: loner!.uid }), RUNS],
      [`ListGroups (member counts from the counter)`, () => bench.call("ListGroups", { UserPoolUid: pool, PageSize: PAGE }), RUNS],
      [
        `AddUsersToGroup + RemoveUsersFromGroup, 100 users, group of ${members}`,
        async () => {
          await bench.call("AddUsersToGroup", { ...inGroup, UserUids: hundred });
          await bench.call("RemoveUsersFromGroup", { ...inGroup, UserUids: hundred });
        },
        Math.max(5, RUNS / 5),
      ],
    ];
    say("");
    say(`Group membership, ${members} members of one group in a pool of ${USERS} users, signed HTTP through the SDK (ms):`);
    say(`| call | runs | median | p95 |`);
    say(`|---|---|---|---|`);
    const medians: number[] = [];
    for (const [name, fn, runs] of cases) {
      const times = await timeRuns(fn, runs, 3);
      medians.push(median(times));
      say(`| ${name} | ${runs} | ${fmt(median(times))} | ${fmt(p95(times))} |`);
    }
    say(`deep cursor / first page = ${(medians[1]! / medians[0]!).toFixed(2)}; offset / first = ${(medians[2]! / medians[0]!).toFixed(1)}`);
    const plan = await sql<{
      "QUERY PLAN": string;
    }>`explain select * from users where account_id = ${bench.accountId} and user_pool_uid = ${pool}
      and exists (select 1 from group_members m where m.account_id = users.account_id and m.user_pool_uid = users.user_pool_uid and m.user_uid = users.uid and m.group_uid = ${big})
      and seq < ${at!.seq}::bigint order by seq desc limit ${PAGE + 1}`.execute(db);
    say(
      `plan of the deep cursor query: ${plan.rows
        .map((r) => r["QUERY PLAN"].trim())
        .slice(0, 4)
        .join(" / ")}`,
    );

    t = performance.now();
    await bench.call("DeleteGroup", inGroup);
    say(
      `DeleteGroup of the ${members}-member group (one run, the cascade included): ${fmt(performance.now() - t)} ms; load average at end ${loadavg()[0]!.toFixed(2)}`,
    );
  } finally {
    await bench.close();
  }
}

main().catch((err) => {
  process.stderr.write(`bench:groups failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
