// SQL of sync sessions, their staged rows and their jobs.
import { sql, type Insertable, type Selectable, type SqlBool, type Updateable } from "kysely";
import type { Db } from "../platform/db/types.js";
import type { PoolKey } from "./queries.js";
import type { DepartmentSyncJobsTable, DepartmentSyncSessionsTable, StagedDepartmentsTable, StagedMembersTable } from "./tables.js";

export type SessionRow = Selectable<DepartmentSyncSessionsTable>;
export type JobRow = Selectable<DepartmentSyncJobsTable>;

const sessions = (db: Db, k: PoolKey) => db.selectFrom("department_sync_sessions").where(inPool(k));

/** The pool's rows of a sync table (every table here leads with the pool's key). */
const inPool = (k: PoolKey) => sql<SqlBool>`account_id = ${k.accountId} and user_pool_uid = ${k.poolUid}`;
/** The rows of one session in the staging tables. */
const staged = (k: PoolKey, session: string) => sql<SqlBool>`${inPool(k)} and session_uid = ${session}`;

export function findSession(db: Db, k: PoolKey, uid: string, lock = false): Promise<SessionRow | undefined> {
  const q = sessions(db, k).selectAll().where("uid", "=", uid);
  return (lock ? q.forUpdate() : q).executeTakeFirst();
}

export async function insertSession(db: Db, row: Insertable<DepartmentSyncSessionsTable>): Promise<SessionRow> {
  return db.insertInto("department_sync_sessions").values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateSession(db: Db, k: PoolKey, uid: string, changes: Updateable<DepartmentSyncSessionsTable>): Promise<void> {
  await db.updateTable("department_sync_sessions").set(changes).where(inPool(k)).where("uid", "=", uid).execute();
}

/** Stages departments; a later upload of an ExternalID replaces the earlier one. */
export async function stageDepartments(db: Db, rows: Insertable<StagedDepartmentsTable>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) {
    await db
      .insertInto("department_sync_staged_departments")
      .values(rows.slice(i, i + 1000))
      .onConflict((oc) =>
        oc.columns(["account_id", "user_pool_uid", "session_uid", "external_id"]).doUpdateSet({
          external_parent_id: (e) => e.ref("excluded.external_parent_id"),
          name: (e) => e.ref("excluded.name"),
          description: (e) => e.ref("excluded.description"),
          precedence: (e) => e.ref("excluded.precedence"),
          action: (e) => e.ref("excluded.action"),
        }),
      )
      .execute();
  }
}

export async function stageMembers(db: Db, rows: Insertable<StagedMembersTable>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 2000) {
    await db
      .insertInto("department_sync_staged_members")
      .values(rows.slice(i, i + 2000))
      .onConflict((oc) =>
        oc
          .columns(["account_id", "user_pool_uid", "session_uid", "department_external_id", "user_uid"])
          .doUpdateSet({ is_primary: (e) => e.ref("excluded.is_primary"), role: (e) => e.ref("excluded.role") }),
      )
      .execute();
  }
}

export async function stagedCounts(db: Db, k: PoolKey, session: string): Promise<{ departments: number; members: number }> {
  const r = await sql<{ d: string; m: string }>`select
    (select count(*) from department_sync_staged_departments where ${staged(k, session)}) as d,
    (select count(*) from department_sync_staged_members where ${staged(k, session)}) as m`.execute(db);
  return { departments: Number(r.rows[0]!.d), members: Number(r.rows[0]!.m) };
}

export function stagedDepartments(db: Db, k: PoolKey, session: string) {
  return db.selectFrom("department_sync_staged_departments").selectAll().where(staged(k, session)).orderBy("external_id").execute();
}

export function stagedMembers(db: Db, k: PoolKey, session: string) {
  return db
    .selectFrom("department_sync_staged_members")
    .selectAll()
    .where(staged(k, session))
    .orderBy("department_external_id")
    .orderBy("user_uid")
    .execute();
}

export async function dropStaged(db: Db, k: PoolKey, session: string): Promise<void> {
  await db.deleteFrom("department_sync_staged_departments").where(staged(k, session)).execute();
  await db.deleteFrom("department_sync_staged_members").where(staged(k, session)).execute();
}

export async function insertJob(db: Db, row: Insertable<DepartmentSyncJobsTable>): Promise<JobRow> {
  return db.insertInto("department_sync_jobs").values(row).returningAll().executeTakeFirstOrThrow();
}

export function findJob(db: Db, k: PoolKey, uid: string): Promise<JobRow | undefined> {
  return db.selectFrom("department_sync_jobs").selectAll().where(inPool(k)).where("uid", "=", uid).executeTakeFirst();
}

export function listJobs(db: Db, k: PoolKey, source: string | undefined, limit: number): Promise<JobRow[]> {
  let q = db.selectFrom("department_sync_jobs").selectAll().where(inPool(k));
  if (source) q = q.where("source", "=", source);
  return q.orderBy("created_at", "desc").orderBy("uid", "desc").limit(limit).execute();
}
