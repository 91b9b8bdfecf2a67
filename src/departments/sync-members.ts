// Applying an outside source's memberships (BatchSyncDepartmentMembers, a sync session's commit):
// each mapping names a department by (Source, ExternalDepartmentID) and the members it must have;
// afterwards the department has exactly those, with their IsPrimary and Role. A mapping that cannot
// apply (no such department, a user not in the pool, a user's department quota) fails alone. The
// writes are set-based: three statements however many mappings and members.
import type { Transaction } from "kysely";
import type { AppDeps } from "../deps.js";
import type { Database } from "../platform/db/schema.js";
import type * as q from "./queries.js";
import * as sq from "./sync-queries.js";

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

/**
 * Decides every mapping in memory, in order, as if they ran one by one (a user's department count
 * and primary department follow the earlier mappings), then writes them set-based: one DELETE of
 * the removed memberships, one UPDATE clearing primary marks that moved, one upsert of the rest.
 */
export async function applyMembers(
  trx: Transaction<Database>,
  deps: Deps,
  k: q.PoolKey,
  source: string,
  mappings: Mapping[],
): Promise<MembersOutcome> {
  const departments = await sq.departmentsByExternalId(
    trx,
    k,
    source,
    mappings.map((m) => m.ExternalDepartmentID),
  );
  const allUsers = [...new Set(mappings.flatMap((m) => m.Members.map((x) => x.UserUid)))];
  const known = await sq.usersOfPool(trx, k, allUsers);
  const current = new Map<string, Map<string, sq.Membership>>();
  for (const m of await sq.membershipsOf(trx, k, [...departments.values()]))
    (current.get(m.department_uid) ?? current.set(m.department_uid, new Map()).get(m.department_uid)!).set(m.user_uid, m);
  const start = new Map(current);
  const touchedUsers = new Set(allUsers);
  for (const rows of current.values()) for (const u of rows.keys()) touchedUsers.add(u);
  // Each user's department count and primary department, as the mappings decided so far leave them.
  const state = await sq.usersMemberships(trx, k, [...touchedUsers]);
  const startPrimary = new Map([...state].map(([u, s]) => [u, s.primary]));
  const stateOf = (u: string) => state.get(u) ?? (state.set(u, { count: 0, primary: null }), state.get(u)!);

  const results: MappingResult[] = [];
  const removals: { d: string; u: string }[] = [];
  const finals = new Map<string, Map<string, { role: string }>>();
  const seen = new Set<string>();
  for (const m of mappings) {
    if (seen.has(m.ExternalDepartmentID)) {
      results.push(failed(m.ExternalDepartmentID, `ExternalDepartmentID ${m.ExternalDepartmentID} appears more than once`));
      continue;
    }
    seen.add(m.ExternalDepartmentID);
    const dept = departments.get(m.ExternalDepartmentID);
    if (!dept) {
      results.push(failed(m.ExternalDepartmentID, `no department of Source ${source} has ExternalID ${m.ExternalDepartmentID}`));
      continue;
    }
    const wanted = new Map<string, { isPrimary: boolean; role: string }>();
    for (const x of m.Members) wanted.set(x.UserUid, { isPrimary: x.IsPrimary ?? false, role: x.Role ?? "" });
    const unknown = [...wanted.keys()].find((u) => !known.has(u));
    if (unknown !== undefined) {
      results.push(failed(m.ExternalDepartmentID, `user ${unknown} is not a user of the pool`));
      continue;
    }
    const here = current.get(dept) ?? new Map<string, sq.Membership>();
    const isPrimaryHere = (u: string) => stateOf(u).primary === dept;
    const diffs: MemberDiff[] = [];
    let unchanged = 0;
    for (const [user, w] of wanted) {
      const c = here.get(user);
      if (!c)
        diffs.push({
          Action: "ADD",
          UserUid: user,
          BeforeIsPrimary: false,
          BeforeRole: "",
          AfterIsPrimary: w.isPrimary,
          AfterRole: w.role,
        });
      else if (isPrimaryHere(user) !== w.isPrimary || c.role !== w.role)
        diffs.push({
          Action: "UPDATE",
          UserUid: user,
          BeforeIsPrimary: isPrimaryHere(user),
          BeforeRole: c.role,
          AfterIsPrimary: w.isPrimary,
          AfterRole: w.role,
        });
      else unchanged++;
    }
    for (const [user, c] of here)
      if (!wanted.has(user))
        diffs.push({
          Action: "REMOVE",
          UserUid: user,
          BeforeIsPrimary: isPrimaryHere(user),
          BeforeRole: c.role,
          AfterIsPrimary: false,
          AfterRole: "",
        });
    const adds = diffs.filter((d) => d.Action === "ADD");
    const over = adds.find((d) => stateOf(d.UserUid).count + 1 > deps.config.quotas.departmentsPerUser);
    if (over) {
      results.push(
        failed(
          m.ExternalDepartmentID,
          `user ${over.UserUid} would be in more than ${deps.config.quotas.departmentsPerUser} departments (quota DepartmentsPerUser)`,
        ),
      );
      continue;
    }
    // Applied: the department's members are now exactly the wanted ones.
    for (const d of diffs) {
      const st = stateOf(d.UserUid);
      if (d.Action === "ADD") st.count++;
      if (d.Action === "REMOVE") {
        st.count--;
        removals.push({ d: dept, u: d.UserUid });
      }
    }
    for (const [user, w] of wanted) {
      const st = stateOf(user);
      if (w.isPrimary) st.primary = dept;
      else if (st.primary === dept) st.primary = null;
    }
    for (const user of here.keys()) if (!wanted.has(user) && stateOf(user).primary === dept) stateOf(user).primary = null;
    finals.set(dept, new Map([...wanted].map(([u, w]) => [u, { role: w.role }])));
    current.set(
      dept,
      new Map([...wanted].map(([u, w]) => [u, { department_uid: dept, user_uid: u, is_primary: w.isPrimary, role: w.role }])),
    );
    results.push({
      ExternalDepartmentID: m.ExternalDepartmentID,
      Status: "SUCCEEDED",
      Message: "",
      Added: adds.length,
      Removed: diffs.filter((d) => d.Action === "REMOVE").length,
      Unchanged: unchanged,
      MemberDiffs: diffs,
    });
  }

  await sq.deleteMemberships(trx, k, removals);
  await sq.clearPrimaries(
    trx,
    k,
    [...state].filter(([u, s]) => (startPrimary.get(u) ?? null) !== s.primary).map(([u, s]) => ({ u, d: s.primary })),
  );
  const rows: sq.Membership[] = [];
  for (const [dept, members] of finals)
    for (const [user, w] of members) {
      const row = { department_uid: dept, user_uid: user, is_primary: stateOf(user).primary === dept, role: w.role };
      const was = start.get(dept)?.get(user);
      // Only what is new or different: an unchanged membership is not rewritten.
      if (!was || was.is_primary !== row.is_primary || was.role !== row.role) rows.push(row);
    }
  await sq.upsertMemberships(trx, k, rows, deps.clock.now());

  const ok = results.filter((r) => r.Status === "SUCCEEDED");
  return {
    Added: ok.reduce((n, r) => n + r.Added, 0),
    Removed: ok.reduce((n, r) => n + r.Removed, 0),
    Unchanged: ok.reduce((n, r) => n + r.Unchanged, 0),
    Errors: results.filter((r) => r.Status === "FAILED").map((r) => `${r.ExternalDepartmentID}: ${r.Message}`),
    MappingResults: results,
  };
}
