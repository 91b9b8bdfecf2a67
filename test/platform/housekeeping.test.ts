// Housekeeping removes what no request reads again (spent reset tokens, finished mail, idle
// rate-limit buckets, the reset mail log) after their retention, and nothing else. On Postgres it runs in a database of
// its own: a purge with a clock weeks ahead would otherwise reach other suites' rows.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { purgeOnce } from "../../src/platform/housekeeping/worker.js";
import { ownDatabase } from "../support/infra/child-server.js";
import { poolerFor, startTestService, type TestService } from "../support/harness.js";
import { newPool, newUser } from "../support/families/users.js";

const DAY = 24 * 3600 * 1000;
let svc: TestService;
let dropDatabase: (() => Promise<void>) | undefined;

beforeAll(async () => {
  const base = inject("databaseUrl");
  const own = base ? await ownDatabase(base, "idplane_housekeeping", poolerFor(base)) : undefined;
  dropDatabase = own?.drop;
  svc = await startTestService({ ...(own && { databaseUrl: own.url }) });
});
afterAll(async () => {
  await svc.close();
  await dropDatabase?.();
});

const count = async (table: "password_reset_tokens" | "mail_outbox" | "rate_limits" | "reset_mail_log", status?: "sent" | "queued") => {
  const r = await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}
    where account_id = ${svc.accountId} ${status ? sql`and status = ${status}` : sql``}`.execute(svc.deps.db);
  return Number(r.rows[0]!.n);
};

describe("housekeeping", () => {
  it("keeps everything still in use or inside its retention, and purges the rest after it", async () => {
    const pool = await newPool(svc);
    const { email } = await newUser(svc, pool);
    await svc.ok("ResetPassword", { UserPoolUid: pool, Email: email });
    await svc.ok("ResetPassword", { UserPoolUid: pool, Email: email }); // revokes the first token
    await svc.deps.db
      .updateTable("mail_outbox")
      .set({ status: "sent", body_text: null, link: null })
      .where("account_id", "=", svc.accountId)
      .where("id", "=", (eb) =>
        eb
          .selectFrom("mail_outbox")
          .select((e) => e.fn.min("id").as("id"))
          .where("account_id", "=", svc.accountId),
      )
      .execute();
    expect([
      await count("password_reset_tokens"),
      await count("mail_outbox"),
      await count("mail_outbox", "sent"),
      await count("reset_mail_log"),
    ]).toEqual([2, 2, 1, 2]);
    expect(await count("rate_limits")).toBeGreaterThan(0);

    // A day on: the revoked token is inside its week, the live one has not expired long enough ago.
    let purged = await purgeOnce(svc.deps.db, new Date(Date.now() + DAY / 2));
    expect(purged.resetTokens).toBe(0);
    expect(await count("password_reset_tokens")).toBe(2);
    expect([purged.resetMailLog, await count("reset_mail_log")]).toEqual([0, 2]);

    // Eight days on: both tokens (revoked; expired after the pool's 2 h) and the idle bucket go; mail stays.
    purged = await purgeOnce(svc.deps.db, new Date(Date.now() + 8 * DAY));
    expect(purged).toMatchObject({ resetTokens: 2, finishedMail: 0 });
    expect(purged.idleBuckets).toBeGreaterThan(0);
    expect([
      await count("password_reset_tokens"),
      await count("mail_outbox"),
      await count("rate_limits"),
      await count("reset_mail_log"),
    ]).toEqual([0, 2, 0, 0]);

    // Thirty-one days on: the sent mail goes; the queued one (never delivered) is kept.
    purged = await purgeOnce(svc.deps.db, new Date(Date.now() + 31 * DAY));
    expect(purged.finishedMail).toBe(1);
    expect([await count("mail_outbox"), await count("mail_outbox", "queued")]).toEqual([1, 1]);
  });
});
