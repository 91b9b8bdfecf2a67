// CSV import through the official SDK: GetUserCSVTemplate (custom attributes included), CreateUsersCSV
// with per-row errors identical to CreateUsers' for the same items, a malformed file refused whole
// with a typed error naming the line, the call's own bounds, tenancy, readonly keys, and the users
// going with their pool.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usersCsvActions } from "../../src/users-csv/actions.js";
import { MAX_CSV_PASSWORDS, MAX_CSV_ROWS } from "../../src/users-csv/schemas.js";
import { STANDARD_COLUMNS } from "../../src/users-csv/columns.js";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { createConnection } from "../support/families/identity-providers.js";
import { csvB64 } from "../support/families/pool-settings.js";
import { createCustomAttribute, createPool, uniqueName } from "../support/families/user-pools.js";

const outputOf = (name: string) => usersCsvActions.find((a) => a.name === name)!.output;
let svc: TestService;

beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

const importCsv = (UserPoolUid: string, lines: string[], extra: Record<string, unknown> = {}) =>
  svc.call("CreateUsersCSV", { UserPoolUid, UsersCsvB64: csvB64(lines), ...extra });
const errorOf = (env: { ResponseMetadata: { Error?: { Code: string; Message: string } } }) => env.ResponseMetadata.Error;

describe("GetUserCSVTemplate", () => {
  it("lists CreateUsers' fields, then the pool's custom attributes, and gives the header as a file", async () => {
    const plain = await svc.ok("GetUserCSVTemplate", { UserPoolUid: await createPool(svc) }, { key: svc.readonly });
    outputOf("GetUserCSVTemplate").parse(plain);
    expect(plain.Columns).toEqual(STANDARD_COLUMNS);
    expect(plain.Columns.slice(0, 3)).toEqual(["PreferredUsername", "Email", "EmailVerified"]);
    expect(plain.Columns).toContain("Password");
    expect(plain.Columns).not.toContain("CustomAttributesToUpsert");

    const { UserPoolUid } = await createCustomAttribute(svc, undefined, { Name: "dept" });
    await createCustomAttribute(svc, UserPoolUid, { Name: "level", DataType: "Number" });
    const t = await svc.ok("GetUserCSVTemplate", { UserPoolUid });
    expect(t.Columns).toEqual([...STANDARD_COLUMNS, "custom:dept", "custom:level"]);
    expect(Buffer.from(t.UsersCsvB64, "base64").toString("utf8")).toBe(`${t.Columns.join(",")}\n`);
    expect(codeOf(await svc.call("GetUserCSVTemplate", { UserPoolUid }, { key: svc.otherAdmin }))).toBe("NotFound");
  });
});

describe("CreateUsersCSV", () => {
  it("creates every row, with quoting, booleans, custom attributes and header names in any case", async () => {
    const { UserPoolUid } = await createCustomAttribute(svc, undefined, { Name: "dept" });
    const tag = uniqueName("csv");
    const r = await importCsv(UserPoolUid, [
      "email,PREFERREDUSERNAME,EmailVerified,Name,Custom:Dept,UserMetadata",
      `${tag}-a@example.com,${tag}-a,true,"Smith, Anna",R&D,"{""plan"":""pro""}"`,
      `,${tag}-b,,"two\nlines",,`,
    ]);
    expect(codeOf(r)).toBe("OK");
    outputOf("CreateUsersCSV").parse(r.Result);
    expect(r.Result).toMatchObject({ SuccessCount: 2, FailureCount: 0, Errors: [], ErrorsStructured: [] });
    const [a, b] = r.Result.SuccessfulUids as string[];
    expect(r.Result.SuccessfulUidsStructured).toEqual([
      { Index: 0, Uid: a, ExternalProviderUserIdentifier: "" },
      { Index: 1, Uid: b, ExternalProviderUserIdentifier: "" },
    ]);
    expect(await svc.ok("GetUser", { UserPoolUid, UserUid: a })).toMatchObject({
      Email: `${tag}-a@example.com`,
      PreferredUsername: `${tag}-a`,
      EmailVerified: true,
      Name: "Smith, Anna",
      UserMetadata: '{"plan":"pro"}',
      CustomAttributes: [{ Name: "dept", Value: "R&D" }],
    });
    expect(await svc.ok("GetUser", { UserPoolUid, UserUid: b })).toMatchObject({ Email: "", Name: "two\nlines", CustomAttributes: [] });
  });

  it("gives each bad row the error CreateUsers gives the same item, and creates the others", async () => {
    const UserPoolUid = await createPool(svc, { PasswordPolicy: { MinLength: 10 } });
    await createCustomAttribute(svc, UserPoolUid, { Name: "level", DataType: "Number", Maximum: 5 });
    const tag = uniqueName("rows");
    const holder = await svc.ok("CreateUser", { UserPoolUid, Email: `${tag}-taken@example.com` });
    const header = "Email,PreferredUsername,Password,UserState,custom:level";
    const rows = [
      `${tag}-ok@example.com,,,,`,
      `not-an-email,,,,`,
      `,,,,3`,
      `${tag}-ok@example.com,,,,`,
      `${tag}-taken@example.com,,,,`,
      `${tag}-weak@example.com,,short,,`,
      `${tag}-state@example.com,,,GONE,`,
      `${tag}-level@example.com,,,,9`,
      `${tag}-fine@example.com,${tag}-fine,a long enough password,DISABLED,2`,
    ];
    const csv = await importCsv(UserPoolUid, [header, ...rows]);
    expect(codeOf(csv)).toBe("OK");
    const res = csv.Result;
    expect([res.SuccessCount, res.FailureCount]).toEqual([2, 7]);
    expect(res.ErrorsStructured.map((e: Record<string, unknown>) => [e.Index, e.ErrorType, e.Field])).toEqual([
      [1, "InvalidParameter", "Email"],
      [2, "MissingParameter", "PreferredUsername"],
      [3, "Duplicated", "Email"],
      [4, "Duplicated", "Email"],
      [5, "InvalidParameter", "Password"],
      [6, "InvalidParameter", "UserState"],
      [7, "InvalidParameter", "CustomAttributesToUpsert"],
    ]);
    expect(res.ErrorsStructured[3].DuplicatedUserUid).toBe(holder.Uid);
    expect(res.Errors).toHaveLength(7);

    // The same items through CreateUsers, in a twin pool: the same outcome, item by item.
    const twin = await createPool(svc, { PasswordPolicy: { MinLength: 10 } });
    await createCustomAttribute(svc, twin, { Name: "level", DataType: "Number", Maximum: 5 });
    await svc.ok("CreateUser", { UserPoolUid: twin, Email: `${tag}-taken@example.com` });
    const items = rows.map((line) => {
      const [Email, PreferredUsername, Password, UserState, level] = line.split(",");
      return Object.fromEntries(
        Object.entries({
          Email,
          PreferredUsername,
          Password,
          UserState,
          CustomAttributesToUpsert: level ? [{ Name: "level", Value: level }] : "",
        }).filter(([, v]) => v),
      );
    });
    const direct = await svc.ok("CreateUsers", { UserPoolUid: twin, Users: items });
    const shape = (r: { ErrorsStructured: Record<string, unknown>[] }) => r.ErrorsStructured.map(({ DuplicatedUserUid: _d, ...e }) => e);
    expect(shape(res)).toEqual(shape(direct));
    expect([direct.SuccessCount, direct.FailureCount]).toEqual([2, 7]);
  });

  it.each([
    ["unbalanced quotes", ["Email,Name", `a@example.com,"Anna`], /^line \d+.*unbalanced quotes/],
    [
      "a row with too few fields",
      ["Email,Name", "a@example.com,A", "b@example.com"],
      /^line 3 \(Index 1\): the row does not have as many fields/,
    ],
    ["a row with too many fields", ["Email", "a@example.com", "b@example.com,extra"], /^line 3 \(Index 1\)/],
    ["an unknown column", ["Email,Shoe"], /^line 1: column 2 "Shoe" is not a column/],
    ["an unknown custom attribute", ["Email,custom:nope", "a@example.com,x"], /^line 1: column 2 "custom:nope"/],
    ["a repeated column", ["Email,EMAIL", "a@example.com,b@example.com"], /^line 1: column 2 "EMAIL" appears twice/],
    ["a header without rows", ["Email"], /no users/],
  ])("refuses %s whole, naming the line", async (_what, lines, message) => {
    const UserPoolUid = await createPool(svc);
    const env = await importCsv(UserPoolUid, lines as string[]);
    expect(errorOf(env)).toMatchObject({ Code: "InvalidParameter.UsersCsvB64", Message: expect.stringMatching(message as RegExp) });
    expect((await svc.ok("ListUsers", { UserPoolUid })).TotalCount).toBe(0);
  });

  it("refuses bad base64, text that is not UTF-8, an empty file, an oversized body, and too many rows or passwords", async () => {
    const UserPoolUid = await createPool(svc);
    const send = (UsersCsvB64: string) => svc.call("CreateUsersCSV", { UserPoolUid, UsersCsvB64 });
    expect(errorOf(await send("not base64!"))).toMatchObject({
      Code: "InvalidParameter.UsersCsvB64",
      Message: "UsersCsvB64 is not valid base64",
    });
    expect(errorOf(await send(Buffer.from([0x45, 0x6d, 0xff, 0x0a]).toString("base64")))?.Message).toBe("the CSV is not UTF-8 text");
    expect(codeOf(await send(""))).toBe("MissingParameter.UsersCsvB64");
    expect(codeOf(await send(Buffer.from("\n\n").toString("base64")))).toBe("MissingParameter.UsersCsvB64");
    expect(codeOf(await send("A".repeat(1_100_000)))).toBe("RequestEntityTooLarge");

    const many = ["PreferredUsername", ...Array.from({ length: MAX_CSV_ROWS + 1 }, (_, i) => `u${i}`)];
    expect(errorOf(await importCsv(UserPoolUid, many))?.Message).toMatch(`at most ${MAX_CSV_ROWS}`);
    const hashed = [
      "PreferredUsername,Password",
      ...Array.from({ length: MAX_CSV_PASSWORDS + 1 }, (_, i) => `p${i},a long enough password`),
    ];
    expect(errorOf(await importCsv(UserPoolUid, hashed))?.Message).toMatch(`at most ${MAX_CSV_PASSWORDS}`);
    expect((await svc.ok("ListUsers", { UserPoolUid })).TotalCount).toBe(0);
  });

  it("takes ExternalProviderConnectionUid as CreateUsers does, refuses readonly keys and another account's pool; users go with the pool", async () => {
    const UserPoolUid = await createPool(svc);
    const lines = ["Email", `${uniqueName("x")}@example.com`];
    const unknown = await importCsv(UserPoolUid, lines, { ExternalProviderConnectionUid: "conn-1" });
    const direct = await svc.call("CreateUsers", {
      UserPoolUid,
      ExternalProviderConnectionUid: "conn-1",
      Users: [{ Email: "y@example.com" }],
    });
    expect(codeOf(unknown)).toBe("NotFound");
    expect(errorOf(unknown)?.Message).toBe(errorOf(direct)?.Message);
    // Rows linked to their identity at a connection of the pool, federated without a Password.
    const { ConnectionUid } = await createConnection(svc, UserPoolUid);
    const fed = await importCsv(UserPoolUid, ["Email,ExternalProviderUserIdentifier", "f1@example.com,ext-1", "f2@example.com,"], {
      ExternalProviderConnectionUid: ConnectionUid,
    });
    expect(fed.Result.SuccessfulUidsStructured).toEqual([{ Index: 0, Uid: expect.any(String), ExternalProviderUserIdentifier: "ext-1" }]);
    expect(fed.Result.ErrorsStructured.map((e: { Index: number; Code: string }) => [e.Index, e.Code])).toEqual([
      [1, "MissingParameter.ExternalProviderUserIdentifier"],
    ]);
    expect(await svc.ok("GetUser", { UserPoolUid, UserUid: fed.Result.SuccessfulUids[0] })).toMatchObject({
      Connection: ConnectionUid,
      ExternalIdentities: [{ ExternalProviderUserIdentifier: "ext-1" }],
    });
    expect(codeOf(await importCsv(UserPoolUid, lines, { Extra: 1 }))).toBe("InvalidParameter.Extra");
    expect(codeOf(await svc.call("CreateUsersCSV", { UserPoolUid, UsersCsvB64: csvB64(lines) }, { key: svc.readonly }))).toBe(
      "AccessDenied",
    );
    expect(codeOf(await svc.call("CreateUsersCSV", { UserPoolUid, UsersCsvB64: csvB64(lines) }, { key: svc.otherAdmin }))).toBe("NotFound");

    const ok = await importCsv(UserPoolUid, lines, { ExternalProviderConnectionUid: "" });
    expect(ok.Result.SuccessCount).toBe(1);
    await svc.ok("DeleteUserPool", { UserPoolUid });
    const left = await svc.deps.db
      .selectFrom("users")
      .select("uid")
      .where("account_id", "=", svc.accountId)
      .where("user_pool_uid", "=", UserPoolUid)
      .execute();
    expect(left).toEqual([]);
  });
});
