// Directory sync sessions: an outside source uploads its whole state (departments, then members) in
// as many calls as it needs, asks for a plan (Validate), and commits it. The commit is one
// transaction under the tree lock: the Source's departments become exactly the staged ones (absent
// ones deleted), and, when members were uploaded, each staged department's members exactly the
// staged ones. A crash or a database outage mid-commit leaves the tree as it was and the session
// open. A commit that would delete more than the threshold of the Source's departments is refused
// unless AllowExceedDeleteThreshold.
import { randomUUID } from "node:crypto";
import type { Transaction } from "kysely";
import type { AppDeps } from "../deps.js";
import { errors } from "../core/errors.js";
import { formatTime } from "../core/time.js";
import type { Database } from "../platform/db/schema.js";
import { parentPool } from "../user-pools/parent.js";
import * as sq from "./session-queries.js";
import { applyDepartments, type SyncItem } from "./sync.js";
import { applyMembers, type Mapping } from "./sync-members.js";
import { underTreeLock } from "./sync-run.js";
import { keyOf } from "./tree.js";
import type * as q from "./queries.js";

type Deps = Pick<AppDeps, "db" | "config" | "clock">;
/** Share of the Source's departments one commit may delete without AllowExceedDeleteThreshold. */
export const DELETE_THRESHOLD_PCT = 20;
export const SESSION_TTL_HOURS = 24;
/** Staged memberships per session (departments are bounded by the pool's department quota). */
export const MAX_STAGED_MEMBERS = 1_000_000;

interface SessionRef {
  UserPoolUid: string;
  SessionId: string;
}
const sessionNotFound = (uid: string) => errors.notFound(`DepartmentSyncSession ${uid}`);
const statusOf = (s: sq.SessionRow, now: Date) =>
  (s.status === "OPEN" || s.status === "VALIDATED") && s.expires_at <= now ? "EXPIRED" : s.status;

/** The session, open for uploads and commits: NotFound, or InvalidParameter naming why not. */
async function openSession(
  db: Parameters<typeof sq.findSession>[0],
  deps: Pick<Deps, "clock">,
  k: q.PoolKey,
  ref: SessionRef & { Source?: string },
  lock = false,
) {
  const s = await sq.findSession(db, k, ref.SessionId, lock);
  if (!s) throw sessionNotFound(ref.SessionId);
  const status = statusOf(s, deps.clock.now());
  if (status !== "OPEN" && status !== "VALIDATED") throw errors.invalidParameter("SessionId", `the session is ${status}`);
  if (ref.Source !== undefined && ref.Source !== s.source) throw errors.invalidParameter("Source", `the session is for Source ${s.source}`);
  return s;
}

export async function createSession(deps: Deps, accountId: string, input: { UserPoolUid: string; Source: string }) {
  const k = keyOf(accountId, input.UserPoolUid);
  const now = deps.clock.now();
  const s = await deps.db.transaction().execute(async (trx) => {
    await parentPool(trx, accountId, k.poolUid, "share");
    return sq.insertSession(trx, {
      account_id: accountId,
      user_pool_uid: k.poolUid,
      uid: randomUUID(),
      source: input.Source,
      status: "OPEN",
      delete_threshold_pct: DELETE_THRESHOLD_PCT,
      expires_at: new Date(now.getTime() + SESSION_TTL_HOURS * 3600_000),
      committed_at: null,
      created_at: now,
      updated_at: now,
    });
  });
  return { SessionId: s.uid, ExpiresAt: formatTime(s.expires_at) };
}

/** Stages rows under the session's row lock; an upload after a Validate reopens the session. */
async function upload(
  deps: Deps,
  accountId: string,
  ref: SessionRef & { Source: string },
  stage: (trx: Transaction<Database>, k: q.PoolKey) => Promise<void>,
  which: "departments" | "members",
) {
  const k = keyOf(accountId, ref.UserPoolUid);
  return deps.db.transaction().execute(async (trx) => {
    await parentPool(trx, accountId, k.poolUid, "share");
    await openSession(trx, deps, k, ref, true);
    await stage(trx, k);
    const counts = await sq.stagedCounts(trx, k, ref.SessionId);
    if (counts.departments > deps.config.quotas.departmentsPerPool) throw errors.quotaExceeded("DepartmentsPerPool");
    if (counts.members > MAX_STAGED_MEMBERS) throw errors.quotaExceeded("StagedMembershipsPerSession");
    await sq.updateSession(trx, k, ref.SessionId, { status: "OPEN", updated_at: deps.clock.now() });
    return counts[which];
  });
}

export async function uploadDepartments(deps: Deps, accountId: string, input: SessionRef & { Source: string; Departments: SyncItem[] }) {
  const Total = await upload(
    deps,
    accountId,
    input,
    (trx, k) =>
      sq.stageDepartments(
        trx,
        input.Departments.map((d) => ({
          account_id: accountId,
          user_pool_uid: k.poolUid,
          session_uid: input.SessionId,
          external_id: d.ExternalID,
          external_parent_id: d.ExternalParentID ?? "",
          name: d.Name ?? "",
          description: d.Description ?? "",
          precedence: d.Precedence ?? 0,
          action: d.Action ?? "UPSERT",
        })),
      ),
    "departments",
  );
  return { Received: input.Departments.length, Total };
}

export async function uploadMembers(
  deps: Deps,
  accountId: string,
  input: SessionRef & {
    Source: string;
    Members: { DepartmentExternalID: string; IsPrimary?: boolean | undefined; Role?: string | undefined; UserUids: string[] }[];
  },
) {
  const rows = input.Members.flatMap((m) =>
    [...new Set(m.UserUids)].map((user_uid) => ({
      department_external_id: m.DepartmentExternalID,
      user_uid,
      is_primary: m.IsPrimary ?? false,
      role: m.Role ?? "",
    })),
  );
  const Total = await upload(
    deps,
    accountId,
    input,
    (trx, k) =>
      sq.stageMembers(
        trx,
        rows.map((r) => ({ ...r, account_id: accountId, user_pool_uid: k.poolUid, session_uid: input.SessionId })),
      ),
    "members",
  );
  return { Received: rows.length, Total };
}

/** The session's staged state applied to the tree in `trx` (the caller holds the tree lock). */
async function applySession(trx: Transaction<Database>, deps: Deps, k: q.PoolKey, s: sq.SessionRow) {
  const staged = await sq.stagedDepartments(trx, k, s.uid);
  const items: SyncItem[] = staged.map((d) => ({
    Action: d.action,
    ExternalID: d.external_id,
    ExternalParentID: d.external_parent_id || undefined,
    Name: d.name || undefined,
    Description: d.description,
    Precedence: d.precedence,
  }));
  const departments = await applyDepartments(trx, deps, k, s.source, items, { deleteAbsent: true });
  const members = await sq.stagedMembers(trx, k, s.uid);
  const byDept = new Map<string, Mapping>();
  if (members.length)
    for (const d of staged) if (d.action === "UPSERT") byDept.set(d.external_id, { ExternalDepartmentID: d.external_id, Members: [] });
  for (const m of members) {
    const mapping = byDept.get(m.department_external_id) ?? { ExternalDepartmentID: m.department_external_id, Members: [] };
    mapping.Members.push({ UserUid: m.user_uid, IsPrimary: m.is_primary, Role: m.role });
    byDept.set(m.department_external_id, mapping);
  }
  const memberOutcome = await applyMembers(trx, deps, k, s.source, [...byDept.values()]);
  const pct = departments.existing === 0 ? 0 : (departments.Deleted * 100) / departments.existing;
  return { departments, members: memberOutcome, deletePct: Math.round(pct * 100) / 100, staged: staged.length };
}

function planOf(s: sq.SessionRow, r: Awaited<ReturnType<typeof applySession>>) {
  const needsReview = r.deletePct > s.delete_threshold_pct;
  return {
    Status: needsReview ? ("NEEDS_REVIEW" as const) : ("READY" as const),
    NeedsReview: needsReview,
    ThresholdPct: s.delete_threshold_pct,
    DeletePct: r.deletePct,
    DeleteAbsentCount: r.departments.absent,
    SourceDeptTotal: r.staged,
    DeptCreated: r.departments.Created,
    DeptUpdated: r.departments.Updated,
    DeptDeleted: r.departments.Deleted,
    DeptSkipped: r.departments.Skipped,
    DepartmentErrors: r.departments.Errors,
    MemberAdded: r.members.Added,
    MemberRemoved: r.members.Removed,
    MemberUnchanged: r.members.Unchanged,
    MemberErrors: r.members.Errors,
  };
}

async function recordJob(
  db: Parameters<typeof sq.insertJob>[0],
  deps: Pick<Deps, "clock">,
  k: q.PoolKey,
  s: sq.SessionRow,
  type: "VALIDATE" | "COMMIT",
  startedAt: Date,
) {
  const now = deps.clock.now();
  return sq.insertJob(db, {
    account_id: k.accountId,
    user_pool_uid: k.poolUid,
    uid: randomUUID(),
    session_uid: s.uid,
    source: s.source,
    type,
    status: "SUCCEEDED",
    started_at: startedAt,
    finished_at: now,
    created_at: now,
    updated_at: now,
  });
}

/** The plan: the commit's work run and rolled back. */
export async function validateSession(deps: Deps, accountId: string, input: SessionRef & { Source: string }) {
  const k = keyOf(accountId, input.UserPoolUid);
  const startedAt = deps.clock.now();
  const { s, plan } = await underTreeLock(deps, k, true, async (trx) => {
    const s = await openSession(trx, deps, k, input, true);
    return { s, plan: planOf(s, await applySession(trx, deps, k, s)) };
  });
  const job = await deps.db.transaction().execute(async (trx) => {
    await openSession(trx, deps, k, input, true);
    await sq.updateSession(trx, k, s.uid, { status: "VALIDATED", updated_at: deps.clock.now() });
    return recordJob(trx, deps, k, s, "VALIDATE", startedAt);
  });
  return { Plan: plan, Status: "VALIDATED", ValidateJobId: job.uid };
}

/** All or nothing: the changes, the session's state and the job row commit together. */
export async function commitSession(
  deps: Deps,
  accountId: string,
  input: SessionRef & { Source: string; AllowExceedDeleteThreshold?: boolean | undefined },
) {
  const k = keyOf(accountId, input.UserPoolUid);
  const startedAt = deps.clock.now();
  return underTreeLock(deps, k, false, async (trx) => {
    const s = await openSession(trx, deps, k, input, true);
    const r = await applySession(trx, deps, k, s);
    if (r.deletePct > s.delete_threshold_pct && !input.AllowExceedDeleteThreshold) {
      throw errors.invalidParameter(
        "AllowExceedDeleteThreshold",
        `the commit would delete ${r.deletePct}% of Source ${s.source}'s departments, above the session's threshold of ${s.delete_threshold_pct}%; set AllowExceedDeleteThreshold to commit anyway`,
      );
    }
    await sq.updateSession(trx, k, s.uid, { status: "COMMITTED", committed_at: deps.clock.now(), updated_at: deps.clock.now() });
    await sq.dropStaged(trx, k, s.uid);
    const job = await recordJob(trx, deps, k, s, "COMMIT", startedAt);
    const { existing: _e, absent: _a, ...departments } = r.departments;
    return { JobId: job.uid, Departments: departments, Members: r.members };
  });
}

export async function cancelSession(deps: Deps, accountId: string, input: SessionRef) {
  const k = keyOf(accountId, input.UserPoolUid);
  await deps.db.transaction().execute(async (trx) => {
    await parentPool(trx, accountId, k.poolUid, "share");
    await openSession(trx, deps, k, input, true);
    await sq.updateSession(trx, k, input.SessionId, { status: "CANCELLED", updated_at: deps.clock.now() });
    await sq.dropStaged(trx, k, input.SessionId);
  });
  return { Status: "CANCELLED" };
}

export async function getSession(deps: Pick<Deps, "db" | "clock">, accountId: string, input: SessionRef) {
  const k = keyOf(accountId, input.UserPoolUid);
  await parentPool(deps.db, accountId, k.poolUid, "read");
  const s = await sq.findSession(deps.db, k, input.SessionId);
  if (!s) throw sessionNotFound(input.SessionId);
  const counts = await sq.stagedCounts(deps.db, k, s.uid);
  return {
    SessionId: s.uid,
    UserPoolUid: s.user_pool_uid,
    Source: s.source,
    Status: statusOf(s, deps.clock.now()),
    DeleteThresholdPctSnapshot: s.delete_threshold_pct,
    ReceivedDepartments: counts.departments,
    ReceivedMemberships: counts.members,
    ErrorMessage: s.error_message,
    ExpiresAt: formatTime(s.expires_at),
    StartedAt: formatTime(s.created_at),
    CreatedAt: formatTime(s.created_at),
    UpdatedAt: formatTime(s.updated_at),
    CommittedAt: s.committed_at ? formatTime(s.committed_at) : "",
  };
}

const jobView = (j: sq.JobRow) => ({
  JobId: j.uid,
  SessionId: j.session_uid,
  UserPoolUid: j.user_pool_uid,
  Source: j.source,
  Type: j.type,
  Status: j.status,
  ErrorMessage: j.error_message,
  StartedAt: formatTime(j.started_at),
  FinishedAt: formatTime(j.finished_at),
  CreatedAt: formatTime(j.created_at),
  UpdatedAt: formatTime(j.updated_at),
});

export async function getJob(deps: Pick<Deps, "db">, accountId: string, input: { UserPoolUid: string; JobId: string }) {
  const k = keyOf(accountId, input.UserPoolUid);
  await parentPool(deps.db, accountId, k.poolUid, "read");
  const j = await sq.findJob(deps.db, k, input.JobId);
  if (!j) throw errors.notFound(`DepartmentSyncJob ${input.JobId}`);
  return jobView(j);
}

export async function listJobs(
  deps: Pick<Deps, "db">,
  accountId: string,
  input: { UserPoolUid: string; Source?: string | undefined; Limit?: number | undefined },
) {
  const k = keyOf(accountId, input.UserPoolUid);
  await parentPool(deps.db, accountId, k.poolUid, "read");
  return { Jobs: (await sq.listJobs(deps.db, k, input.Source || undefined, input.Limit ?? 50)).map(jobView) };
}
