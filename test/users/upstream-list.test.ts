// ListUsers as upstream's: Filter keys, UniversalSearch, SortField/SortDirection walked through the
// keyset cursor, ResponseValueMask and ResponseValueNull, and the fields every page answers. Through
// the official SDK, on Postgres and on PGlite.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userActions } from "../../src/users/actions.js";
import { maskEmail, maskPhone } from "../../src/users/view.js";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { newPool } from "../support/families/users.js";

const outputOf = (name: string) => userActions.find((a) => a.name === name)!.output;
type U = {
  Uid: string;
  PreferredUsername: string;
  Name: string;
  Email: string;
  PhoneNumber: string;
  UserMetadata: string;
  UpdateTime: string;
};
let svc: TestService;
let pool: string;
let users: U[];
const SEED = [
  {
    PreferredUsername: "ada",
    Email: "ada@example.com",
    PhoneNumber: "+8613800138000",
    Name: "Ada Lovelace",
    GivenName: "Ada",
    Gender: "female",
    Locale: "en-GB",
    Website: "https://ada.example",
  },
  {
    PreferredUsername: "alan",
    Email: "alan@example.com",
    Name: "Alan Turing",
    GivenName: "Alan",
    Gender: "male",
    Locale: "en-GB",
    UserMetadata: '{"k":1}',
  },
  {
    PreferredUsername: "grace",
    PhoneNumber: "+12025550123",
    Name: "grace hopper",
    GivenName: "Grace",
    Gender: "female",
    Locale: "en-US",
    Nickname: "amazing",
  },
  { PreferredUsername: "Edsger", Email: "ewd@example.nl", Name: "Edsger Dijkstra", Locale: "nl" },
  { Email: "anon@example.com" },
  { PreferredUsername: "ALBERT", Name: "_al%", Nickname: "x" },
];

beforeAll(async () => {
  svc = await startTestService();
  pool = await newPool(svc);
  users = [];
  // One at a time, so CreateTime order is SEED order.
  for (const u of SEED) users.push(await svc.ok("CreateUser", { UserPoolUid: pool, ...u }));
});
afterAll(() => svc.close());

const uids = (page: { Data: U[] }) => page.Data.map((u) => u.Uid);
const list = (params: Record<string, unknown>) => svc.ok("ListUsers", { UserPoolUid: pool, PageSize: 100, ...params });
const by = (...names: string[]) => names.map((n) => users.find((u) => u.PreferredUsername === n || u.Email === n)!.Uid);

/** Every page of a cursor walk of `params`, checking each page's shape. */
async function walk(params: Record<string, unknown>, max = 2): Promise<string[]> {
  const seen: string[] = [];
  let token = "";
  do {
    const page = await svc.ok("ListUsers", { UserPoolUid: pool, MaxResults: max, ...params, ...(token && { NextToken: token }) });
    outputOf("ListUsers").parse(page);
    expect(page).toMatchObject({ PageNumber: 0, PageSize: max });
    seen.push(...uids(page));
    token = page.NextToken;
  } while (token);
  return seen;
}

describe("ListUsers sorts", () => {
  it("walks each sort in full with the cursor, in the same order as PageNumber pages", async () => {
    const cases: [Record<string, unknown>, string[]][] = [
      [{}, [...users].reverse().map((u) => u.Uid)],
      [{ SortField: "CreateTime", SortDirection: "Asc" }, users.map((u) => u.Uid)],
      // Case-insensitive, by code point; the user without a username ("") first.
      [{ SortField: "PreferredUsername" }, by("anon@example.com", "ada", "alan", "ALBERT", "Edsger", "grace")],
      [{ SortField: "PreferredUsername", SortDirection: "Desc" }, by("grace", "Edsger", "ALBERT", "alan", "ada", "anon@example.com")],
      [{ SortField: "Name" }, by("anon@example.com", "ALBERT", "ada", "alan", "Edsger", "grace")],
      [{ SortField: "Email", SortDirection: "Asc" }, by("grace", "ALBERT", "ada", "alan", "anon@example.com", "Edsger")],
    ];
    for (const [params, expected] of cases) {
      expect([params, await walk(params)]).toEqual([params, expected]);
      const paged = await svc.ok("ListUsers", { UserPoolUid: pool, PageNumber: 1, PageSize: 100, ...params });
      expect([params, uids(paged)]).toEqual([params, expected]);
      expect(paged).toMatchObject({ NextToken: "", PageNumber: 1, PageSize: 100, TotalCount: 6 });
    }
  });

  it("sorts by UpdateTime, newest change first", async () => {
    await svc.ok("UpdateUser", { UserPoolUid: pool, UserUid: users[2]!.Uid, FamilyName: "Hopper" });
    const order = await walk({ SortField: "UpdateTime" });
    expect(order[0]).toBe(users[2]!.Uid);
    expect(new Set(order).size).toBe(6);
  });

  it("binds a NextToken to its sort, and refuses a forged one", async () => {
    const page = await svc.ok("ListUsers", { UserPoolUid: pool, MaxResults: 2, SortField: "Name" });
    expect(codeOf(await svc.call("ListUsers", { UserPoolUid: pool, MaxResults: 2, NextToken: page.NextToken }))).toBe(
      "InvalidParameter.NextToken",
    );
    expect(
      codeOf(
        await svc.call("ListUsers", {
          UserPoolUid: pool,
          MaxResults: 2,
          SortField: "Name",
          SortDirection: "Desc",
          NextToken: page.NextToken,
        }),
      ),
    ).toBe("InvalidParameter.NextToken");
    const forged = Buffer.from("u2:UpdateTime:Desc:1:" + Buffer.from("yesterday").toString("base64url")).toString("base64url");
    expect(codeOf(await svc.call("ListUsers", { UserPoolUid: pool, SortField: "UpdateTime", NextToken: forged }))).toBe(
      "InvalidParameter.NextToken",
    );
    expect(codeOf(await svc.call("ListUsers", { UserPoolUid: pool, SortField: "Password" }))).toBe("InvalidParameter.SortField");
    expect(codeOf(await svc.call("ListUsers", { UserPoolUid: pool, SortDirection: "sideways" }))).toBe("InvalidParameter.SortDirection");
  });
});

describe("ListUsers filters", () => {
  it("matches each field exactly (case-insensitively but PhoneNumber), and flags empty ones", async () => {
    const cases: [Record<string, unknown>, string[]][] = [
      [{ Name: "GRACE HOPPER" }, by("grace")],
      [{ GivenName: "ada" }, by("ada")],
      [{ Gender: "Female" }, by("grace", "ada")],
      [{ Locale: "en-gb" }, by("alan", "ada")],
      [{ Website: "https://ada.example" }, by("ada")],
      [{ Nickname: "amazing" }, by("grace")],
      [{ PhoneNumber: "+12025550123" }, by("grace")],
      [{ Email: "ALAN@example.com" }, by("alan")],
      [{ Name: "_al%" }, by("ALBERT")],
      [{ Name: "" }, [...users].reverse().map((u) => u.Uid)],
      [{ EmailIsNullOrEmpty: true }, by("ALBERT", "grace")],
      [{ PreferredUsernameIsNullOrEmpty: true }, by("anon@example.com")],
      [{ PhoneNumberIsNullOrEmpty: false }, by("grace", "ada")],
      [{ NameIsNullOrEmpty: true, GenderIsNullOrEmpty: true }, by("anon@example.com")],
      [{ UserUidsOr: [users[0]!.Uid, users[3]!.Uid, "ghost"] }, by("Edsger", "ada")],
      [{ UserUidsOr: [] }, []],
      [{ EmailIsDuplicated: true }, []],
      [{ PhoneNumberIsDuplicated: false, Gender: "male" }, by("alan")],
    ];
    for (const [Filter, expected] of cases) {
      const page = await list({ Filter });
      expect([Filter, uids(page), page.TotalCount]).toEqual([Filter, expected, expected.length]);
    }
  });

  it("UniversalSearch: a case-insensitive prefix of the default fields or the named ones; ExactMatch; every item must match", async () => {
    const cases: [unknown[], string[]][] = [
      [[{ Search: "AL" }], by("ALBERT", "alan")],
      [[{ Search: "al", Fields: ["Name"] }], by("alan")],
      [[{ Search: "_al" }], by("ALBERT")],
      [[{ Search: "+1202" }], by("grace")],
      [[{ Search: "ada@example.com", ExactMatch: true }], by("ada")],
      [[{ Search: "ada", ExactMatch: true, Fields: ["Email"] }], []],
      [[{ Search: "a" }, { Search: "en-", Fields: ["Locale"] }], by("grace", "alan", "ada")],
      [[{ Search: "" }], [...users].reverse().map((u) => u.Uid)],
    ];
    for (const [UniversalSearch, expected] of cases) {
      const page = await list({ Filter: { UniversalSearch } });
      expect([UniversalSearch, uids(page)]).toEqual([UniversalSearch, expected]);
    }
    expect(
      codeOf(await svc.call("ListUsers", { UserPoolUid: pool, Filter: { UniversalSearch: [{ Search: "x", Fields: ["Password"] }] } })),
    ).toBe("InvalidParameter.Filter.UniversalSearch.Fields");
  });

  it("filters and sorts together, through the cursor", async () => {
    expect(await walk({ SortField: "Name", SortDirection: "Desc", Filter: { Gender: "female" } }, 1)).toEqual(by("grace", "ada"));
  });
});

describe("masks and the fields every page answers", () => {
  it('masks Email and PhoneNumber in ListUsers and GetUser, and answers UserMetadata as "" on request', async () => {
    expect(maskEmail("ada@example.com")).toBe("a***@example.com");
    expect(maskPhone("+8613800138000")).toBe("+86138****8000");
    expect(maskPhone("+12025550123")).toBe("+120****0123");
    expect(maskPhone("+123")).toBe("+****23");
    const page = await list({
      ResponseValueMask: { Email: true, PhoneNumber: true },
      ResponseValueNull: { UserMetadata: true },
      Filter: { UserUidsOr: by("ada", "alan") },
    });
    expect(page.Data.map((u: U) => [u.Email, u.PhoneNumber, u.UserMetadata])).toEqual([
      ["a***@example.com", "", ""],
      ["a***@example.com", "+86138****8000", ""],
    ]);
    const one = await svc.ok("GetUser", { UserPoolUid: pool, UserUid: users[2]!.Uid, ResponseValueMask: { PhoneNumber: true } });
    expect(one).toMatchObject({ PhoneNumber: "+120****0123", PreferredUsername: "grace" });
    expect((await svc.ok("GetUser", { UserPoolUid: pool, UserUid: users[1]!.Uid })).UserMetadata).toBe('{"k":1}');
  });

  it("always answers Data, NextToken, PageNumber, PageSize and TotalCount", async () => {
    for (const params of [{}, { MaxResults: 3 }, { PageNumber: 2, PageSize: 4 }]) {
      const page = await svc.ok("ListUsers", { UserPoolUid: pool, ...params });
      expect(Object.keys(page)).toEqual(expect.arrayContaining(["Data", "NextToken", "PageNumber", "PageSize", "TotalCount"]));
    }
  });
});
