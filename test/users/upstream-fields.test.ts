// Users in upstream's (Volcengine id) shape, through the official SDK: the OIDC profile, Sub, the
// fields about things idplane does not have, custom attributes, the batch results of CreateUsers and
// UpdateUsers, and ListUsers' filters, sorts, cursor and masks. Runs on Postgres and on PGlite.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userActions } from "../../src/users/actions.js";
import { applyCustomAttributes, type CustomAttributeDefinition } from "../../src/users/custom-attributes.js";
import { ApiError } from "../../src/core/errors.js";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { callPatiently, newPool, newUser } from "../support/families/users.js";

const outputOf = (name: string) => userActions.find((a) => a.name === name)!.output;
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

const PROFILE = {
  Picture: "https://cdn.example.com/ada.png",
  Profile: "http://example.com/~ada#about",
  Website: "https://ada.example.org/",
  Gender: "female",
  Birthdate: "1815-12-10",
  Zoneinfo: "Europe/London",
  Locale: "en-GB",
};
const EMPTY_ELSEWHERE = {
  NumLogins: 0,
  LatestLogin: "",
  LatestLoginMethod: "",
  LatestLoginConnectionName: "",
  LatestLoginConnectionProvider: "",
  LatestLoginConnectionType: "",
  LatestBrowser: "",
  Connection: "",
  GroupUids: [],
  DepartmentUids: [],
  ExternalIdentities: [],
  CustomAttributes: [],
};

describe("the user's upstream fields", () => {
  it("round-trips the OIDC profile through Create, Get, List and Update; Sub is the Uid; the rest is empty", async () => {
    const pool = await newPool(svc);
    const user = await svc.ok("CreateUser", { UserPoolUid: pool, Email: "ada@example.com", ...PROFILE });
    outputOf("CreateUser").parse(user);
    expect(user).toMatchObject({ ...PROFILE, ...EMPTY_ELSEWHERE, Sub: user.Uid });
    expect(await svc.ok("GetUser", { UserPoolUid: pool, UserUid: user.Uid })).toEqual(user);
    expect((await svc.ok("ListUsers", { UserPoolUid: pool })).Data).toEqual([user]);
    const changed = await svc.ok("UpdateUser", {
      UserPoolUid: pool,
      UserUid: user.Uid,
      Zoneinfo: "Asia/Shanghai",
      Birthdate: "0000-02-29",
      Website: "",
    });
    expect(changed).toMatchObject({ ...PROFILE, Zoneinfo: "Asia/Shanghai", Birthdate: "0000-02-29", Website: "", Sub: user.Uid });
    const batch = await svc.ok("CreateUsers", {
      UserPoolUid: pool,
      Users: [{ PreferredUsername: "babbage", Birthdate: "1791", Locale: "zh-Hans-CN" }],
    });
    expect(await svc.ok("GetUser", { UserPoolUid: pool, UserUid: batch.SuccessfulUids[0] })).toMatchObject({
      Birthdate: "1791",
      Locale: "zh-Hans-CN",
      Picture: "",
    });
  });

  it("refuses a malformed profile field, naming it", async () => {
    const pool = await newPool(svc);
    const bad: [string, string][] = [
      ["Picture", "javascript:alert(1)"],
      ["Profile", "https://user:pw@example.com/"],
      ["Website", "example.com"],
      ["Website", "https://a b.example/"],
      ["Birthdate", "2023-02-29"],
      ["Birthdate", "10/12/1815"],
      ["Birthdate", "1815-13-01"],
      ["Zoneinfo", "Mars/Olympus"],
      ["Zoneinfo", "+01:00"],
      ["Locale", "not a locale"],
      ["Locale", "en_US!"],
      ["Gender", "f\u0007"],
    ];
    for (const [field, value] of bad) {
      expect([field, value, codeOf(await svc.call("CreateUser", { UserPoolUid: pool, Email: "x@example.com", [field]: value }))]).toEqual([
        field,
        value,
        `InvalidParameter.${field}`,
      ]);
    }
    const { uid } = await newUser(svc, pool);
    expect(codeOf(await svc.call("UpdateUser", { UserPoolUid: pool, UserUid: uid, Zoneinfo: "Nowhere/City" }))).toBe(
      "InvalidParameter.Zoneinfo",
    );
  });
});

describe("custom attributes", () => {
  const defs: CustomAttributeDefinition[] = [
    { Name: "plan", DataType: "String", Mutability: "Mutable", Minimum: 2, Maximum: 8 },
    { Name: "seats", DataType: "Number", Mutability: "Mutable", Minimum: 1, Maximum: 100 },
    { Name: "employeeId", DataType: "String", Mutability: "Immutable" },
    { Name: "beta", DataType: "Boolean", Mutability: "MUTABLE" },
  ];
  const apply = (current: Record<string, string>, upserts: { Name: string; Value: string }[]) => {
    const r = applyCustomAttributes(defs, current, upserts);
    return r instanceof ApiError ? r.message : r;
  };

  it("checks each value against the pool's definition: DataType, Minimum, Maximum, Mutability", () => {
    expect(
      apply({}, [
        { Name: "plan", Value: "gold" },
        { Name: "SEATS", Value: "3" },
        { Name: "beta", Value: "true" },
        { Name: "employeeId", Value: "E1" },
      ]),
    ).toEqual({ plan: "gold", seats: "3", beta: "true", employeeId: "E1" });
    expect(apply({}, [{ Name: "plan", Value: "g" }])).toMatch(/shorter than its Minimum of 2/);
    expect(apply({}, [{ Name: "plan", Value: "platinum+" }])).toMatch(/longer than its Maximum of 8/);
    expect(apply({}, [{ Name: "seats", Value: "lots" }])).toMatch(/must be a number/);
    expect(apply({}, [{ Name: "seats", Value: "101" }])).toMatch(/above its Maximum of 100/);
    expect(apply({}, [{ Name: "beta", Value: "yes" }])).toMatch(/"true" or "false"/);
    expect(apply({}, [{ Name: "color", Value: "red" }])).toMatch(/no custom attribute "color"/);
    expect(apply({ employeeId: "E1" }, [{ Name: "employeeId", Value: "E2" }])).toMatch(/Immutable and already set/);
    expect(apply({ employeeId: "E1" }, [{ Name: "employeeId", Value: "" }])).toMatch(/Immutable/);
    expect(apply({ employeeId: "E1", plan: "gold" }, [{ Name: "plan", Value: "" }])).toEqual({ employeeId: "E1" });
  });

  it("refuses values for attributes the pool does not define, and returns stored values as [{Name, Value}]", async () => {
    const pool = await newPool(svc);
    const env = await svc.call("CreateUser", {
      UserPoolUid: pool,
      Email: "c@example.com",
      CustomAttributesToUpsert: [{ Name: "plan", Value: "gold" }],
    });
    expect(codeOf(env)).toBe("InvalidParameter.CustomAttributesToUpsert");
    expect(env.ResponseMetadata.Error!.Message).toMatch(/no custom attribute "plan"/);
    const twice = await svc.call("CreateUser", {
      UserPoolUid: pool,
      Email: "c@example.com",
      CustomAttributesToUpsert: [
        { Name: "a", Value: "1" },
        { Name: "A", Value: "2" },
      ],
    });
    expect(codeOf(twice)).toBe("InvalidParameter.CustomAttributesToUpsert");
    const { uid } = await newUser(svc, pool);
    await svc.deps.db
      .updateTable("users")
      .set({ custom_attributes: { seats: "3", plan: "gold" } })
      .where("uid", "=", uid)
      .execute();
    expect((await svc.ok("GetUser", { UserPoolUid: pool, UserUid: uid })).CustomAttributes).toEqual([
      { Name: "plan", Value: "gold" },
      { Name: "seats", Value: "3" },
    ]);
    // An update without CustomAttributesToUpsert keeps them.
    expect((await svc.ok("UpdateUser", { UserPoolUid: pool, UserUid: uid, Nickname: "n" })).CustomAttributes).toHaveLength(2);
  });
});

describe("batch results in upstream's shape", () => {
  it("CreateUsers: SuccessfulUidsStructured, ErrorType, and the uid holding a duplicated identifier", async () => {
    const pool = await newPool(svc);
    const holder = await newUser(svc, pool, { Email: "taken@example.com" });
    const r = await svc.ok("CreateUsers", {
      UserPoolUid: pool,
      Users: [
        { Email: "a@example.com" },
        { Email: "TAKEN@example.com" },
        { Email: "A@example.com" },
        { Birthdate: "x", Email: "b@example.com" },
      ],
    });
    outputOf("CreateUsers").parse(r);
    expect(r.SuccessfulUidsStructured).toEqual([{ Index: 0, Uid: r.SuccessfulUids[0], ExternalProviderUserIdentifier: "" }]);
    expect(r.ErrorsStructured.map((e: Record<string, unknown>) => [e.Index, e.ErrorType, e.Field, e.DuplicatedUserUid])).toEqual([
      [1, "Duplicated", "Email", holder.uid],
      [2, "Duplicated", "Email", ""],
      [3, "InvalidParameter", "Birthdate", ""],
    ]);
    expect(r).toMatchObject({ SuccessCount: 1, FailureCount: 3 });
  });

  it("UpdateUsers: each item is UpdateUser on its own; one bad item never blocks the others", async () => {
    const pool = await newPool(svc);
    const a = await newUser(svc, pool, { Nickname: "a0" });
    const b = await newUser(svc, pool, { Nickname: "b0" });
    const c = await newUser(svc, pool);
    const r = await svc.ok("UpdateUsers", {
      UserPoolUid: pool,
      Users: [
        { UserUid: a.uid, Nickname: "a1", Locale: "fr" },
        { UserUid: "ghost", Nickname: "x" },
        { UserUid: b.uid, Email: c.email.toUpperCase() },
        { UserUid: b.uid, Zoneinfo: "Not/AZone" },
        "not an object",
        { Nickname: "no uid" },
        { UserUid: b.uid, Nickname: "b1", UserState: "DISABLED" },
        { UserUid: c.uid, Email: "" },
      ],
    });
    outputOf("UpdateUsers").parse(r);
    expect(r).toMatchObject({ SuccessCount: 2, FailureCount: 6, SuccessfulUids: [a.uid, b.uid] });
    expect(r.SuccessfulUidsStructured).toEqual([
      { Index: 0, Uid: a.uid },
      { Index: 6, Uid: b.uid },
    ]);
    expect(r.ErrorsStructured.map((e: Record<string, unknown>) => [e.Index, e.Code, e.Field, e.DuplicatedUserUid])).toEqual([
      [1, "NotFound", "UserUid", ""],
      [2, "Duplicated", "Email", c.uid],
      [3, "InvalidParameter.Zoneinfo", "Zoneinfo", ""],
      [4, "InvalidParameter.Users", "Users", ""],
      [5, "MissingParameter.UserUid", "UserUid", ""],
      [7, "InvalidParameter.Email", "Email", ""],
    ]);
    expect(await svc.ok("GetUser", { UserPoolUid: pool, UserUid: a.uid })).toMatchObject({ Nickname: "a1", Locale: "fr" });
    expect(await svc.ok("GetUser", { UserPoolUid: pool, UserUid: b.uid })).toMatchObject({
      Nickname: "b1",
      UserState: "DISABLED",
      Email: b.email,
    });
    expect(await svc.ok("GetUser", { UserPoolUid: pool, UserUid: c.uid })).toMatchObject({ Email: c.email });
    // Password is not an UpdateUsers field upstream: like any unknown parameter, it refuses the call.
    expect(codeOf(await svc.call("UpdateUsers", { UserPoolUid: pool, Users: [{ UserUid: a.uid, Password: "not in a batch" }] }))).toBe(
      "InvalidParameter.Users.Password",
    );
  });

  it("UpdateUsers: at most 100 items, the pool must exist, and a readonly key may not call it", { timeout: 120_000 }, async () => {
    const pool = await newPool(svc);
    const { uid } = await newUser(svc, pool);
    const items = Array.from({ length: 101 }, () => ({ UserUid: uid, Nickname: "n" }));
    expect(codeOf(await svc.call("UpdateUsers", { UserPoolUid: pool, Users: items }))).toBe("InvalidParameter.Users");
    expect(codeOf(await svc.call("UpdateUsers", { UserPoolUid: pool, Users: [] }))).toBe("MissingParameter.Users");
    // 100 transactions: give a busy machine (or PGlite's one connection) more than the SDK's 10 s.
    expect((await callPatiently(svc, "UpdateUsers", { UserPoolUid: pool, Users: items.slice(1) })).Result!.SuccessCount).toBe(100);
    expect(codeOf(await svc.call("UpdateUsers", { UserPoolUid: "no-such-pool", Users: [{ UserUid: uid, Nickname: "x" }] }))).toBe(
      "NotFound",
    );
    expect(
      codeOf(await svc.call("UpdateUsers", { UserPoolUid: pool, Users: [{ UserUid: uid, Nickname: "x" }] }, { key: svc.readonly })),
    ).toBe("AccessDenied");
    await svc.ok("GetUser", { UserPoolUid: pool, UserUid: uid, ResponseValueMask: { Email: true } }, { key: svc.readonly });
  });
});
