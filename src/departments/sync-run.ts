// BatchUpsertDepartments and BatchSyncDepartmentMembers: one transaction under the tree lock; with
// DryRun the same work runs and is rolled back, so the answer is what a real run would do.
import type { Transaction } from "kysely";
import type { AppDeps } from "../deps.js";
import type { Database } from "../platform/db/schema.js";
import { lockTree } from "./lock.js";
import { applyDepartments, type SyncItem } from "./sync.js";
import { applyMembers, type Mapping } from "./sync-members.js";
import { keyOf } from "./tree.js";
import type * as q from "./queries.js";

type Deps = Pick<AppDeps, "db" | "config" | "clock">;

class DryRunDone<T> {
  constructor(readonly value: T) {}
}

/** Runs `work` in a transaction under the tree lock; a dry run rolls it back and answers the same. */
export async function underTreeLock<T>(
  deps: Deps,
  k: q.PoolKey,
  dryRun: boolean,
  work: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  try {
    return await deps.db.transaction().execute(async (trx) => {
      await lockTree(trx, k);
      const value = await work(trx);
      if (dryRun) throw new DryRunDone(value);
      return value;
    });
  } catch (err) {
    if (err instanceof DryRunDone) return err.value as T;
    throw err;
  }
}

export async function batchUpsertDepartments(
  deps: Deps,
  accountId: string,
  input: { UserPoolUid: string; Source: string; DryRun?: boolean | undefined; Departments: SyncItem[] },
) {
  const k = keyOf(accountId, input.UserPoolUid);
  const {
    existing: _e,
    absent: _a,
    ...outcome
  } = await underTreeLock(deps, k, input.DryRun ?? false, (trx) =>
    applyDepartments(trx, deps, k, input.Source, input.Departments, { deleteAbsent: false }),
  );
  return outcome;
}

export async function batchSyncDepartmentMembers(
  deps: Deps,
  accountId: string,
  input: {
    UserPoolUid: string;
    Source: string;
    DryRun?: boolean | undefined;
    Mappings: { ExternalDepartmentID: string; Members?: Mapping["Members"] | undefined; UserUids?: string[] | undefined }[];
  },
) {
  const k = keyOf(accountId, input.UserPoolUid);
  // UserUids are members without IsPrimary or Role; a user in both lists is taken from Members.
  const mappings: Mapping[] = input.Mappings.map((m) => {
    const listed = new Set((m.Members ?? []).map((x) => x.UserUid));
    return {
      ExternalDepartmentID: m.ExternalDepartmentID,
      Members: [...(m.Members ?? []), ...(m.UserUids ?? []).filter((u) => !listed.has(u)).map((UserUid) => ({ UserUid }))],
    };
  });
  return underTreeLock(deps, k, input.DryRun ?? false, (trx) => applyMembers(trx, deps, k, input.Source, mappings));
}
