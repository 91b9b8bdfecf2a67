// `npm run bench:hashing`: password-hashing fairness between accounts (issue 10, finding 4). Account
// A sends 3 CreateUsers of 100 users with passwords at once (one access key each, so each fits the
// default per-key throttle); meanwhile account B sends one CreateUser with a password at a time,
// pausing BENCH_PAUSE_MS between them, until A's batches are done (closed loop: B is one client,
// never its own backlog; an open loop outruns a machine this busy). B's latency is measured in the
// same process, in alternating rounds, under two hash queues:
//   unscheduled: unlimited concurrency, every hash handed straight to the libuv threadpool's FIFO
//                (how hashing ran before the fair queue);
//   fair:        the default queue (ID_PASSWORD_HASH_CONCURRENCY), lanes per account, round-robin.
// Knobs: BENCH_ROUNDS (2), BENCH_PAUSE_MS (100). The target: B's p99 under 1 s with the fair queue.
import { availableParallelism, cpus, loadavg } from "node:os";
import { createAccessKey } from "../../src/access-keys/service.js";
import { createHashQueue, type HashQueue } from "../../src/users/hash-queue.js";
import { median, percentile, startBench, type Call } from "../users/setup.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const PAUSE_MS = Number(process.env.BENCH_PAUSE_MS ?? 100);
const BATCHES = 3;
const BATCH_SIZE = 100;

const fmt = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let serial = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${++serial}`;

interface Phase {
  b: number[];
  batchMs: number[];
  wallMs: number;
}

/** One round: A's three batches at once, B's single creates one after another until they finish. */
async function phase(a: Call[], aPools: string[], b: Call, bPool: string): Promise<Phase> {
  const started = performance.now();
  const batchMs: number[] = [];
  const batches = a.map(async (call, k) => {
    const users = Array.from({ length: BATCH_SIZE }, () => ({ PreferredUsername: unique("a"), Password: "a batch password 123" }));
    const t = performance.now();
    const r = await call("CreateUsers", { UserPoolUid: aPools[k], Users: users });
    if (r.SuccessCount !== BATCH_SIZE) throw new Error(`CreateUsers created ${r.SuccessCount}`);
    batchMs.push(performance.now() - t);
  });
  let done = false;
  const all = Promise.all(batches).finally(() => (done = true));
  const samples: number[] = [];
  while (!done) {
    const t = performance.now();
    await b("CreateUser", { UserPoolUid: bPool, PreferredUsername: unique("b"), Password: "a single password 123" });
    samples.push(performance.now() - t);
    await Promise.race([sleep(PAUSE_MS), all]);
  }
  await all;
  const wallMs = performance.now() - started;
  return { b: samples.sort((x, y) => x - y), batchMs, wallMs };
}

async function main() {
  const bench = await startBench();
  const say = (line: string) => process.stdout.write(line + "\n");
  const fair = bench.deps.hashQueue;
  const unscheduled: HashQueue = createHashQueue({ concurrency: Number.MAX_SAFE_INTEGER });
  say(
    `database: ${bench.describe}; ${availableParallelism()} x ${cpus()[0]?.model ?? "cpu"}; UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? "4 (default)"}; ` +
      `fair queue concurrency ${fair.concurrency}; load average at start ${loadavg()[0]!.toFixed(2)}`,
  );
  try {
    const aKeys = await Promise.all(
      Array.from({ length: BATCHES }, () => createAccessKey(bench.deps, { accountId: bench.accountId, role: "admin" })),
    );
    const a = aKeys.map((k) => bench.callAs(k));
    const aPools = await Promise.all(a.map(async (call) => (await call("CreateUserPool", { Name: unique("hash-a-") })).Uid as string));
    const bAccount = String(Number(bench.accountId) + 1);
    const b = bench.callAs(await createAccessKey(bench.deps, { accountId: bAccount, role: "admin" }));
    const bPool = (await b("CreateUserPool", { Name: unique("hash-b-") })).Uid as string;

    // B alone, for reference: the cost of one CreateUser with a password on this machine now.
    const alone: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      await b("CreateUser", { UserPoolUid: bPool, PreferredUsername: unique("b"), Password: "a single password 123" });
      alone.push(performance.now() - t);
    }
    alone.sort((x, y) => x - y);

    const results: Record<"unscheduled" | "fair", Phase[]> = { unscheduled: [], fair: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of ["unscheduled", "fair"] as const) {
        bench.deps.hashQueue = mode === "fair" ? fair : unscheduled;
        results[mode].push(await phase(a, aPools, b, bPool));
        say(`round ${round + 1} ${mode}: done, load average ${loadavg()[0]!.toFixed(2)}`);
      }
    }
    bench.deps.hashQueue = fair;

    say("");
    say(
      `Account B's CreateUser with a password while account A runs ${BATCHES} parallel CreateUsers of ${BATCH_SIZE} users with passwords ` +
        `(B one call at a time, ${PAUSE_MS} ms apart; ${ROUNDS} rounds per queue, alternating):`,
    );
    say("| hash queue | B calls | B p50 | B p99 | B max | A batch (median) | A+B wall per round | hashes/s |");
    say("|---|---:|---:|---:|---:|---:|---:|---:|");
    say(`| B alone, no load | ${alone.length} | ${fmt(median(alone))} | ${fmt(percentile(alone, 0.99))} | ${fmt(alone.at(-1)!)} | | | |`);
    for (const mode of ["unscheduled", "fair"] as const) {
      const phases = results[mode];
      const bAll = phases.flatMap((p) => p.b).sort((x, y) => x - y);
      const batchAll = phases.flatMap((p) => p.batchMs).sort((x, y) => x - y);
      const wall = phases.reduce((s, p) => s + p.wallMs, 0);
      const hashes = phases.reduce((s, p) => s + BATCHES * BATCH_SIZE + p.b.length, 0);
      const label =
        mode === "fair" ? `fair (concurrency ${fair.concurrency}, round-robin per account)` : "unscheduled (threadpool FIFO, as before)";
      say(
        `| ${label} | ${bAll.length} | ${fmt(median(bAll))} | ${fmt(percentile(bAll, 0.99))} | ${fmt(bAll.at(-1)!)} | ${fmt(median(batchAll))} | ` +
          `${fmt(wall / phases.length)} | ${((hashes * 1000) / wall).toFixed(1)} |`,
      );
    }
    say(`load average at end ${loadavg()[0]!.toFixed(2)} (the machine is shared with other work: compare rows of one run only)`);
  } finally {
    await bench.close();
  }
}

main().catch((err) => {
  process.stderr.write(`bench:hashing failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
