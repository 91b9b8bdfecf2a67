// `npx tsx bench/heap-limit.ts`: the largest requests the API takes, against the built service run
// with the Node flags of `npm start` (its heap limit, docs/running.md#memory), so a limit too small
// for them shows here as a failed call or a dead process. BENCH_CSV_PARALLEL (default 4)
// CreateUsersCSV calls of 10,000 rows each (the documented maximum, each in its own pool, at once),
// then 32 concurrent ListUsers pages of 100 for BENCH_DURATION seconds (default 10). Prints what
// answered, and the service's peak RSS. DATABASE_URL as for bench:floor.
import { execSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { callOnce, load, newCredentials, serviceEnv, startFlags, startServer } from "./load.js";

const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const PARALLEL = Number(process.env.BENCH_CSV_PARALLEL ?? 4);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const ROWS = 10_000;

/** A CSV of `ROWS` users, base64-encoded as CreateUsersCSV takes it. */
function csvB64(tag: string): string {
  const lines = ["PreferredUsername,Email,Name"];
  for (let i = 0; i < ROWS; i++) lines.push(`${tag}${i},${tag}${i}@example.com,User ${i}`);
  return Buffer.from(`${lines.join("\n")}\n`).toString("base64");
}

async function main() {
  execSync("npm run -s build", { stdio: "inherit" });
  const creds = newCredentials();
  const flags = startFlags();
  const service = await startServer(
    "service",
    "dist/main.js",
    serviceEnv(databaseUrl, creds, String(randomInt(3_000_000_000, 2 ** 47))),
    flags,
  );
  try {
    const pools = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) => callOnce(service.port, creds, "CreateUserPool", { Name: `heap-${Date.now()}-${i}` })),
    );
    const started = performance.now();
    const imports = await Promise.all(
      pools.map((pool, i) => callOnce(service.port, creds, "CreateUsersCSV", { UserPoolUid: pool.Uid, UsersCsvB64: csvB64(`h${i}x`) })),
    );
    const imported = imports.map((r) => r.SuccessCount as number);
    const importS = (performance.now() - started) / 1000;
    const request = { action: "ListUsers", creds, makeBody: () => JSON.stringify({ UserPoolUid: pools[0].Uid, PageSize: 100 }) };
    const lists = await load([{ port: service.port, connections: 32, pid: service.child.pid }], DURATION_S, request);
    console.log(
      [
        `heap-limit on ${new Date().toISOString()}, node flags ${flags.join(" ") || "none"}, load average ${execSync("cat /proc/loadavg").toString().split(" ").slice(0, 3).join(" ")}`,
        `${PARALLEL} parallel CreateUsersCSV of ${ROWS} rows: SuccessCount ${imported.join(", ")} in ${importS.toFixed(1)} s`,
        `ListUsers pages of 100 at 32 connections for ${DURATION_S} s: ${lists.requests} answered, non-2xx ${lists.non2xx}, errors ${lists.errors}`,
        `service still running: ${service.child.exitCode === null}; peak RSS ${service.peakRssMb().toFixed(0)} MB`,
      ].join("\n"),
    );
  } finally {
    await service.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
