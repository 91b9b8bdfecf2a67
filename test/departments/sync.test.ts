// Directory sync end to end through the official SDK: BatchUpsertDepartments (parents first, moves,
// deletes, per-item results, DryRun) and BatchSyncDepartmentMembers (diffs, DryRun); sync sessions
// (upload in parts, validate, the delete threshold, commit, cancel, jobs).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { departmentActions } from "../../src/departments/actions.js";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { expectedTree } from "../support/families/departments.js";
import { createPool, uniqueName } from "../support/families/user-pools.js";

const outputOf = (name: string) => departmentActions.find((a) => a.name === name)!.output;
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

const SRC = "hr";
const byExternal = async (pool: string) => {
  const rows = await svc.deps.db
    .selectFrom("departments")
    .select(["uid", "external_id", "name", "parent_uid"])
    .where("user_pool_uid", "=", pool)
    .execute();
  const uidOf = new Map(rows.map((r) => [r.uid, r.external_id]));
  return Object.fromEntries(rows.map((r) => [r.external_id, { name: r.name, parent: r.parent_uid ? uidOf.get(r.parent_uid) : "" }]));
};
async function users(pool: string, n: number): Promise<string[]> {
  return (
    await svc.ok("CreateUsers", {
      UserPoolUid: pool,
      Users: Array.from({ length: n }, () => ({ Email: `${uniqueName("s")}@example.com` })),
    })
  ).SuccessfulUids;
}

describe("batch sync", () => {
  it("upserts parents before children, moves, deletes, and answers per item; DryRun changes nothing", async () => {
    const pool = await createPool(svc);
    const items = [
      { ExternalID: "eng-be", ExternalParentID: "eng", Name: "Backend" },
      { ExternalID: "eng", Name: "Engineering" },
      { ExternalID: "orphan", ExternalParentID: "nowhere", Name: "Orphan" },
      { ExternalID: "eng", Name: "Twice" },
    ];
    const dry = await svc.ok("BatchUpsertDepartments", { UserPoolUid: pool, Source: SRC, DryRun: true, Departments: items });
    outputOf("BatchUpsertDepartments").parse(dry);
    expect(dry).toMatchObject({ Created: 2, Updated: 0, Deleted: 0, Skipped: 0 });
    expect(dry.Items.map((i: { ExternalID: string; Status: string }) => `${i.ExternalID}:${i.Status}`)).toEqual([
      "eng-be:SUCCEEDED",
      "eng:SUCCEEDED",
      "orphan:FAILED",
      "eng:FAILED",
    ]);
    expect(await byExternal(pool)).toEqual({});

    const real = await svc.ok("BatchUpsertDepartments", { UserPoolUid: pool, Source: SRC, Departments: items });
    expect(real).toMatchObject({ Created: 2, Errors: [expect.stringContaining("orphan"), expect.stringContaining("eng")] });
    expect(real.Items[0].After).toMatchObject({ Name: "Backend", NamePath: "/Engineering/Backend", Source: SRC, ExternalID: "eng-be" });
    expect(await byExternal(pool)).toEqual({ eng: { name: "Engineering", parent: "" }, "eng-be": { name: "Backend", parent: "eng" } });

    const second = await svc.ok("BatchUpsertDepartments", {
      UserPoolUid: pool,
      Source: SRC,
      Departments: [
        { ExternalID: "ops", Name: "Ops" },
        { ExternalID: "eng-be", ExternalParentID: "ops", Name: "Backend" },
        { ExternalID: "eng", Name: "Engineering" },
      ],
    });
    expect(second).toMatchObject({ Created: 1, Updated: 1, Skipped: 1 });
    expect(second.Items[1]).toMatchObject({
      Operation: "UPDATE",
      Before: { NamePath: "/Engineering/Backend" },
      After: { NamePath: "/Ops/Backend" },
    });
    const del = await svc.ok("BatchUpsertDepartments", {
      UserPoolUid: pool,
      Source: SRC,
      Departments: [
        { ExternalID: "ops", Action: "DELETE" },
        { ExternalID: "gone", Action: "DELETE" },
      ],
    });
    expect(del).toMatchObject({ Deleted: 1, Skipped: 1 });
    expect(await byExternal(pool)).toEqual({ eng: { name: "Engineering", parent: "" } });
    // Another Source's ExternalIDs are its own.
    expect(
      (
        await svc.ok("BatchUpsertDepartments", {
          UserPoolUid: pool,
          Source: "ldap",
          Departments: [{ ExternalID: "eng", Name: "LDAP eng" }],
        })
      ).Created,
    ).toBe(1);
  });

  it("sets members exactly, with diffs; DryRun changes nothing", async () => {
    const pool = await createPool(svc);
    await svc.ok("BatchUpsertDepartments", {
      UserPoolUid: pool,
      Source: SRC,
      Departments: [
        { ExternalID: "a", Name: "A" },
        { ExternalID: "b", Name: "B" },
      ],
    });
    const [u1, u2, u3] = await users(pool, 3);
    const first = await svc.ok("BatchSyncDepartmentMembers", {
      UserPoolUid: pool,
      Source: SRC,
      Mappings: [
        { ExternalDepartmentID: "a", Members: [{ UserUid: u1, IsPrimary: true, Role: "lead" }], UserUids: [u2] },
        { ExternalDepartmentID: "zzz", UserUids: [u1] },
      ],
    });
    outputOf("BatchSyncDepartmentMembers").parse(first);
    expect(first).toMatchObject({ Added: 2, Removed: 0, Errors: [expect.stringContaining("zzz")] });
    const dry = await svc.ok("BatchSyncDepartmentMembers", {
      UserPoolUid: pool,
      Source: SRC,
      DryRun: true,
      Mappings: [{ ExternalDepartmentID: "a", Members: [{ UserUid: u1, Role: "ic" }, { UserUid: u3 }] }],
    });
    expect(dry).toMatchObject({ Added: 1, Removed: 1, Unchanged: 0 });
    expect(dry.MappingResults[0].MemberDiffs).toEqual(
      expect.arrayContaining([
        { Action: "UPDATE", UserUid: u1, BeforeIsPrimary: true, BeforeRole: "lead", AfterIsPrimary: false, AfterRole: "ic" },
        { Action: "ADD", UserUid: u3, BeforeIsPrimary: false, BeforeRole: "", AfterIsPrimary: false, AfterRole: "" },
        { Action: "REMOVE", UserUid: u2, BeforeIsPrimary: false, BeforeRole: "", AfterIsPrimary: false, AfterRole: "" },
      ]),
    );
    const aUid = (await svc.ok("ListDepartments", { UserPoolUid: pool, ParentDepartmentUid: "0", Filter: { ExternalID: "a" } })).Data[0]
      .Uid;
    expect((await svc.ok("ListDepartmentMembers", { UserPoolUid: pool, DepartmentUid: aUid })).TotalCount).toBe(2);
    expect(
      codeOf(
        await svc.call("BatchSyncDepartmentMembers", {
          UserPoolUid: pool,
          Source: SRC,
          Mappings: [{ ExternalDepartmentID: "b", UserUids: ["nobody"] }],
        }),
      ),
    ).toBe("OK");
  });
});

describe("batch sync limits and order", () => {
  it("moves a primary mark as mappings in order would, and refuses oversized calls with typed errors", async () => {
    const pool = await createPool(svc);
    await svc.ok("BatchUpsertDepartments", {
      UserPoolUid: pool,
      Source: SRC,
      Departments: ["a", "b", "c"].map((x) => ({ ExternalID: x, Name: x.toUpperCase() })),
    });
    const [u1, u2] = (await users(pool, 2)) as [string, string];
    const primaryOf = async (user: string) =>
      (await svc.ok("ListDepartmentsForUser", { UserPoolUid: pool, UserUid: user })).Departments.filter(
        (d: { IsPrimary: boolean }) => d.IsPrimary,
      ).map((d: { Department: { ExternalID: string } }) => d.Department.ExternalID);
    await svc.ok("BatchSyncDepartmentMembers", {
      UserPoolUid: pool,
      Source: SRC,
      Mappings: [{ ExternalDepartmentID: "a", Members: [{ UserUid: u1, IsPrimary: true }] }],
    });
    // b takes u1's mark from a; then c's mapping keeps u1 plain; a's later mapping (unchanged as it
    // was before the call) takes the mark back, as it would run after b's.
    const r = await svc.ok("BatchSyncDepartmentMembers", {
      UserPoolUid: pool,
      Source: SRC,
      Mappings: [
        {
          ExternalDepartmentID: "b",
          Members: [
            { UserUid: u1, IsPrimary: true },
            { UserUid: u2, IsPrimary: true },
          ],
        },
        { ExternalDepartmentID: "c", Members: [{ UserUid: u1 }, { UserUid: u2, IsPrimary: true }] },
        { ExternalDepartmentID: "a", Members: [{ UserUid: u1, IsPrimary: true }] },
      ],
    });
    expect(r.MappingResults.map((m: { MemberDiffs: { Action: string }[] }) => m.MemberDiffs.map((d) => d.Action).join())).toEqual([
      "ADD,ADD",
      "ADD,ADD",
      "UPDATE",
    ]);
    expect(r.MappingResults[2].MemberDiffs[0]).toMatchObject({ BeforeIsPrimary: false, AfterIsPrimary: true });
    expect(await primaryOf(u1)).toEqual(["a"]);
    expect(await primaryOf(u2)).toEqual(["c"]);

    // Upstream sets no count on these arrays; idplane's per-call caps answer typed errors.
    const many = Array.from({ length: 1001 }, (_, i) => ({ ExternalID: `x${i}`, Name: `X${i}` }));
    expect(codeOf(await svc.call("BatchUpsertDepartments", { UserPoolUid: pool, Source: SRC, Departments: many }))).toMatch(
      /^InvalidParameter\.Departments/,
    );
    const tooManyUsers = Array.from({ length: 10_001 }, (_, i) => `u${i}`);
    expect(
      codeOf(
        await svc.call("BatchSyncDepartmentMembers", {
          UserPoolUid: pool,
          Source: SRC,
          Mappings: [{ ExternalDepartmentID: "a", UserUids: tooManyUsers }],
        }),
      ),
    ).toMatch(/^InvalidParameter\.Mappings/);
    const s = await svc.ok("CreateDepartmentSyncSession", { UserPoolUid: pool, Source: SRC });
    expect(
      codeOf(
        await svc.call("UploadDepartmentSyncDepartments", { UserPoolUid: pool, SessionId: s.SessionId, Source: SRC, Departments: many }),
      ),
    ).toMatch(/^InvalidParameter\.Departments/);
  });
});

describe("sync sessions", () => {
  it("stages in parts, validates, refuses a commit past the delete threshold, commits all at once", async () => {
    const pool = await createPool(svc);
    const initial = Array.from({ length: 10 }, (_, i) => ({
      ExternalID: `d${i}`,
      Name: `D${i}`,
      ...(i > 0 && { ExternalParentID: "d0" }),
    }));
    await svc.ok("BatchUpsertDepartments", { UserPoolUid: pool, Source: SRC, Departments: initial });
    const [u1, u2] = (await users(pool, 2)) as [string, string];

    const s = await svc.ok("CreateDepartmentSyncSession", { UserPoolUid: pool, Source: SRC });
    outputOf("CreateDepartmentSyncSession").parse(s);
    const ref = { UserPoolUid: pool, SessionId: s.SessionId, Source: SRC };
    // The new state: d0..d6 (d7-d9 absent: 30% of the Source, above the 20% threshold), d6 renamed, a new d10 under d1.
    expect(await svc.ok("UploadDepartmentSyncDepartments", { ...ref, Departments: initial.slice(0, 4) })).toEqual({
      Received: 4,
      Total: 4,
    });
    expect(
      await svc.ok("UploadDepartmentSyncDepartments", {
        ...ref,
        Departments: [
          ...initial.slice(4, 6),
          { ExternalID: "d6", ExternalParentID: "d0", Name: "Six" },
          { ExternalID: "d10", ExternalParentID: "d1", Name: "Ten" },
        ],
      }),
    ).toEqual({ Received: 4, Total: 8 });
    expect(
      await svc.ok("UploadDepartmentSyncMembers", {
        ...ref,
        Members: [
          { DepartmentExternalID: "d1", UserUids: [u1, u2] },
          { DepartmentExternalID: "d10", IsPrimary: true, UserUids: [u1] },
        ],
      }),
    ).toEqual({ Received: 3, Total: 3 });
    expect(await svc.ok("GetDepartmentSyncSession", { UserPoolUid: pool, SessionId: s.SessionId })).toMatchObject({
      Status: "OPEN",
      ReceivedDepartments: 8,
      ReceivedMemberships: 3,
      DeleteThresholdPctSnapshot: 20,
      Source: SRC,
      CommittedAt: "",
    });

    const v = await svc.ok("ValidateDepartmentSyncSession", ref);
    outputOf("ValidateDepartmentSyncSession").parse(v);
    expect(v).toMatchObject({
      Status: "VALIDATED",
      Plan: {
        Status: "NEEDS_REVIEW",
        NeedsReview: true,
        DeleteAbsentCount: 3,
        DeletePct: 30,
        DeptCreated: 1,
        DeptUpdated: 1,
        DeptDeleted: 3,
        MemberAdded: 3,
        ThresholdPct: 20,
      },
    });
    expect(Object.keys(await byExternal(pool)).sort()).toEqual(initial.map((d) => d.ExternalID).sort());
    expect(await svc.ok("GetDepartmentSyncJob", { UserPoolUid: pool, JobId: v.ValidateJobId })).toMatchObject({
      Type: "VALIDATE",
      Status: "SUCCEEDED",
      SessionId: s.SessionId,
    });

    const refused = await svc.call("CommitDepartmentSyncSession", ref);
    expect(codeOf(refused)).toBe("InvalidParameter.AllowExceedDeleteThreshold");
    expect(Object.keys(await byExternal(pool))).toHaveLength(10);
    const committed = await svc.ok("CommitDepartmentSyncSession", { ...ref, AllowExceedDeleteThreshold: true });
    outputOf("CommitDepartmentSyncSession").parse(committed);
    expect(committed).toMatchObject({ Departments: { Created: 1, Updated: 1, Deleted: 3 }, Members: { Added: 3 } });
    const after = await byExternal(pool);
    expect(Object.keys(after).sort()).toEqual(["d0", "d1", "d10", "d2", "d3", "d4", "d5", "d6"]);
    expect(after.d6).toEqual({ name: "Six", parent: "d0" });
    expect((await svc.ok("GetUser", { UserPoolUid: pool, UserUid: u1 })).DepartmentUids).toHaveLength(2);
    for (const [uid, want] of await expectedTree(svc, pool))
      expect(await svc.ok("GetDepartment", { UserPoolUid: pool, DepartmentUid: uid })).toMatchObject(want);

    expect(await svc.ok("GetDepartmentSyncSession", { UserPoolUid: pool, SessionId: s.SessionId })).toMatchObject({
      Status: "COMMITTED",
      CommittedAt: expect.any(String),
    });
    expect(codeOf(await svc.call("CommitDepartmentSyncSession", ref))).toBe("InvalidParameter.SessionId");
    const jobs = await svc.ok("ListDepartmentSyncJobs", { UserPoolUid: pool, Source: SRC }, { key: svc.readonly });
    expect(jobs.Jobs.map((j: { Type: string }) => j.Type)).toEqual(["COMMIT", "VALIDATE"]);
  });

  it("cancels, expires, and keeps the Source to the session's", async () => {
    const pool = await createPool(svc);
    const s = await svc.ok("CreateDepartmentSyncSession", { UserPoolUid: pool, Source: SRC });
    const ref = { UserPoolUid: pool, SessionId: s.SessionId };
    expect(
      codeOf(await svc.call("UploadDepartmentSyncDepartments", { ...ref, Source: "other", Departments: [{ ExternalID: "x", Name: "X" }] })),
    ).toBe("InvalidParameter.Source");
    expect(await svc.ok("CancelDepartmentSyncSession", ref)).toEqual({ Status: "CANCELLED" });
    expect(
      codeOf(await svc.call("UploadDepartmentSyncDepartments", { ...ref, Source: SRC, Departments: [{ ExternalID: "x", Name: "X" }] })),
    ).toBe("InvalidParameter.SessionId");
    const late = await svc.ok("CreateDepartmentSyncSession", { UserPoolUid: pool, Source: SRC });
    // A day later (the service's clock also signs requests, so the session is aged instead).
    await svc.deps.db
      .updateTable("department_sync_sessions")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("uid", "=", late.SessionId)
      .execute();
    expect((await svc.ok("GetDepartmentSyncSession", { UserPoolUid: pool, SessionId: late.SessionId })).Status).toBe("EXPIRED");
    expect(codeOf(await svc.call("CommitDepartmentSyncSession", { UserPoolUid: pool, SessionId: late.SessionId, Source: SRC }))).toBe(
      "InvalidParameter.SessionId",
    );
    expect(codeOf(await svc.call("GetDepartmentSyncSession", { UserPoolUid: pool, SessionId: "missing" }))).toBe("NotFound");
  });
});
