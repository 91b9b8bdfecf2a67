// ListUsers' Filter.CustomAttributeFilter and the other Filter keys of issue 11 that idplane answers
// from what it stores (EmailPhoneNameIsNullOrEmpty) or from what it has not got (no sign-ins, no
// departments). Through the official SDK, on Postgres and on PGlite.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userActions } from "../../src/users/actions.js";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { createPool } from "../support/families/user-pools.js";

let svc: TestService;
let pool: string;
const uidOf: Record<string, string> = {};
const SEED: [string, Record<string, unknown>, Record<string, string>][] = [
  ["ann", { Email: "ann@example.com" }, { plan: "Gold", level: "7", vip: "true", since: "2024-01-01T00:00:00Z" }],
  ["bob", { Email: "bob@example.com" }, { plan: "gold-plus", level: "10", vip: "false", since: "2025-06-01T12:00:00+02:00" }],
  ["cy", { Name: "Cy" }, { plan: "Silver", level: "2" }],
  ["dee", {}, {}],
];

beforeAll(async () => {
  svc = await startTestService();
  pool = await createPool(svc);
  const define = (p: Record<string, unknown>) =>
    svc.ok("CreateUserPoolCustomAttribute", { UserPoolUid: pool, Mutability: "Mutable", ...p });
  await define({ Name: "plan", DataType: "String" });
  await define({ Name: "level", DataType: "Number" });
  await define({ Name: "vip", DataType: "Boolean" });
  await define({ Name: "since", DataType: "DateTime" });
  for (const [name, fields, attrs] of SEED) {
    const u = await svc.ok("CreateUser", {
      UserPoolUid: pool,
      PreferredUsername: name,
      ...fields,
      CustomAttributesToUpsert: Object.entries(attrs).map(([Name, Value]) => ({ Name, Value })),
    });
    uidOf[name] = u.Uid;
  }
});
afterAll(() => svc.close());

const listOutput = userActions.find((a) => a.name === "ListUsers")!.output;
async function names(Filter: Record<string, unknown>): Promise<string[]> {
  const page = listOutput.parse(await svc.ok("ListUsers", { UserPoolUid: pool, PageSize: 100, Filter })) as {
    Data: { Uid: string }[];
    TotalCount: number;
  };
  const found = page.Data.map((u) => Object.keys(uidOf).find((n) => uidOf[n] === u.Uid)!).sort();
  expect(page.TotalCount).toBe(found.length);
  return found;
}
const cond = (Name: string, Operator: string, Value?: string) => ({ Name, Operator, ...(Value !== undefined && { Value }) });

describe("Filter.CustomAttributeFilter", () => {
  it("compares each DataType as its type: text case-insensitively, numbers as numbers, times as instants", async () => {
    const cases: [unknown, string[]][] = [
      [{ Conditions: [cond("plan", "Equal", "gold")] }, ["ann"]],
      [{ Conditions: [cond("PLAN", "StartsWith", "GOLD")] }, ["ann", "bob"]],
      [{ Conditions: [cond("plan", "Contains", "il")] }, ["cy"]],
      // Numbers as numbers: "10" > "7" although "10" < "7" as text.
      [{ Conditions: [cond("level", "GreaterThan", "7")] }, ["bob"]],
      [{ Conditions: [cond("level", "GreaterThanOrEqual", "7")] }, ["ann", "bob"]],
      [{ Conditions: [cond("level", "LessThan", "7.5")] }, ["ann", "cy"]],
      [{ Conditions: [cond("vip", "Equal", "true")] }, ["ann"]],
      // NotEqual also matches users without a value.
      [{ Conditions: [cond("vip", "NotEqual", "true")] }, ["bob", "cy", "dee"]],
      // Instants, whatever the offset: 2025-06-01T12:00+02:00 is 10:00Z.
      [{ Conditions: [cond("since", "GreaterThan", "2025-06-01T10:30:00Z")] }, []],
      [{ Conditions: [cond("since", "LessThanOrEqual", "2025-06-01T10:00:00Z")] }, ["ann", "bob"]],
      [{ Conditions: [cond("level", "IsNull")] }, ["dee"]],
      [{ Conditions: [cond("plan", "IsNotNull")] }, ["ann", "bob", "cy"]],
    ];
    for (const [CustomAttributeFilter, expected] of cases)
      expect([CustomAttributeFilter, await names({ CustomAttributeFilter })]).toEqual([CustomAttributeFilter, expected]);
  });

  it("joins Conditions with And by default, Or on request, and nests Groups", async () => {
    expect(
      await names({ CustomAttributeFilter: { Conditions: [cond("plan", "StartsWith", "gold"), cond("level", "LessThan", "8")] } }),
    ).toEqual(["ann"]);
    expect(
      await names({
        CustomAttributeFilter: { Relation: "Or", Conditions: [cond("plan", "Equal", "silver"), cond("vip", "Equal", "false")] },
      }),
    ).toEqual(["bob", "cy"]);
    expect(
      await names({
        CustomAttributeFilter: {
          Relation: "Or",
          Conditions: [cond("level", "IsNull")],
          Groups: [{ Conditions: [cond("plan", "StartsWith", "gold"), cond("vip", "Equal", "false")] }],
        },
      }),
    ).toEqual(["bob", "dee"]);
    // With another Filter key: both apply.
    expect(await names({ Email: "ann@example.com", CustomAttributeFilter: { Conditions: [cond("plan", "StartsWith", "gold")] } })).toEqual([
      "ann",
    ]);
    expect(await names({ CustomAttributeFilter: {} })).toEqual(["ann", "bob", "cy", "dee"]);
  });

  it("refuses what it cannot compare, naming the parameter; no pattern characters reach the database", async () => {
    const code = async (CustomAttributeFilter: unknown) =>
      codeOf(await svc.call("ListUsers", { UserPoolUid: pool, Filter: { CustomAttributeFilter } }));
    expect(await code({ Conditions: [cond("nosuch", "Equal", "x")] })).toBe("InvalidParameter.Filter.CustomAttributeFilter");
    expect(await code({ Conditions: [cond("level", "Equal", "seven")] })).toBe("InvalidParameter.Filter.CustomAttributeFilter");
    expect(await code({ Conditions: [cond("level", "Contains", "1")] })).toBe("InvalidParameter.Filter.CustomAttributeFilter");
    expect(await code({ Conditions: [cond("vip", "GreaterThan", "true")] })).toBe("InvalidParameter.Filter.CustomAttributeFilter");
    expect(await code({ Conditions: [cond("since", "Equal", "yesterday")] })).toBe("InvalidParameter.Filter.CustomAttributeFilter");
    expect(await code({ Conditions: [cond("plan", "Equal")] })).toBe("InvalidParameter.Filter.CustomAttributeFilter");
    expect(await code({ Conditions: [cond("plan", "Like", "%")] })).toMatch(/^InvalidParameter/);
    expect(await code({ Relation: "Xor" })).toMatch(/^InvalidParameter/);
    expect(await code({ Groups: [{ Groups: [{ Groups: [{}] }] }] })).toMatch(/^InvalidParameter/);
    expect(await code({ Conditions: Array.from({ length: 21 }, () => cond("plan", "IsNull")) })).toMatch(/^InvalidParameter/);
    expect(await names({ CustomAttributeFilter: { Conditions: [cond("plan", "Contains", "%")] } })).toEqual([]);
  });
});

describe("the other Filter keys", () => {
  it("EmailPhoneNameIsNullOrEmpty: all three empty, or at least one set", async () => {
    expect(await names({ EmailPhoneNameIsNullOrEmpty: true })).toEqual(["dee"]);
    expect(await names({ EmailPhoneNameIsNullOrEmpty: false })).toEqual(["ann", "bob", "cy"]);
  });

  it("answers from what idplane has not got (no sign-ins) and from departments none of these users is in", async () => {
    expect(await names({ LatestBrowser: "Chrome" })).toEqual([]);
    expect(await names({ LatestLoginMethod: "password" })).toEqual([]);
    expect(await names({ LatestBrowser: "" })).toEqual(["ann", "bob", "cy", "dee"]);
    expect(await names({ NotInAnyDepartment: true })).toEqual(["ann", "bob", "cy", "dee"]);
    expect(await names({ NotInAnyDepartment: false })).toEqual([]);
    // A uid naming no department matches no user (test/departments/members.test.ts has the real ones).
    expect(await names({ DepartmentUid: "d1", DepartmentUidRecursive: true })).toEqual([]);
  });
});
