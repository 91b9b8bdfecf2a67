// Applying an outside source's memberships (BatchSyncDepartmentMembers, a sync session's commit):
// each mapping names a department by (Source, ExternalDepartmentID) and the members it must have;
// afterwards the department has exactly those, with their IsPrimary and Role. A mapping that cannot
// apply (no such department, a user not in the pool, a user's department quota) fails alone.
import type { Transaction } from "kysely";
import type { AppDeps } from "../deps.js";
import type { Database } from "../platform/db/schema.js";
import * as mq from "./member-queries.js";
import type * as q from "./queries.js";

type Deps = Pick<AppDeps, "config" | "clock">;

export interface Mapping {
  ExternalDepartmentID: string;
  Members: { UserUid: string; IsPrimary?: boolean | undefined; Role?: string | undefined }[];
}

export interface MemberDiff {
  Action: "ADD" | "REMOVE" | "UPDATE";
  UserUid: string;
  BeforeIsPrimary: boolean;
  BeforeRole: string;
  AfterIsPrimary: boolean;
  AfterRole: string;
}

export interface MappingResult {
  ExternalDepartmentID: string;
  Status: "SUCCEEDED" | "FAILED";
  Message: string;
  Added: number;
  Removed: number;
  Unchanged: number;
  MemberDiffs: MemberDiff[];
}

export interface MembersOutcome {
  Added: number;
  Removed: number;
  Unchanged: number;
  Errors: string[];
  MappingResults: MappingResult[];
}

const failed = (ExternalDepartmentID: string, Message: string): MappingResult => ({
  ExternalDepartmentID,
  Status: "FAILED",
  Message,
  Added: 0,
  Removed: 0,
  Unchanged: 0,
  MemberDiffs: [],
});

export async function applyMembers(
  trx: Transaction<Database>,
  deps: Deps,
  k: q.PoolKey,
  source: string,
  mappings: Mapping[],
): Promise<MembersOutcome> {
  const results: MappingResult[] = [];
  const seen = new Set<string>();
  for (const m of mappings) {
    if (seen.has(m.ExternalDepartmentID)) {
      results.push(failed(m.ExternalDepartmentID, `ExternalDepartmentID ${m.ExternalDepartmentID} appears more than once`));
      continue;
    }
    seen.add(m.ExternalDepartmentID);
    results.push(await applyOne(trx, deps, k, source, m));
  }
  const ok = results.filter((r) => r.Status === "SUCCEEDED");
  return {
    Added: ok.reduce((n, r) => n + r.Added, 0),
    Removed: ok.reduce((n, r) => n + r.Removed, 0),
    Unchanged: ok.reduce((n, r) => n + r.Unchanged, 0),
    Errors: results.filter((r) => r.Status === "FAILED").map((r) => `${r.ExternalDepartmentID}: ${r.Message}`),
    MappingResults: results,
  };
}

async function applyOne(trx: Transaction<Database>, deps: Deps, k: q.PoolKey, source: string, m: Mapping): Promise<MappingResult> {
  const dept = await trx
    .selectFrom("departments")
    .select("uid")
    .where("account_id", "=", k.accountId)
    .where("user_pool_uid", "=", k.poolUid)
    .where("source", "=", source)
    .where("external_id", "=", m.ExternalDepartmentID)
    .executeTakeFirst();
  if (!dept) return failed(m.ExternalDepartmentID, `no department of Source ${source} has ExternalID ${m.ExternalDepartmentID}`);
  const wanted = new Map<string, { isPrimary: boolean; role: string }>();
  for (const x of m.Members) wanted.set(x.UserUid, { isPrimary: x.IsPrimary ?? false, role: x.Role ?? "" });
  const known = await mq.existingUsers(trx, k, [...wanted.keys()]);
  const unknown = [...wanted.keys()].find((u) => !known.has(u));
  if (unknown !== undefined) return failed(m.ExternalDepartmentID, `user ${unknown} is not a user of the pool`);
  const current = new Map((await mq.membershipsIn(trx, k, dept.uid)).map((r) => [r.user_uid, r]));
  const diffs: MemberDiff[] = [];
  let unchanged = 0;
  for (const [user, w] of wanted) {
    const c = current.get(user);
    if (!c)
      diffs.push({ Action: "ADD", UserUid: user, BeforeIsPrimary: false, BeforeRole: "", AfterIsPrimary: w.isPrimary, AfterRole: w.role });
    else if (c.is_primary !== w.isPrimary || c.role !== w.role)
      diffs.push({
        Action: "UPDATE",
        UserUid: user,
        BeforeIsPrimary: c.is_primary,
        BeforeRole: c.role,
        AfterIsPrimary: w.isPrimary,
        AfterRole: w.role,
      });
    else unchanged++;
  }
  for (const [user, c] of current)
    if (!wanted.has(user))
      diffs.push({
        Action: "REMOVE",
        UserUid: user,
        BeforeIsPrimary: c.is_primary,
        BeforeRole: c.role,
        AfterIsPrimary: false,
        AfterRole: "",
      });
  const adds = diffs.filter((d) => d.Action === "ADD");
  const counts = await mq.departmentCounts(
    trx,
    k,
    adds.map((d) => d.UserUid),
  );
  const over = adds.find((d) => (counts.get(d.UserUid) ?? 0) + 1 > deps.config.quotas.departmentsPerUser);
  if (over)
    return failed(
      m.ExternalDepartmentID,
      `user ${over.UserUid} would be in more than ${deps.config.quotas.departmentsPerUser} departments (quota DepartmentsPerUser)`,
    );

  await mq.deleteMembers(
    trx,
    k,
    dept.uid,
    diffs.filter((d) => d.Action === "REMOVE").map((d) => d.UserUid),
  );
  // A user's primary mark moves here: cleared everywhere first (at most one primary membership per user).
  await mq.clearPrimary(
    trx,
    k,
    diffs.filter((d) => d.AfterIsPrimary && !d.BeforeIsPrimary).map((d) => d.UserUid),
  );
  for (const d of diffs.filter((x) => x.Action === "UPDATE"))
    await mq.updateMember(trx, k, dept.uid, d.UserUid, { is_primary: d.AfterIsPrimary, role: d.AfterRole });
  await mq.insertMembers(
    trx,
    k,
    adds.map((d) => ({ department: dept.uid, user: d.UserUid, isPrimary: d.AfterIsPrimary, role: d.AfterRole })),
    deps.clock.now(),
  );
  return {
    ExternalDepartmentID: m.ExternalDepartmentID,
    Status: "SUCCEEDED",
    Message: "",
    Added: adds.length,
    Removed: diffs.filter((d) => d.Action === "REMOVE").length,
    Unchanged: unchanged,
    MemberDiffs: diffs,
  };
}
