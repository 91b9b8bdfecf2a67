// The tree's invariants under random operations (fast-check): after any sequence of creates, moves,
// deletes and membership changes through the API (directory sync's batches among them), refused or not, every department's Path,
// NamePath, ParentDepartmentUid and counts, as GetDepartment, BatchGetDepartments and
// GetDepartmentTree answer them, equal a recomputation from the raw rows, and no cycle exists.
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { expectedTree, TOP } from "../support/families/departments.js";
import { createPool, uniqueName } from "../support/families/user-pools.js";

let svc: TestService;
beforeAll(async () => {
  // Each run (and each shrinking step) takes a fresh pool.
  svc = await startTestService({ env: { ID_QUOTA_USER_POOLS: "100000" } });
});
afterAll(() => svc.close());

type Op =
  | { kind: "create"; parent: number }
  | { kind: "move"; dept: number; parent: number }
  | { kind: "rename"; dept: number }
  | { kind: "delete"; dept: number; children: boolean; policy: "Refuse" | "Remove" | "MoveToParent" }
  | { kind: "add"; dept: number; users: number[] }
  | { kind: "remove"; dept: number; users: number[] }
  | { kind: "change"; from: number; to: number; user: number }
  | { kind: "sync"; items: { ext: number; parent: number; del: boolean; name: number }[] }
  | { kind: "syncMembers"; mappings: { ext: number; users: number[]; primary: number }[] };

const idx = fc.nat(6);
const users = fc.uniqueArray(fc.nat(2), { minLength: 1, maxLength: 3 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("create" as const), parent: fc.integer({ min: -1, max: 6 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("move" as const), dept: idx, parent: fc.integer({ min: -1, max: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("rename" as const), dept: idx }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("delete" as const),
      dept: idx,
      children: fc.boolean(),
      policy: fc.constantFrom("Refuse" as const, "Remove" as const, "MoveToParent" as const),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("add" as const), dept: idx, users }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("remove" as const), dept: idx, users }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("change" as const), from: idx, to: idx, user: fc.nat(4) }) },
  // Directory sync over ExternalIDs e0..e4 of one Source: creates, moves (ExternalParentID -1 is the
  // top level), renames, deletes with subtrees; and exact member sets with a primary mark.
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("sync" as const),
      items: fc.array(
        fc.record({ ext: fc.nat(4), parent: fc.integer({ min: -1, max: 4 }), del: fc.nat(6).map((n) => n === 0), name: fc.nat(2) }),
        { minLength: 1, maxLength: 5 },
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("syncMembers" as const),
      mappings: fc.array(fc.record({ ext: fc.nat(4), users, primary: fc.integer({ min: -1, max: 2 }) }), { minLength: 1, maxLength: 3 }),
    }),
  },
);

it("keeps paths and counts equal to a recomputation after any sequence of operations", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 4, maxLength: 16 }), async (ops) => {
      const pool = await createPool(svc);
      const created = await svc.ok("CreateUsers", {
        UserPoolUid: pool,
        Users: Array.from({ length: 5 }, () => ({ Email: `${uniqueName("p")}@example.com` })),
      });
      const people: string[] = created.SuccessfulUids;
      const depts: string[] = [];
      // Index 6 names a department that does not exist; a deleted one stays in the list, NotFound too.
      const dept = (i: number) => (i === 6 ? "missing" : (depts[i % Math.max(depts.length, 1)] ?? "missing"));
      const parent = (i: number) => (i < 0 || depts.length === 0 ? TOP : dept(i));
      const ref = { UserPoolUid: pool };
      for (const o of ops) {
        let env: Awaited<ReturnType<TestService["call"]>>;
        if (o.kind === "create") {
          env = await svc.call("CreateDepartment", { ...ref, Name: `n${depts.length}`, ParentDepartmentUid: parent(o.parent) });
          if (codeOf(env) === "OK") depts.push(env.Result.Uid);
        } else if (o.kind === "move")
          env = await svc.call("UpdateDepartment", { ...ref, DepartmentUid: dept(o.dept), ParentDepartmentUid: parent(o.parent) });
        else if (o.kind === "rename") env = await svc.call("UpdateDepartment", { ...ref, DepartmentUid: dept(o.dept), Name: `r${o.dept}` });
        else if (o.kind === "delete")
          env = await svc.call("DeleteDepartment", {
            ...ref,
            DepartmentUid: dept(o.dept),
            ForceDeleteChildren: o.children,
            MemberPolicy: o.policy,
          });
        else if (o.kind === "add" || o.kind === "remove") {
          env = await svc.call(o.kind === "add" ? "AddUsersToDepartment" : "RemoveUsersFromDepartment", {
            ...ref,
            DepartmentUid: dept(o.dept),
            UserUids: o.users.map((u) => people[u]),
          });
        } else if (o.kind === "sync") {
          env = await svc.call("BatchUpsertDepartments", {
            ...ref,
            Source: "hr",
            Departments: o.items.map((i) =>
              i.del
                ? { ExternalID: `e${i.ext}`, Action: "DELETE" }
                : { ExternalID: `e${i.ext}`, Name: `s${i.name}`, ...(i.parent >= 0 && { ExternalParentID: `e${i.parent}` }) },
            ),
          });
          if (codeOf(env) === "OK") {
            const items = env.Result.Items as { Operation: string; Status: string; DepartmentUid: string }[];
            for (const i of items) if (i.Operation === "CREATE" && i.Status === "SUCCEEDED") depts.push(i.DepartmentUid);
          }
        } else if (o.kind === "syncMembers") {
          env = await svc.call("BatchSyncDepartmentMembers", {
            ...ref,
            Source: "hr",
            Mappings: o.mappings.map((m) => ({
              ExternalDepartmentID: `e${m.ext}`,
              Members: m.users.map((u, n) => ({ UserUid: people[u], IsPrimary: n === m.primary })),
            })),
          });
        } else
          env = await svc.call("ChangeUsersDepartment", {
            ...ref,
            OriginDepartmentUid: dept(o.from),
            NewDepartmentUid: dept(o.to),
            UserUids: [people[o.user]],
          });
        // Refusals are typed (never a 500).
        expect(codeOf(env)).toMatch(/^(OK|NotFound|InvalidParameter\.\w+)$/);
      }
      const expected = await expectedTree(svc, pool);
      const live = [...expected.keys()];
      if (live.length) {
        const batch = await svc.ok("BatchGetDepartments", { ...ref, DepartmentUids: live.slice(0, 100) });
        for (const uid of live) expect(batch.DepartmentsByUid[uid]).toMatchObject(expected.get(uid)!);
      }
      const tree = await svc.ok("GetDepartmentTree", { ...ref, RootDepartmentUid: TOP });
      const seen: string[] = [];
      const walk = (nodes: { Department: { Uid: string; MemberCount: number }; MemberCount: number; Children: never[] }[]) => {
        for (const n of nodes) {
          seen.push(n.Department.Uid);
          expect(n.Department).toMatchObject(expected.get(n.Department.Uid)!);
          expect(n.MemberCount).toBe(n.Department.MemberCount);
          walk(n.Children);
        }
      };
      walk(tree.Roots);
      expect(seen.sort()).toEqual(live.sort());
      // At most one primary membership per user (the partial unique index holds it; sync must not trip it).
      const primaries = await svc.deps.db
        .selectFrom("department_members")
        .select("user_uid")
        .where("user_pool_uid", "=", pool)
        .where("is_primary", "=", true)
        .execute();
      expect(new Set(primaries.map((p) => p.user_uid)).size).toBe(primaries.length);
      // Users' DepartmentUids agree with the memberships.
      const listed = await svc.ok("ListUsers", { ...ref, PageSize: 10 });
      for (const u of listed.Data as { Uid: string; DepartmentUids: string[] }[]) {
        const rows = await svc.deps.db
          .selectFrom("department_members")
          .select("department_uid")
          .where("user_pool_uid", "=", pool)
          .where("user_uid", "=", u.Uid)
          .execute();
        expect([...u.DepartmentUids].sort()).toEqual(rows.map((r) => r.department_uid).sort());
      }
    }),
    { numRuns: 20 },
  );
}, 600_000);
