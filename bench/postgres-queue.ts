// `npx tsx bench/postgres-queue.ts`: the cost of a query through postgres.js as a process ages, with
// idle connections kept open (bench/REPORT.md "postgres.js's queue"). postgres.js 3.4.9's connection
// queues never dropped the slots they had shifted while they held anything, and a connection moved
// out of one searched all of them: with two or more idle connections under light load (the usual
// day of an instance) each query cost more than the last, and the queue's array grew without bound.
// patches/postgres+3.4.9.patch searches only the live part and drops shifted slots; this prints
// µs per query over rounds of 20,000 sequential queries after four connections were opened: flat
// with the patch, rising round by round without it (reverse the patch to see it).
import postgres from "postgres";

const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const PER_ROUND = 20_000;

const sql = postgres(databaseUrl, { max: 4, prepare: true, onnotice: () => {} });
try {
  // Four connections at once, so three stay idle in the open queue while the rounds run one at a time.
  await Promise.all([1, 2, 3, 4].map(() => sql`select pg_sleep(0.05)`));
  const perRound: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    for (let i = 0; i < PER_ROUND; i++) await sql`select 1`;
    perRound.push(((performance.now() - started) * 1000) / PER_ROUND);
    console.log(`round ${round + 1}: ${perRound.at(-1)!.toFixed(1)} µs/query (${(round + 1) * PER_ROUND} queries so far)`);
  }
  console.log(`last round / first round: ${(perRound.at(-1)! / perRound[0]!).toFixed(2)}`);
} finally {
  await sql.end();
}
