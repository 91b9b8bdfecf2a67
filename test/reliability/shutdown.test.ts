// Graceful shutdown (issue #7 item 6): the real entry point as a child process (on Postgres when the
// suite has one, and always on both embedded engines in a data directory), SIGTERM
// under a slow-ish load (scrypt-hashing CreateUser, mail-queuing ResetPassword) over keep-alive
// sockets. In-flight requests complete; later ones get ServiceUnavailable or a refused connection;
// the process exits 0 by itself; every 200 wrote its row, nothing else did, and no mail is lost.
// Nothing here depends on the machine being idle: waits are for events (bounded only against hangs),
// and resources are released in `finally` whatever failed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { randomBytes } from "node:crypto";
import { chmodSync, cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { connectDatabase } from "../../src/platform/db/connect.js";
import { migrate } from "../../src/platform/db/migrator.js";
import { childClient, childEnv, ownDatabase, startChild, stopChild, type CallOutcome, type Child } from "../support/infra/child-server.js";
import { poolerFor } from "../support/harness.js";
import { startTestSmtp } from "../support/families/users.js";

const databaseUrl = inject("databaseUrl");
// The child's hard stop (ID_SHUTDOWN_TIMEOUT_SECONDS), far above any drain: exit code 0 then means
// the process drained and stopped by itself, and a loaded machine cannot turn that into a failure.
const HARD_STOP_SECONDS = "120";
const REFUSED = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "socket hang up"]);
const LOOPS = 24;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits for a condition, polling; the deadline only bounds a hang, it is not what is tested. */
async function until(what: string, cond: () => boolean, deadlineMs = 120_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const smtp = await startTestSmtp("mailer", "pw");
afterAll(() => smtp.close());

// An initialised, migrated embedded data directory per engine, copied for each embedded test: PGlite's
// initdb takes 4 s on an idle machine and over a minute on a loaded one; once per file is enough.
// (0755 parent: as root, embedded Postgres runs as another user, who must pass through it.)
const templates = mkdtempSync(join(tmpdir(), "idplane-shutdown-template-"));
chmodSync(templates, 0o755);
const engines = ["pglite", "postgres"] as const;
const template = (engine: (typeof engines)[number]) => join(templates, engine);
beforeAll(async () => {
  for (const engine of engines) {
    const db = await connectDatabase({ dataDir: template(engine), embeddedEngine: engine });
    try {
      await migrate(db.db);
    } finally {
      await db.close();
    }
  }
}, 300_000);
afterAll(() => rmSync(templates, { recursive: true, force: true }));

interface Store {
  url: string | undefined;
  extraEnv: Record<string, string>;
  drop(): Promise<void>;
}

/** Postgres: a database of its own (see ownDatabase). Embedded: each engine in a fresh data directory. */
const stores: [string, () => Promise<Store>][] = [
  ...engines.map((engine): [string, () => Promise<Store>] => [
    engine === "pglite" ? "embedded PGlite" : "embedded Postgres",
    async () => {
      const dir = join(templates, `run-${randomBytes(4).toString("hex")}`);
      cpSync(template(engine), dir, { recursive: true });
      return {
        url: undefined,
        extraEnv: { ID_DATA_DIR: dir, ID_EMBEDDED_ENGINE: engine },
        drop: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  ]),
  ...(databaseUrl
    ? [
        [
          "Postgres",
          async () => ({
            ...(await ownDatabase(databaseUrl, undefined, poolerFor(databaseUrl))),
            extraEnv: { DATABASE_POOLER: poolerFor(databaseUrl) },
          }),
        ] as [string, () => Promise<Store>],
      ]
    : []),
];

describe.each(stores)("graceful shutdown of the real entry point (%s)", (storeName, makeStore) => {
  it("SIGTERM under load: in-flight requests finish, new ones are refused, exit 0, no row or mail lost", { timeout: 600_000 }, async () => {
    const own = await makeStore();
    let s: Child | undefined;
    let again: Child | undefined;
    let client: ReturnType<typeof childClient> | undefined;
    let db: Awaited<ReturnType<typeof connectDatabase>> | undefined;
    let stopLoops = false;
    let loops: Promise<void>[] = [];
    try {
      smtp.received.length = 0;
      const { env, key, accountId } = childEnv(own.url, {
        ...own.extraEnv,
        SMTP_URL: smtp.url,
        MAIL_FROM: "idplane@example.com",
        ID_SHUTDOWN_TIMEOUT_SECONDS: HARD_STOP_SECONDS,
        // The server never closes a socket for idleness during the test: with the default 5 s, a client
        // whose loop lags seconds behind (a loaded machine) reuses a socket the server is closing and is
        // reset, a race of HTTP keep-alive that has nothing to do with shutdown (seen once in 16 runs,
        // 2.4 s before the signal).
        ID_KEEPALIVE_TIMEOUT_SECONDS: "600",
      });
      s = await startChild(env);
      // One socket per loop: a request then never goes out on a socket left idle for the server's
      // keep-alive timeout (5 s), whose close races any request sent on it, shutdown or not.
      client = childClient(s.host, key, LOOPS);
      const pool = (await client.call("CreateUserPool", { Name: "shutdown", ResetPasswordUrl: "https://example.com/reset" })).result.Uid;
      const seeded = await client.call("CreateUsers", {
        UserPoolUid: pool,
        Users: Array.from({ length: 20 }, (_, i) => ({ Email: `seed${i}@example.com` })),
      });
      const seedUids: string[] = seeded.result.SuccessfulUids;

      // 24 loops, each alternating a password CreateUser (an scrypt hash: tens of ms) and a ResetPassword.
      const outcomes: (CallOutcome & { username?: string })[] = [];
      let n = 0;
      const loop = async (w: number) => {
        while (!stopLoops) {
          const i = n++;
          const out =
            i % 2
              ? await client!.call("ResetPassword", { UserPoolUid: pool, UserUid: seedUids[i % seedUids.length] })
              : {
                  ...(await client!.call("CreateUser", {
                    UserPoolUid: pool,
                    PreferredUsername: `w${w}-${i}`,
                    Password: "Correct-Horse-7",
                  })),
                  username: `w${w}-${i}`,
                };
          outcomes.push(out);
          if (out.status === 0) await sleep(20);
        }
      };
      loops = Array.from({ length: LOOPS }, (_, w) => loop(w));
      // Under way: as many answers as there are loops (a count, not a time, so a slow machine waits longer).
      await until("the load to get going", () => outcomes.filter((o) => o.status === 200).length >= LOOPS);
      const termAt = Date.now();
      s.child.kill("SIGTERM");
      const exit = await s.exited;
      // Every loop has tried again after the exit (and was refused) before the loops stop.
      await until("a refused request per loop after the exit", () => outcomes.filter((o) => o.startedAt > exit.at).length >= LOOPS);
      stopLoops = true;
      await Promise.all(loops);
      client.close();

      expect(exit.code, s.output().slice(-2000)).toBe(0);
      expect(s.output()).toContain('"msg":"stopped"');

      // Requests on the wire 50 ms before the signal must be answered; the ones sent in the few ms
      // around it race the socket close (HTTP keep-alive's own race) and are not judged. "On the wire"
      // is when the client's last write completed, not when it began the call: a busy client writes late.
      const before = outcomes.filter((o) => o.sentAt > 0 && o.sentAt < termAt - 50);
      // The child starts draining when its event loop reaches the signal: later on a busy loop
      // (embedded PGlite runs on it). Requests sent in between may still be served normally.
      const drainLine = s
        .output()
        .split("\n")
        .find((l) => l.includes("shutting down: finishing in-flight requests"));
      const drainAt = drainLine ? Date.parse(JSON.parse(drainLine).time) : termAt;
      const after = outcomes.filter((o) => o.startedAt > drainAt + 5);
      expect(outcomes.filter((o) => o.status >= 500 && o.code !== "ServiceUnavailable")).toEqual([]);
      // Requests sent before the signal got an answer: none was cut off mid-flight or left in the
      // accept queue when the listener closed.
      expect(
        before
          .filter((o) => o.status === 0)
          .map(
            (o) =>
              `${o.code} sent ${o.sentAt - termAt} ms, failed ${o.endedAt - termAt} ms after SIGTERM, ${o.idleMs === undefined ? "new connection" : `on a socket idle ${o.idleMs} ms`}`,
          ),
      ).toEqual([]);
      expect(before.filter((o) => o.status >= 500 && o.code !== "ServiceUnavailable")).toEqual([]);
      // Some were still running when the signal came, and finished after it with a 200.
      expect(before.filter((o) => o.status === 200 && o.endedAt > termAt).length).toBeGreaterThan(0);
      // After the signal: ServiceUnavailable, or no connection at all.
      expect(
        after
          .filter((o) => !(o.code === "ServiceUnavailable" && o.status === 503) && !REFUSED.has(o.code))
          .map((o) => `${o.status} ${o.code}`),
      ).toEqual([]);
      expect(after.length).toBeGreaterThan(0);

      // The database holds exactly what the 200s wrote: every created user, and one mail per reset.
      db = await connectDatabase({
        databaseUrl: own.url,
        dataDir: own.extraEnv.ID_DATA_DIR ?? "memory://",
        embeddedEngine: own.extraEnv.ID_EMBEDDED_ENGINE as "pglite" | "postgres" | undefined,
        maxConnections: 2,
        pooler: poolerFor(own.url),
      });
      const names = new Set(
        (
          await sql<{
            n: string;
          }>`select preferred_username as n from users where account_id = ${accountId} and preferred_username is not null`.execute(db.db)
        ).rows.map((r) => r.n),
      );
      const created = outcomes.filter((o) => o.action === "CreateUser");
      expect(created.filter((o) => o.status === 200 && !names.has(o.username!)).map((o) => o.username)).toEqual([]);
      expect(created.filter((o) => o.status !== 200 && names.has(o.username!)).map((o) => `${o.username} ${o.code}`)).toEqual([]);
      const resets = outcomes.filter((o) => o.action === "ResetPassword" && o.status === 200).length;
      const mail = await sql<{
        status: string;
        n: string;
      }>`select status, count(*)::text as n from mail_outbox where account_id = ${accountId} group by 1`.execute(db.db);
      const byStatus = Object.fromEntries(mail.rows.map((r) => [r.status, Number(r.n)]));
      expect((byStatus.queued ?? 0) + (byStatus.sent ?? 0)).toBe(resets);
      expect(byStatus.failed ?? 0).toBe(0);
      // Every mail marked sent reached the SMTP server (the rest stay queued for the next start).
      expect(smtp.received.filter((m) => m.to.some((t) => t.startsWith("seed"))).length).toBeGreaterThanOrEqual(byStatus.sent ?? 0);
      // Embedded: one process at a time in a data directory.
      await db.close();
      db = undefined;
      // Restarted, the service delivers what was still queued: every reset's mail arrives exactly once.
      again = await startChild(env);
      await until("the queued mail after the restart", () => smtp.received.length >= resets);
      again.child.kill("SIGTERM");
      expect((await again.exited).code).toBe(0);
      const links = smtp.received.map((m) => /token=([\w-]+)/.exec(m.text)?.[1]);
      expect(smtp.received).toHaveLength(resets);
      expect(new Set(links).size).toBe(resets);
      const lastInFlight = Math.max(...before.map((o) => o.endedAt)) - termAt;
      console.log(
        `[shutdown] ${storeName} drainAfterSignalMs=${drainAt - termAt} lastInFlightDoneMs=${lastInFlight} requests=${outcomes.length} before=${before.length} inFlightFinished=${before.filter((o) => o.status === 200 && o.endedAt > termAt).length} answered503=${before.filter((o) => o.status === 503).length + after.filter((o) => o.status === 503).length} after=${after.length} exitMs=${exit.at - termAt} resets=${resets} mail=${JSON.stringify(byStatus)}`,
      );
    } finally {
      // Whatever failed: no child, socket, loop or data left behind (a data directory is 39 MB).
      stopLoops = true;
      client?.close();
      await stopChild(s);
      await stopChild(again);
      await Promise.all(loops);
      await db?.close();
      await own.drop();
    }
  });

  it("an idle keep-alive connection does not hold the process open", { timeout: 600_000 }, async () => {
    const own = await makeStore();
    let s: Child | undefined;
    let client: ReturnType<typeof childClient> | undefined;
    try {
      // The hard stop would exit 1: exit code 0 says the idle connection was closed, not waited out.
      const { env, key } = childEnv(own.url, { ...own.extraEnv, ID_SHUTDOWN_TIMEOUT_SECONDS: "60" });
      s = await startChild(env);
      client = childClient(s.host, key);
      expect((await client.call("ListUserPools", {})).code).toBe("OK");
      const termAt = Date.now();
      s.child.kill("SIGTERM");
      const exit = await s.exited;
      expect(exit.code, s.output().slice(-2000)).toBe(0);
      console.log(`[shutdown] ${storeName} idle keep-alive: exitMs=${exit.at - termAt}`);
    } finally {
      client?.close();
      await stopChild(s);
      await own.drop();
    }
  });
});
