// Custom attribute values that cannot be compared (issue 22 item 5). On main UpdateUser stored the
// DateTime 2024-02-30T00:00:00Z and 0000-01-01T00:00:00Z (JavaScript's Date accepts both, Postgres
// neither), after which every comparison filter on that attribute answered 500; filter Values
// 1e1000000 (Number), 9999-99-99T99:99:99Z and a +99:99 offset answered 500 on their own. Now writes
// (UpdateUser, CreateUser, CreateUsers, CSV rows) and filters refuse them with InvalidParameter, and
// a value stored past those checks (written here with SQL) compares as absent.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { csvB64 } from "../support/families/pool-settings.js";
import { createPool, uniqueName } from "../support/families/user-pools.js";

const BAD_TIMES = [
  "2024-02-30T00:00:00Z",
  "2023-02-29T00:00:00Z",
  "0000-01-01T00:00:00Z",
  "9999-99-99T99:99:99Z",
  "2024-01-01T00:00:00+99:99",
  "2024-04-31T10:00:00+02:00",
  "2024-01-01T24:00:00Z",
];
const BAD_NUMBERS = ["1e1000000", "1e400", "0x10", "Infinity", "NaN", "1e5000"];
const PARAM = "InvalidParameter.CustomAttributesToUpsert";
const FILTER_PARAM = "InvalidParameter.Filter.CustomAttributeFilter";

let svc: TestService;
let pool: string;
const uid: Record<string, string> = {};

beforeAll(async () => {
  svc = await startTestService();
  pool = await createPool(svc);
  for (const [Name, DataType] of [
    ["since", "DateTime"],
    ["score", "Number"],
  ]) {
    await svc.ok("CreateUserPoolCustomAttribute", {
      UserPoolUid: pool,
      Name,
      DataType,
      Mutability: "Mutable",
      ...(DataType === "Number" && { Minimum: -2_000_000_000, Maximum: 2_000_000_000 }),
    });
  }
  for (const [name, since, score] of [
    ["leap", "2024-02-29T00:00:00Z", "5"],
    ["east", "2024-03-01T00:30:00+14:00", "1.5e3"],
    ["plain", "2024-03-01T00:00:00Z", "-2"],
  ] as const) {
    const u = await svc.ok("CreateUser", {
      UserPoolUid: pool,
      PreferredUsername: uniqueName(name),
      CustomAttributesToUpsert: [
        { Name: "since", Value: since },
        { Name: "score", Value: score },
      ],
    });
    uid[name] = u.Uid;
  }
});
afterAll(() => svc.close());

const attr = (Name: string, Value: string) => [{ Name, Value }];

describe("writes refuse values that cannot be compared", () => {
  it("UpdateUser, CreateUser, CreateUsers and CSV rows answer InvalidParameter for impossible times and numbers", async () => {
    const cases = [...BAD_TIMES.map((v) => attr("since", v)), ...BAD_NUMBERS.map((v) => attr("score", v))];
    for (const CustomAttributesToUpsert of cases) {
      const what = JSON.stringify(CustomAttributesToUpsert);
      expect(codeOf(await svc.call("UpdateUser", { UserPoolUid: pool, UserUid: uid.plain, CustomAttributesToUpsert })), what).toBe(PARAM);
      expect(
        codeOf(await svc.call("CreateUser", { UserPoolUid: pool, PreferredUsername: uniqueName("c"), CustomAttributesToUpsert })),
        what,
      ).toBe(PARAM);
      const batch = await svc.ok("CreateUsers", {
        UserPoolUid: pool,
        Users: [{ PreferredUsername: uniqueName("b"), CustomAttributesToUpsert }],
      });
      expect(
        batch.ErrorsStructured.map((e: { Code: string }) => e.Code),
        what,
      ).toEqual([PARAM]);
    }
    const csv = await svc.ok("CreateUsersCSV", {
      UserPoolUid: pool,
      UsersCsvB64: csvB64([
        "PreferredUsername,custom:since,custom:score",
        `${uniqueName("r")},2024-02-30T00:00:00Z,1`,
        `${uniqueName("r")},2024-02-28T00:00:00Z,1e1000000`,
      ]),
    });
    expect(csv.FailureCount).toBe(2);
    expect(csv.ErrorsStructured.map((e: { Code: string }) => e.Code)).toEqual([PARAM, PARAM]);
    // The real calendar is still accepted: a leap day, an offset of +14:00 (both stored above).
    expect(
      codeOf(
        await svc.call("UpdateUser", {
          UserPoolUid: pool,
          UserUid: uid.plain,
          CustomAttributesToUpsert: attr("since", "2000-02-29T23:59:59.123456+05:45"),
        }),
      ),
    ).toBe("OK");
    await svc.ok("UpdateUser", { UserPoolUid: pool, UserUid: uid.plain, CustomAttributesToUpsert: attr("since", "2024-03-01T00:00:00Z") });
  }, 120_000);
});

describe("filters", () => {
  const list = (Name: string, Operator: string, Value: string) =>
    svc.call("ListUsers", {
      UserPoolUid: pool,
      PageSize: 100,
      Filter: { CustomAttributeFilter: { Conditions: [{ Name, Operator, Value }] } },
    });
  const names = (r: Awaited<ReturnType<typeof list>>) =>
    (r.Result.Data as { Uid: string }[]).map((u) => Object.keys(uid).find((n) => uid[n] === u.Uid) ?? "?").sort();

  it("refuse impossible Values with InvalidParameter, never 500", async () => {
    for (const v of BAD_TIMES) expect(codeOf(await list("since", "GreaterThan", v)), v).toBe(FILTER_PARAM);
    for (const v of BAD_NUMBERS) expect(codeOf(await list("score", "LessThan", v)), v).toBe(FILTER_PARAM);
  }, 60_000);

  it("treat a stored value that cannot be compared as absent (written past the API, as older versions did)", async () => {
    const broken = await svc.ok("CreateUser", { UserPoolUid: pool, PreferredUsername: uniqueName("broken") });
    uid.broken = broken.Uid;
    await sql`update users set custom_attributes = jsonb_build_object('since', ${"2024-02-30T00:00:00Z"}::text, 'score', ${"1e1000000"}::text)
      where account_id = ${svc.accountId} and user_pool_uid = ${pool} and uid = ${broken.Uid}`.execute(svc.deps.db);
    const after = await list("since", "GreaterThan", "2024-02-01T00:00:00Z");
    expect(codeOf(after)).toBe("OK");
    // 2024-03-01T00:30+14:00 is 2024-02-29T10:30Z.
    expect(names(after)).toEqual(["east", "leap", "plain"]);
    expect(names(await list("since", "LessThan", "2100-01-01T00:00:00Z"))).toEqual(["east", "leap", "plain"]);
    expect(names(await list("score", "GreaterThan", "0"))).toEqual(["east", "leap"]);
    // NotEqual matches users without a comparable value, as it matches users without a value.
    expect(names(await list("score", "NotEqual", "5"))).toEqual(["broken", "east", "plain"]);
    const present = await svc.ok("ListUsers", {
      UserPoolUid: pool,
      PageSize: 100,
      Filter: { CustomAttributeFilter: { Conditions: [{ Name: "since", Operator: "IsNotNull" }] } },
    });
    expect(present.TotalCount).toBe(4);
  }, 60_000);
});
