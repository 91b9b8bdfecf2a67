// A sync session's commit is all or nothing: the process killed (SIGKILL) in the middle of it, or its
// database stopped (immediate shutdown) in the middle of it, leaves the tree, the memberships and the
// session exactly as they were; the same commit then succeeds. "In the middle" is observed, not
// guessed: the commit's transaction has written (pg_stat_activity shows a backend with an xid).
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { connectDatabase, type DatabaseHandle } from "../../src/platform/db/connect.js";
import { codeOf, startTestService } from "../support/harness.js";
import { childClient, childEnv, ownDatabase, startChild, stopChild, type Child } from "../support/infra/child-server.js";
import { createPostgresInstance, postgresUnavailableReason } from "../support/infra/postgres-instance.js";

const SRC = "hr";
const N = 600;
/** The initial state: N departments under one top; the session renames every one and adds N more. */
const initial = () => [
  { ExternalID: "top", Name: "Top" },
  ...Array.from({ length: N }, (_, i) => ({ ExternalID: `d${i}`, ExternalParentID: "top", Name: `D${i}` })),
];
const next = () => [
  { ExternalID: "top", Name: "Top" },
  ...Array.from({ length: 2 * N }, (_, i) => ({ ExternalID: `d${i}`, ExternalParentID: "top", Name: `New ${i}` })),
];
const chunks = <T>(a: T[], n = 1000) => Array.from({ length: Math.ceil(a.length / n) }, (_, i) => a.slice(i * n, i * n + n));

type Call = (action: string, params: Record<string, unknown>) => Promise<{ code: string; status?: number; result?: any }>;

/** Seeds the pool and stages the session; returns its ref. */
async function prepare(call: Call, pool: string) {
  for (const part of chunks(initial()))
    expect((await call("BatchUpsertDepartments", { UserPoolUid: pool, Source: SRC, Departments: part })).code).toBe("OK");
  const s = await call("CreateDepartmentSyncSession", { UserPoolUid: pool, Source: SRC });
  const ref = { UserPoolUid: pool, SessionId: s.result.SessionId, Source: SRC };
  for (const part of chunks(next())) expect((await call("UploadDepartmentSyncDepartments", { ...ref, Departments: part })).code).toBe("OK");
  return ref;
}

async function snapshot(db: DatabaseHandle["db"], pool: string) {
  const depts = await db
    .selectFrom("departments")
    .select(["uid", "parent_uid", "path", "name", "name_path", "external_id"])
    .where("user_pool_uid", "=", pool)
    .orderBy("uid")
    .execute();
  const session = await db
    .selectFrom("department_sync_sessions")
    .select(["status", "committed_at"])
    .where("user_pool_uid", "=", pool)
    .executeTakeFirstOrThrow();
  const jobs = await db.selectFrom("department_sync_jobs").select("uid").where("user_pool_uid", "=", pool).execute();
  return { depts, session, jobs: jobs.length };
}

/** Resolves once some backend of the database holds a transaction that has written. */
async function untilWriting(db: DatabaseHandle["db"], database: string, boundMs = 60_000) {
  const end = Date.now() + boundMs;
  while (Date.now() < end) {
    const r = await sql<{
      n: string;
    }>`select count(*) as n from pg_stat_activity where datname = ${database} and backend_xid is not null and pid <> pg_backend_pid()`.execute(
      db,
    );
    if (Number(r.rows[0]!.n) > 0) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error("the commit never started writing");
}

const settled = (s: Awaited<ReturnType<typeof snapshot>>) => s.depts.filter((d) => d.name.startsWith("New ")).length;

describe("a sync commit is all or nothing", () => {
  let child: Child | undefined;
  let own: Awaited<ReturnType<typeof ownDatabase>> | undefined;
  let check: DatabaseHandle | undefined;
  afterAll(async () => {
    await stopChild(child);
    await check?.close();
    await own?.drop();
  });

  it.skipIf(!inject("databaseUrl"))("when the process is killed mid-commit", { timeout: 600_000 }, async () => {
    // Postgres itself, also in the PgBouncer pass: this is about the server rolling back a killed
    // client's transaction, and a child of its own connects directly (no pooler settings needed).
    own = await ownDatabase(inject("directDatabaseUrl") ?? inject("databaseUrl")!, "idplane_deptkill");
    const { env, key } = childEnv(own.url);
    child = await startChild(env);
    check = await connectDatabase({ databaseUrl: own.url, maxConnections: 2 });
    const client = childClient(child.host, key);
    const call: Call = (a, p) => client.call(a, p);
    const pool = (await call("CreateUserPool", { Name: "kill" })).result.Uid;
    const ref = await prepare(call, pool);
    const before = await snapshot(check.db, pool);

    const commit = call("CommitDepartmentSyncSession", ref);
    await untilWriting(check.db, new URL(own.url).pathname.slice(1));
    child.child.kill("SIGKILL");
    expect((await commit).status).toBe(0);
    await child.exited;
    // The killed backend's transaction is rolled back once Postgres notices the closed socket.
    await expect.poll(async () => await snapshot(check!.db, pool), { timeout: 30_000 }).toEqual(before);

    child = await startChild(env);
    const again = childClient(child.host, key);
    const done = await again.call("CommitDepartmentSyncSession", ref);
    expect(done.code).toBe("OK");
    const after = await snapshot(check.db, pool);
    expect([settled(after), after.depts.length, after.session.status, after.jobs]).toEqual([2 * N, 2 * N + 1, "COMMITTED", 1]);
  });

  it.skipIf(Boolean(postgresUnavailableReason()))("when the database stops mid-commit", { timeout: 600_000 }, async () => {
    const pg = await createPostgresInstance();
    const svc = await startTestService({ databaseUrl: pg.url });
    const db = await connectDatabase({ databaseUrl: pg.url, maxConnections: 2 });
    try {
      const call: Call = async (a, p) => {
        const env = await svc.call(a, p);
        return { code: codeOf(env), result: env.Result };
      };
      const pool = (await call("CreateUserPool", { Name: "stop" })).result.Uid;
      const ref = await prepare(call, pool);
      const before = await snapshot(db.db, pool);

      const commit = call("CommitDepartmentSyncSession", ref);
      await untilWriting(db.db, new URL(pg.url).pathname.slice(1));
      await pg.stop();
      expect((await commit).code).toBe("ServiceUnavailable");
      await pg.start();
      await expect.poll(async () => (await snapshot(db.db, pool)).depts.length, { timeout: 30_000 }).toBe(before.depts.length);
      expect(await snapshot(db.db, pool)).toEqual(before);
      await expect.poll(async () => (await call("CommitDepartmentSyncSession", ref)).code, { timeout: 60_000, interval: 1000 }).toBe("OK");
      const after = await snapshot(db.db, pool);
      expect([settled(after), after.session.status, after.jobs]).toEqual([2 * N, "COMMITTED", 1]);
    } finally {
      await svc.close();
      await db.close();
      await pg.destroy();
    }
  });
});
