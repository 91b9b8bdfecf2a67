// `npm run bench:users`: ListUsers at 100,000 users in one pool (first page vs a page deep in the
// keyset cursor, and the PageNumber page at the same depth for contrast; then the same for every
// SortField, and each Filter key's plan), then CreateUsers of 100
// users with passwords against the raw scrypt rate of this machine. Prints medians of one run.
import { cpus, loadavg } from "node:os";
import { sql } from "kysely";
import { hashPassword, SCRYPT_PARAMS } from "../../src/users/password.js";
import { encodeCursor } from "../../src/users/cursor.js";
import { median, p95, seedUsers, startBench, timeRuns, transcript } from "./setup.js";
import { benchFilters, benchSorts } from "./sorts.js";

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const PAGE = 50;
const DEPTH = Math.floor(USERS * 0.9);
const LIST_RUNS = Number(process.env.BENCH_LIST_RUNS ?? 200);
const BATCH_RUNS = Number(process.env.BENCH_BATCH_RUNS ?? 5);
const SORT_RUNS = Number(process.env.BENCH_SORT_RUNS ?? 40);

const fmt = (ms: number) => ms.toFixed(2);

async function main() {
  const bench = await startBench();
  const { say } = transcript();
  say(`database: ${bench.describe}; ${cpus().length} x ${cpus()[0]?.model ?? "cpu"}; load average at start ${loadavg()[0]!.toFixed(2)}`);
  try {
    const pool = await bench.call("CreateUserPool", { Name: `bench-users-${Date.now()}` });
    const t = performance.now();
    await seedUsers(bench.deps, bench.accountId, pool.Uid, USERS);
    say(`seeded ${USERS} users with one INSERT ... SELECT generate_series in ${fmt(performance.now() - t)} ms`);
    const { TotalUsers } = await bench.call("GetUserPool", { UserPoolUid: pool.Uid });
    if (TotalUsers !== USERS) throw new Error(`TotalUsers is ${TotalUsers}, expected ${USERS}`);

    // The cursor a client would hold after walking DEPTH users, taken straight from the table.
    const at = await sql<{
      seq: string;
    }>`select seq::text as seq from users where account_id = ${bench.accountId} and user_pool_uid = ${pool.Uid}
      order by seq desc offset ${DEPTH - 1} limit 1`.execute(bench.deps.db);
    const deepToken = encodeCursor({ field: "CreateTime", direction: "Desc" }, at.rows[0]!.seq, null);
    const deepPage = await bench.call("ListUsers", { UserPoolUid: pool.Uid, MaxResults: PAGE, NextToken: deepToken });
    if (deepPage.Data.length !== PAGE || !deepPage.NextToken) throw new Error("the deep cursor page is not a full page");

    // First and deep pages alternate (after a warm-up of both), so drift in machine load hits both alike.
    const firstPage = () => bench.call("ListUsers", { UserPoolUid: pool.Uid, MaxResults: PAGE });
    const deepPageCall = () => bench.call("ListUsers", { UserPoolUid: pool.Uid, MaxResults: PAGE, NextToken: deepToken });
    const first: number[] = [];
    const deep: number[] = [];
    for (let i = 0; i < 20; i++) await Promise.all([firstPage(), deepPageCall()]);
    for (let i = 0; i < LIST_RUNS; i++) {
      first.push(...(await timeRuns(firstPage, 1, 0)));
      deep.push(...(await timeRuns(deepPageCall, 1, 0)));
    }
    first.sort((a, b) => a - b);
    deep.sort((a, b) => a - b);
    const offsetRuns = Math.max(10, Math.floor(LIST_RUNS / 10));
    const offset = await timeRuns(
      () => bench.call("ListUsers", { UserPoolUid: pool.Uid, PageNumber: DEPTH / PAGE + 1, PageSize: PAGE }),
      offsetRuns,
      2,
    );
    say("");
    say(`ListUsers, ${PAGE} per page, ${USERS} users in the pool, signed HTTP through the SDK (ms):`);
    say(`| page | runs | median | p95 |`);
    say(`|---|---|---|---|`);
    say(`| first page (MaxResults=${PAGE}) | ${LIST_RUNS} | ${fmt(median(first))} | ${fmt(p95(first))} |`);
    say(`| deep page, cursor after ${DEPTH} users | ${LIST_RUNS} | ${fmt(median(deep))} | ${fmt(p95(deep))} |`);
    say(`| same depth by PageNumber=${DEPTH / PAGE + 1} (offset) | ${offsetRuns} | ${fmt(median(offset))} | ${fmt(p95(offset))} |`);
    say(
      `deep cursor / first page = ${(median(deep) / median(first)).toFixed(2)} (target <= 1.5); offset / first = ${(median(offset) / median(first)).toFixed(1)}`,
    );

    const plan = await sql<{
      "QUERY PLAN": string;
    }>`explain select * from users where account_id = ${bench.accountId} and user_pool_uid = ${pool.Uid}
      and seq < ${at.rows[0]!.seq}::bigint order by seq desc limit ${PAGE + 1}`.execute(bench.deps.db);
    say(
      `plan of the deep cursor query: ${plan.rows
        .map((r) => r["QUERY PLAN"].trim())
        .slice(0, 2)
        .join(" / ")}`,
    );

    say("");
    say(
      `ListUsers by each SortField, ${PAGE} per page, cursor page after ${DEPTH} users vs the first page, ${SORT_RUNS} alternating runs each (ms):`,
    );
    await benchSorts(bench.deps, bench.accountId, pool.Uid, bench.call, DEPTH, PAGE, SORT_RUNS, say);
    say("");
    await benchFilters(bench.deps, bench.accountId, pool.Uid, bench.call, Math.max(5, Math.floor(SORT_RUNS / 4)), say);
    if (process.env.BENCH_SKIP_BATCH === "1") return;

    // Raw scrypt: one at a time (one core), and 100 at once (the libuv threadpool on every core).
    const single = await timeRuns(() => hashPassword("a benchmark password"), 20, 2);
    // Raw 100-at-once hashing and CreateUsers alternate, so both see the same machine load.
    const parallel: number[] = [];
    const batches: number[] = [];
    const hundred = () => Promise.all(Array.from({ length: 100 }, (_, i) => hashPassword(`a benchmark password ${i}`)));
    const createHundred = async () => {
      const batchPool = await bench.call("CreateUserPool", { Name: `bench-batch-${Date.now()}-${Math.random()}` });
      const users = Array.from({ length: 100 }, (_, i) => ({
        PreferredUsername: `u${i}`,
        Email: `u${i}@example.com`,
        Password: `a benchmark password ${i}`,
      }));
      const started = performance.now();
      const r = await bench.call("CreateUsers", { UserPoolUid: batchPool.Uid, Users: users });
      if (r.SuccessCount !== 100) throw new Error(`CreateUsers created ${r.SuccessCount}`);
      return performance.now() - started;
    };
    await hundred();
    await createHundred();
    for (let i = 0; i < BATCH_RUNS; i++) {
      const t0 = performance.now();
      await hundred();
      parallel.push(performance.now() - t0);
      batches.push(await createHundred());
    }
    parallel.sort((a, b) => a - b);
    batches.sort((a, b) => a - b);
    const parallelMs = median(parallel);
    say("");
    say(
      `Passwords: scrypt N=${SCRYPT_PARAMS.N} r=${SCRYPT_PARAMS.r} p=${SCRYPT_PARAMS.p}; UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? "4 (default)"}`,
    );
    say(`| measure | median | rate |`);
    say(`|---|---|---|`);
    say(`| one scrypt hash, sequential (20 runs) | ${fmt(median(single))} ms | ${(1000 / median(single)).toFixed(1)} hashes/s |`);
    say(`| 100 scrypt hashes at once (${BATCH_RUNS} runs) | ${fmt(parallelMs)} ms | ${((100 * 1000) / parallelMs).toFixed(1)} hashes/s |`);
    say(
      `| CreateUsers, 100 users with passwords (${BATCH_RUNS} runs) | ${fmt(median(batches))} ms | ${((100 * 1000) / median(batches)).toFixed(1)} users/s |`,
    );
    say(
      `CreateUsers / raw parallel hash rate = ${((100 * 1000) / median(batches) / ((100 * 1000) / parallelMs)).toFixed(2)}; load average at end ${loadavg()[0]!.toFixed(2)}`,
    );
  } finally {
    await bench.close();
  }
}

main().catch((err) => {
  process.stderr.write(`bench:users failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
