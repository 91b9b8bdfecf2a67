// Custom attributes of a user pool end to end through the official SDK: create, update and delete,
// shown in GetUserPool; DataType/Mutability closed sets and the bounds each type has; names unique in
// a pool; the per-pool quota; gone with their pool; and the definitions the users family reads.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customAttributeActions } from "../../src/custom-attributes/actions.js";
import { customAttributesOf } from "../../src/custom-attributes/service.js";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { createCustomAttribute, createPool } from "../support/families/user-pools.js";

const outputOf = (name: string) => customAttributeActions.find((a) => a.name === name)!.output;
const QUOTA = 3;
let svc: TestService;

beforeAll(async () => {
  svc = await startTestService({ env: { ID_QUOTA_CUSTOM_ATTRIBUTES_PER_POOL: String(QUOTA) } });
});
afterAll(() => svc.close());

const attr = (UserPoolUid: string, fields: Record<string, unknown>) =>
  svc.call("CreateUserPoolCustomAttribute", { UserPoolUid, Name: "dept", DataType: "String", Mutability: "Mutable", ...fields });

describe("custom attributes", () => {
  it("creates, shows in GetUserPool, updates and deletes", async () => {
    const pool = await createPool(svc);
    const created = await svc.ok("CreateUserPoolCustomAttribute", {
      UserPoolUid: pool,
      Name: "level",
      DataType: "Number",
      Mutability: "Immutable",
      Minimum: 1,
      Maximum: 9,
    });
    outputOf("CreateUserPoolCustomAttribute").parse(created);
    expect(created).toEqual({
      Uid: expect.any(String),
      Name: "level",
      DataType: "Number",
      Mutability: "Immutable",
      Minimum: 1,
      Maximum: 9,
    });
    const flag = await svc.ok("CreateUserPoolCustomAttribute", {
      UserPoolUid: pool,
      Name: "vip",
      DataType: "Boolean",
      Mutability: "Mutable",
    });
    expect(flag).toMatchObject({ Minimum: 0, Maximum: 0 });

    const got = await svc.ok("GetUserPool", { UserPoolUid: pool });
    expect(got.CustomAttributes).toEqual([
      { ...created, CreateTime: expect.any(String), UpdateTime: expect.any(String) },
      { ...flag, CreateTime: expect.any(String), UpdateTime: expect.any(String) },
    ]);
    // A readonly key reads them, and only reads.
    expect((await svc.ok("GetUserPool", { UserPoolUid: pool }, { key: svc.readonly })).CustomAttributes).toHaveLength(2);
    expect(
      codeOf(
        await attr(pool, { Name: "ro" }).then(() =>
          svc.call("DeleteUserPoolCustomAttribute", { UserPoolUid: pool, Uid: created.Uid }, { key: svc.readonly }),
        ),
      ),
    ).toBe("AccessDenied");

    svc.clock.advance(5);
    const updated = await svc.ok("UpdateUserPoolCustomAttribute", {
      UserPoolUid: pool,
      Uid: created.Uid,
      Name: "grade",
      Mutability: "Mutable",
      Maximum: 20,
    });
    outputOf("UpdateUserPoolCustomAttribute").parse(updated);
    expect(updated).toEqual({ Uid: created.Uid, Name: "grade", DataType: "Number", Mutability: "Mutable", Minimum: 1, Maximum: 20 });
    const after = (await svc.ok("GetUserPool", { UserPoolUid: pool })).CustomAttributes[0];
    expect(after.UpdateTime > after.CreateTime).toBe(true);

    // The users family checks users' values against these.
    expect(await customAttributesOf(svc.deps.db, svc.accountId, pool)).toEqual([
      { Name: "grade", DataType: "Number", Mutability: "Mutable", Minimum: 1, Maximum: 20 },
      { Name: "vip", DataType: "Boolean", Mutability: "Mutable", Minimum: 0, Maximum: 0 },
      { Name: "ro", DataType: "String", Mutability: "Mutable", Minimum: 0, Maximum: 2048 },
    ]);

    expect(await svc.ok("DeleteUserPoolCustomAttribute", { UserPoolUid: pool, Uid: created.Uid })).toEqual({
      Message: `custom attribute ${created.Uid} deleted`,
    });
    expect(codeOf(await svc.call("DeleteUserPoolCustomAttribute", { UserPoolUid: pool, Uid: created.Uid }))).toBe("NotFound");
    expect(codeOf(await svc.call("UpdateUserPoolCustomAttribute", { UserPoolUid: pool, Uid: created.Uid, Maximum: 3 }))).toBe("NotFound");
    expect((await svc.ok("GetUserPool", { UserPoolUid: pool })).CustomAttributes.map((a: { Name: string }) => a.Name)).toEqual([
      "vip",
      "ro",
    ]);
  });

  it("keeps UpdateTime when an update changes nothing", async () => {
    const { UserPoolUid, Uid } = await createCustomAttribute(svc);
    const before = (await svc.ok("GetUserPool", { UserPoolUid })).CustomAttributes[0];
    svc.clock.advance(5);
    await svc.ok("UpdateUserPoolCustomAttribute", { UserPoolUid, Uid });
    expect((await svc.ok("GetUserPool", { UserPoolUid })).CustomAttributes[0]).toEqual(before);
  });

  it.each([
    ["an unknown DataType", { DataType: "Integer" }, "InvalidParameter.DataType"],
    ["an unknown Mutability", { Mutability: "ReadOnly" }, "InvalidParameter.Mutability"],
    ["a missing DataType", { DataType: undefined }, "MissingParameter.DataType"],
    ["a standard attribute's name", { Name: "Email" }, "InvalidParameter.Name"],
    ["the subject's name", { Name: "sub" }, "InvalidParameter.Name"],
    ["a name with a dash", { Name: "cost-center" }, "InvalidParameter.Name"],
    ["a name over 64", { Name: `a${"b".repeat(64)}` }, "InvalidParameter.Name"],
    ["bounds on a Boolean", { DataType: "Boolean", Minimum: 0 }, "InvalidParameter.Minimum"],
    ["bounds on a DateTime", { DataType: "DateTime", Maximum: 10 }, "InvalidParameter.Maximum"],
    ["a negative String length", { Minimum: -1 }, "InvalidParameter.Minimum"],
    ["a String longer than idplane keeps", { Maximum: 2049 }, "InvalidParameter.Maximum"],
    ["Minimum above Maximum", { DataType: "Number", Minimum: 5, Maximum: 4 }, "InvalidParameter.Minimum"],
    ["a bound beyond 32 bits", { DataType: "Number", Maximum: 2 ** 31 }, "InvalidParameter.Maximum"],
  ])("refuses %s", async (_what, fields, code) => {
    expect(codeOf(await attr(await createPool(svc), fields))).toBe(code);
  });

  it("checks updated bounds against the stored ones and the type", async () => {
    const { UserPoolUid, Uid } = await createCustomAttribute(svc, undefined, { Minimum: 2, Maximum: 10 });
    expect(codeOf(await svc.call("UpdateUserPoolCustomAttribute", { UserPoolUid, Uid, Maximum: 1 }))).toBe("InvalidParameter.Minimum");
    expect(codeOf(await svc.call("UpdateUserPoolCustomAttribute", { UserPoolUid, Uid, DataType: "Number" }))).toBe(
      "InvalidParameter.DataType",
    );
    const flag = await createCustomAttribute(svc, UserPoolUid, { DataType: "Boolean" });
    expect(codeOf(await svc.call("UpdateUserPoolCustomAttribute", { UserPoolUid, Uid: flag.Uid, Maximum: 1 }))).toBe(
      "InvalidParameter.Maximum",
    );
  });

  it("keeps names unique in a pool, case-insensitively, and free across pools", async () => {
    const pool = await createPool(svc);
    await attr(pool, { Name: "Dept" });
    expect(codeOf(await attr(pool, { Name: "dept" }))).toBe("Duplicated");
    const other = await attr(pool, { Name: "team" });
    expect(codeOf(await svc.call("UpdateUserPoolCustomAttribute", { UserPoolUid: pool, Uid: other.Result.Uid, Name: "DEPT" }))).toBe(
      "Duplicated",
    );
    expect(codeOf(await attr(await createPool(svc), { Name: "dept" }))).toBe("OK");
  });

  it("enforces the per-pool quota, and a delete frees a place", async () => {
    const pool = await createPool(svc);
    const made = [];
    for (let i = 0; i < QUOTA; i++) made.push((await attr(pool, { Name: `q${i}` })).Result.Uid);
    expect(codeOf(await attr(pool, { Name: "over" }))).toBe("QuotaExceeded");
    expect(codeOf(await attr(await createPool(svc), { Name: "over" }))).toBe("OK");
    await svc.ok("DeleteUserPoolCustomAttribute", { UserPoolUid: pool, Uid: made[0] });
    expect(codeOf(await attr(pool, { Name: "over" }))).toBe("OK");
  });

  it("goes with its pool, and a missing pool is NotFound for the pool", async () => {
    const { UserPoolUid } = await createCustomAttribute(svc);
    await svc.ok("DeleteUserPool", { UserPoolUid });
    const left = await svc.deps.db
      .selectFrom("user_pool_custom_attributes")
      .select("uid")
      .where("account_id", "=", svc.accountId)
      .where("user_pool_uid", "=", UserPoolUid)
      .execute();
    expect(left).toEqual([]);
    const env = await attr(UserPoolUid, {});
    expect(env.ResponseMetadata.Error).toMatchObject({ Code: "NotFound", Message: `resource UserPool ${UserPoolUid} does not exist` });
  });
});
