// Behind PgBouncer in transaction mode (DATABASE_POOLER=pgbouncer): what transaction pooling breaks
// must stay right across instances. Access-key disable reaches every instance within 5 s without
// LISTEN on a pooled connection (both sources measured: the change-counter poll and LISTEN on
// DATABASE_DIRECT_URL), and the mail outbox delivers each message once with workers on several
// instances. Quotas, throttling, replay protection and migrations across instances are the suites'
// own tests, run through PgBouncer by `npm run test:pgbouncer`. Uses the suite's PgBouncer in that
// pass, otherwise starts one of its own in front of the suite's Postgres.
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { KeyChangeSource } from "../../src/access-keys/key-changes.js";
import { createAccessKey, setAccessKeyEnabledAndAnnounce } from "../../src/access-keys/service.js";
import { loadConfig } from "../../src/platform/config.js";
import { connectDatabase, type DatabaseHandle } from "../../src/platform/db/connect.js";
import { enqueueMail } from "../../src/platform/mail/outbox.js";
import type { OutgoingMail } from "../../src/platform/mail/smtp.js";
import { startMailWorker } from "../../src/platform/mail/worker.js";
import { openRuntime, type Runtime } from "../../src/platform/runtime.js";
import { randomAccountId, startTestService, type TestService } from "../support/harness.js";
import { pgbouncerUnavailableReason, startPgbouncer, type Pgbouncer } from "../support/infra/pgbouncer.js";
import { capturingLogger } from "../support/families/users.js";

const direct = inject("directDatabaseUrl");
const skipReason = !direct
  ? "no Postgres (PGlite run)"
  : inject("databasePooler") === "pgbouncer"
    ? undefined
    : pgbouncerUnavailableReason();
if (skipReason) console.log(`[reliability] pgbouncer skipped: ${skipReason}`);

let own: Pgbouncer | undefined;
let pooledUrl: string;
const masterKey = randomBytes(32).toString("base64");

beforeAll(async () => {
  if (skipReason) return;
  if (inject("databasePooler") === "pgbouncer") pooledUrl = inject("databaseUrl")!;
  else {
    own = await startPgbouncer(direct!);
    pooledUrl = own.url(direct!);
  }
});
afterAll(async () => {
  await own?.stop();
});

/** An instance's runtime behind PgBouncer, with a key cache that would trust a key for 10 minutes. */
function instance(extra: Record<string, string> = {}): Promise<Runtime> {
  const config = loadConfig({ DATABASE_URL: pooledUrl, DATABASE_POOLER: "pgbouncer", ID_MASTER_KEY: masterKey, ...extra });
  return openRuntime(config, capturingLogger().log, { accessKeyTtlMs: 600_000, skipBootstrap: true });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const figures: string[] = [];

describe.skipIf(Boolean(skipReason))("through PgBouncer in transaction mode", () => {
  const sources: [KeyChangeSource, () => Record<string, string>][] = [
    ["poll", () => ({})],
    ["notify-direct", () => ({ DATABASE_DIRECT_URL: direct! })],
  ];

  it.each(sources)("a disabled key is refused by every instance within 5 s (%s)", async (source, extra) => {
    const instances = await Promise.all([instance(extra()), instance(extra())]);
    // The CLI: a process of its own, through the pooler like everything else.
    const cli = await connectDatabase({ databaseUrl: pooledUrl, maxConnections: 1, pooler: "pgbouncer" });
    try {
      const delays: number[] = [];
      for (let round = 0; round < 5; round++) {
        const key = await createAccessKey(instances[0]!.deps, { accountId: randomAccountId(), role: "admin" });
        for (const r of instances) expect((await r.deps.accessKeys.resolve(key.accessKeyId))?.enabled).toBe(true);
        // At a random moment, so that the poll's phase does not line up with the rounds.
        await new Promise((r) => setTimeout(r, Math.random() * 1000));
        const disabledAt = performance.now();
        expect(await setAccessKeyEnabledAndAnnounce(cli.db, key.accessKeyId, false)).toBe(true);
        await Promise.all(
          instances.map(async (r) => {
            await expect
              .poll(async () => (await r.deps.accessKeys.resolve(key.accessKeyId))?.enabled, { timeout: 5000, interval: 20 })
              .toBe(false);
            delays.push(performance.now() - disabledAt);
          }),
        );
      }
      figures.push(
        `key disable → refused on both instances (${source}, 5 rounds): median ${Math.round(median(delays))} ms, max ${Math.round(Math.max(...delays))} ms`,
      );
    } finally {
      await Promise.all(instances.map((r) => r.close()));
      await cli.close();
    }
  });

  it("refuses LISTEN on the pooled connection instead of subscribing a server connection PgBouncer shares", async () => {
    const h = await connectDatabase({ databaseUrl: pooledUrl, maxConnections: 1, pooler: "pgbouncer" });
    try {
      await expect(h.listen("idplane_access_keys", () => {})).rejects.toThrow(/LISTEN does not work through pgbouncer/);
    } finally {
      await h.close();
    }
  });

  it("answers every statement when many outnumber the pool's connections (no pipelining through it)", async () => {
    // Unprepared statements with parameters go Parse/Describe/Flush first, Bind/Execute/Sync after.
    // Pipelined behind another statement on one connection, PgBouncer released the server at that
    // statement's ReadyForQuery and the Describe's answer never came back: one request of several hung
    // for good (found as a ListUsers and a CreateUserPool that never answered under concurrency).
    const h = await connectDatabase({ databaseUrl: pooledUrl, maxConnections: 2, pooler: "pgbouncer" });
    try {
      const statements = Array.from({ length: 200 }, (_, i) =>
        i % 3 === 0
          ? sql<{ n: number }>`select 1 as n`.execute(h.db).then((r) => r.rows[0]!.n)
          : sql<{ n: number }>`select ${i}::int as n`.execute(h.db).then((r) => r.rows[0]!.n),
      );
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("some statements got no answer in 60 s")), 60_000);
      });
      const answers = await Promise.race([Promise.all(statements), hung]).finally(() => clearTimeout(timer));
      expect(answers).toEqual(Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? 1 : i)));
    } finally {
      await h.close();
    }
  }, 90_000);

  it("delivers each queued mail exactly once with workers on three instances", async () => {
    const svc: TestService = await startTestService({ databaseUrl: pooledUrl, pooler: "pgbouncer" });
    const handles: DatabaseHandle[] = await Promise.all(
      [1, 2, 3].map(() => connectDatabase({ databaseUrl: pooledUrl, maxConnections: 3, pooler: "pgbouncer" })),
    );
    try {
      const pool = (await svc.ok("CreateUserPool", { Name: "outbox" })).Uid as string;
      const count = 60;
      await svc.deps.db.transaction().execute(async (trx) => {
        for (let i = 0; i < count; i++) {
          await enqueueMail(trx, {
            accountId: svc.accountId,
            poolUid: pool,
            kind: "test",
            recipient: `m${i}@example.com`,
            subject: `m${i}`,
            bodyText: "x",
            link: "https://example.com",
            now: new Date(),
          });
        }
      });
      const sent: string[] = [];
      const transport = { send: async (m: OutgoingMail) => void sent.push(m.to), close() {} };
      const workers = handles.map((h) =>
        startMailWorker({
          db: h.db,
          log: capturingLogger().log,
          clock: svc.clock,
          transport,
          maxAttempts: 3,
          manual: true,
          accountId: svc.accountId,
          batchSize: 7,
        }),
      );
      // All three claim at the same time, round after round, until nothing is due.
      for (let rounds = 0; rounds < 50; rounds++) {
        const handled = await Promise.all(workers.map((w) => w.runOnce()));
        if (handled.every((n) => n === 0)) break;
      }
      expect(sent.length).toBe(count);
      expect(new Set(sent).size).toBe(count);
      const rows = await svc.deps.db
        .selectFrom("mail_outbox")
        .select(["status", "attempts"])
        .where("account_id", "=", svc.accountId)
        .execute();
      expect(rows.filter((r) => r.status === "sent" && Number(r.attempts) === 1)).toHaveLength(count);
      figures.push(
        `outbox: ${count} mails, 3 workers on 3 pooled handles claiming together: ${sent.length} deliveries, ${new Set(sent).size} distinct`,
      );
    } finally {
      await Promise.all(handles.map((h) => h.close()));
      await svc.close();
    }
  });
});

afterAll(() => {
  if (figures.length) console.log(`[reliability] pgbouncer:\n  ${figures.join("\n  ")}`);
});
