// The tree as a sync run will leave it, in memory: each department's parent, starting from the
// current parents (read off the loaded rows' paths, which list every ancestor) and changed as the
// run decides moves, creates and deletes. The run asks it the questions the statements cannot
// answer one item at a time once writes are set-based: would this move make a cycle, how deep does
// this department sit, is this department already inside a deleted subtree.
import type { DepartmentRow } from "./queries.js";

export class TreeModel {
  /** uid -> parent uid (null: the top level), as the run leaves it. */
  private readonly parents = new Map<string, string | null>();
  private readonly deleted = new Set<string>();

  constructor(rows: Pick<DepartmentRow, "path">[]) {
    for (const r of rows) {
      const uids = r.path.split("/").filter(Boolean);
      uids.forEach((uid, i) => this.parents.set(uid, i === 0 ? null : uids[i - 1]!));
    }
  }

  parentOf(uid: string): string | null {
    return this.parents.get(uid) ?? null;
  }

  setParent(uid: string, parent: string | null): void {
    this.parents.set(uid, parent);
  }

  /** The department and its ancestors, bottom up (bounded: the model never holds a cycle). */
  private *chain(uid: string | null): Generator<string> {
    for (let u = uid, steps = 0; u !== null && steps <= this.parents.size; u = this.parentOf(u), steps++) yield u;
  }

  /** Levels from the top: a top-level department is 1, the top level itself (null) 0. */
  depthOf(uid: string | null): number {
    let n = 0;
    for (const _ of this.chain(uid)) n++;
    return n;
  }

  /** Whether `ancestor` is `uid` or above it. */
  isWithin(uid: string | null, ancestor: string): boolean {
    for (const u of this.chain(uid)) if (u === ancestor) return true;
    return false;
  }

  /** Whether any department of the given set is `uid` or above it. */
  hasAncestorIn(uid: string, set: Set<string>, strict = false): boolean {
    for (const u of this.chain(strict ? this.parentOf(uid) : uid)) if (set.has(u)) return true;
    return false;
  }

  markDeleted(uid: string): void {
    this.deleted.add(uid);
  }

  /** Gone with an earlier delete of it or of a department above it. */
  isDeleted(uid: string): boolean {
    return this.hasAncestorIn(uid, this.deleted);
  }
}
