// Soak (issue #7 item 7): `npm run soak` starts the real server (src/main.ts) as a child process on
// Postgres, drives a mixed workload for SOAK_SECONDS (default 180), and reports per interval
// (SOAK_INTERVAL seconds, default 10) the requests, errors, p50/p99 latency and the child's RSS, then a
// leak verdict. Figures go to stdout and into the "Soak" section of test/reliability/REPORT.md.
// Env: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test; the soak creates its own database
// there and drops it at the end), SOAK_CONCURRENCY (16), SOAK_NO_REPORT=1 (stdout only).
import { readFileSync, writeFileSync } from "node:fs";
import { childClient, childEnv, ownDatabase, rssOf, startChild, type CallOutcome } from "../test/support/infra/child-server.js";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 180);
const INTERVAL = Number(process.env.SOAK_INTERVAL ?? 10);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 16);
const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const REPORT = "test/reliability/REPORT.md";

// Throttling and reset mail limits off: one key drives the whole load, and the soak measures the
// service, not the limiters.
// A database of its own (dropped at the end): the soak queues thousands of reset mails.
const own = await ownDatabase(DATABASE_URL, "idplane_soak");
const { env, key } = childEnv(own.url, {
  LOG_LEVEL: "warn",
  ID_RATE_LIMIT_PER_SECOND: "0",
  ID_RESET_MAIL_PER_USER: "0",
  ID_RESET_MAIL_PER_ADDRESS: "0",
});
const server = await startChild(env);
const pid = server.child.pid!;
const client = childClient(server.host, key, CONCURRENCY);
const must = async (action: string, params: object) => {
  const r = await client.call(action, params);
  if (r.code !== "OK") throw new Error(`setup ${action} failed: ${r.status} ${r.code}`);
  return r.result;
};
const pool = (await must("CreateUserPool", { Name: `soak-${Date.now()}`, ResetPasswordUrl: "https://example.com/reset" })).Uid;
const cred = await must("CreateOAuthCredential", {
  UserPoolUid: pool,
  Name: "soak",
  GrantType: "authorization_code",
  Scope: "openid",
  RedirectUri: "https://example.com/cb",
});
const idp = await must("CreateIdentityProviderOAuth", {
  UserPoolUid: pool,
  Name: "soak",
  ClientId: "cid",
  AuthorizationEndpoint: "https://idp.example.com/a",
  TokenEndpoint: "https://idp.example.com/t",
  UserEndpoint: "https://idp.example.com/u",
  IdAttribute: "sub",
});

interface Sample {
  outcome: CallOutcome;
  expected: "OK" | "4xx";
}
let samples: Sample[] = [];
let seq = 0;

/** One worker: its own users, so every call's expected answer is known (no cross-worker races). */
async function worker(w: number, until: number): Promise<void> {
  const mine: string[] = [];
  const run = async (action: string, params: object, expected: Sample["expected"] = "OK") => {
    const outcome = await client.call(action, params);
    samples.push({ outcome, expected });
    return outcome;
  };
  while (Date.now() < until) {
    const i = seq++;
    const r = i % 20;
    if (r < 4) await run("GetUserPool", { UserPoolUid: pool });
    else if (r < 6) await run("ListUsers", { UserPoolUid: pool, MaxResults: 20 });
    else if (r < 9) {
      const out = await run("CreateUser", {
        UserPoolUid: pool,
        Email: `w${w}-${i}@example.com`,
        ...(i % 100 === 8 && { Password: "Soak-Password-1" }),
      });
      if (out.code === "OK") mine.push(out.result.Uid);
    } else if (r < 11 && mine.length) await run("UpdateUser", { UserPoolUid: pool, UserUid: mine[mine.length - 1], Nickname: `n${i}` });
    else if (r < 13 && mine.length) await run("GetUser", { UserPoolUid: pool, UserUid: mine[0] });
    else if (r === 13 && mine.length) await run("ResetPassword", { UserPoolUid: pool, UserUid: mine[0] });
    else if (r === 14) await run("GetOAuthCredential", { CredentialId: cred.CredentialId });
    else if (r === 15) await run("GetIdentityProviderOAuth", { UserPoolUid: pool, ConnectionUid: idp.Uid });
    else if (r === 16) await run("ListUserPools", { PageSize: 20 });
    else if (r === 17) await run("CreateUserPool", { Name: "", Description: "x".repeat(2000) }, "4xx");
    else if (r === 18) await run("GetUser", { UserPoolUid: pool, UserUid: `missing-${i}` }, "4xx");
    else if (mine.length >= 10) await run("DeleteUsers", { UserPoolUid: pool, UserUids: mine.splice(0, mine.length) });
    else await run("ListOAuthCredentials", { UserPoolUid: pool });
  }
  if (mine.length) await run("DeleteUsers", { UserPoolUid: pool, UserUids: mine });
}

interface Row {
  t: number;
  requests: number;
  rps: number;
  errors: number;
  fiveXx: number;
  socket: number;
  p50: number;
  p99: number;
  rssMb: number;
}
const rows: Row[] = [];
/** latencies per action over the whole run, for the per-action p99 line */
const byAction = new Map<string, number[]>();
const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]! : 0;
const rss0 = rssOf(pid) / 2 ** 20;
const start = Date.now();
const until = start + SECONDS * 1000;
const ticker = setInterval(() => {
  const batch = samples;
  samples = [];
  const ms = batch.map((s) => s.outcome.endedAt - s.outcome.startedAt).sort((a, b) => a - b);
  for (const s of batch) {
    const list = byAction.get(s.outcome.action) ?? [];
    byAction.set(s.outcome.action, list);
    list.push(s.outcome.endedAt - s.outcome.startedAt);
  }
  const wrong = batch.filter((s) => (s.expected === "OK" ? s.outcome.code !== "OK" : !(s.outcome.status >= 400 && s.outcome.status < 500)));
  const row: Row = {
    t: Math.round((Date.now() - start) / 1000),
    requests: batch.length,
    rps: Math.round(batch.length / INTERVAL),
    errors: wrong.length,
    fiveXx: batch.filter((s) => s.outcome.status >= 500).length,
    socket: batch.filter((s) => s.outcome.status === 0).length,
    p50: pct(ms, 50),
    p99: pct(ms, 99),
    rssMb: Math.round((rssOf(pid) / 2 ** 20) * 10) / 10,
  };
  rows.push(row);
  if (wrong.length)
    console.log(
      "  unexpected:",
      [...new Set(wrong.map((s) => `${s.outcome.action} ${s.outcome.status} ${s.outcome.code}`))].slice(0, 5).join("; "),
    );
  console.log(
    `t=${row.t}s requests=${row.requests} rps=${row.rps} errors=${row.errors} 5xx=${row.fiveXx} socket=${row.socket} p50=${row.p50}ms p99=${row.p99}ms rss=${row.rssMb}MB`,
  );
}, INTERVAL * 1000);

await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w, until)));
clearInterval(ticker);
server.child.kill("SIGTERM");
const exit = await server.exited;
client.close();
await own.drop();

// Leak verdict: after warm-up (the first interval), the mean RSS of the run's second half against its
// first half; RSS moves by tens of MB with GC, so single samples prove nothing. Slope is for information.
const steady = rows.slice(1);
const half = Math.max(1, Math.floor(steady.length / 2));
const mean = (rs: Row[]) => (rs.length ? rs.reduce((a, r) => a + r.rssMb, 0) / rs.length : rss0);
const early = mean(steady.slice(0, half));
const late = mean(steady.slice(half));
const last = rows[rows.length - 1]?.rssMb ?? rss0;
const n = steady.length;
const meanT = steady.reduce((a, r) => a + r.t, 0) / n;
const slopePerMin =
  n > 1
    ? (60 * steady.reduce((a, r) => a + (r.t - meanT) * (r.rssMb - mean(steady)), 0)) / steady.reduce((a, r) => a + (r.t - meanT) ** 2, 0)
    : 0;
const growth = late - early;
const leak = growth > Math.max(20, early * 0.15);
const total = rows.reduce((a, r) => a + r.requests, 0);
const errors = rows.reduce((a, r) => a + r.errors, 0);
const fiveXx = rows.reduce((a, r) => a + r.fiveXx, 0);
const summary = [
  `Run ${new Date(start).toISOString()}: ${SECONDS} s, ${CONCURRENCY} workers, Postgres, Node ${process.version}.`,
  `Requests ${total} (${Math.round(total / SECONDS)}/s), unexpected answers ${errors}, 5xx ${fiveXx}, child exit code after SIGTERM ${exit.code}.`,
  `Latency over the whole run: p99 per interval from ${Math.min(...rows.map((r) => r.p99))} to ${Math.max(...rows.map((r) => r.p99))} ms. ` +
    `Per action p50/p99 ms: ${[...byAction]
      .map(([a, l]) => {
        l.sort((x, y) => x - y);
        return `${a} ${pct(l, 50)}/${pct(l, 99)}`;
      })
      .join(", ")}.`,
  `RSS ${rss0.toFixed(1)} MB at start (idle), ${last} MB at the end; mean ${early.toFixed(1)} MB over the first half after warm-up, ` +
    `${late.toFixed(1)} MB over the second (${growth >= 0 ? "+" : ""}${growth.toFixed(1)} MB; slope ${slopePerMin.toFixed(2)} MB/min): ${leak ? "POSSIBLE LEAK" : "no leak evident"}.`,
];
console.log(summary.join("\n"));

if (!process.env.SOAK_NO_REPORT) {
  const table = [
    "| t (s) | requests | req/s | unexpected | 5xx | socket errors | p50 ms | p99 ms | RSS MB |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) => `| ${r.t} | ${r.requests} | ${r.rps} | ${r.errors} | ${r.fiveXx} | ${r.socket} | ${r.p50} | ${r.p99} | ${r.rssMb} |`,
    ),
  ];
  const body = [...summary, "", ...table].join("\n");
  const text = readFileSync(REPORT, "utf8");
  const marked = /<!-- soak-figures:start -->[\s\S]*<!-- soak-figures:end -->/;
  if (!marked.test(text)) throw new Error(`${REPORT} has no soak-figures markers`);
  writeFileSync(REPORT, text.replace(marked, `<!-- soak-figures:start -->\n${body}\n<!-- soak-figures:end -->`));
  console.log(`figures written to ${REPORT}`);
}
process.exit(errors || fiveXx || exit.code !== 0 || leak ? 1 : 0);
