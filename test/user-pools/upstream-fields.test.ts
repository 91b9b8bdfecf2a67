// User pools' upstream fields (issue 11) end to end through the official SDK: every new field round-
// trips through Create, Get, Update and List; the settings are validated; the endpoint URLs follow
// ID_PUBLIC_BASE_URL; ListUserPools filters by Description, Uid, Trn, ProjectName and tags, and sorts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userPoolActions } from "../../src/user-pools/actions.js";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { uniqueName } from "../support/families/user-pools.js";

const outputOf = (name: string) => userPoolActions.find((a) => a.name === name)!.output;
const BASE = "https://id.example.com/auth";
let svc: TestService;

beforeAll(async () => {
  svc = await startTestService({ env: { ID_PUBLIC_BASE_URL: `${BASE}/` } });
});
afterAll(() => svc.close());

const settings = {
  AuthenticationMethodOrder: ["SMS_PASSWORDLESS", "PASSWORD"],
  Brand: { Name: "Acme", LogoUri: "https://cdn.example.com/logo.png#dark" },
  PasswordSignInEnabled: false,
  EmailPasswordlessSignInEnabled: true,
  SmsPasswordlessSignInEnabled: true,
  SelfSignUpEnabled: true,
  SignUpAutoVerificationEnabled: true,
  EmailAnonymousSignUpEnabled: true,
  SmsAnonymousSignUpEnabled: true,
  UnconfirmedUserSignInEnabled: true,
  SelfAccountRecoveryEnabled: true,
  SelfAccountRecoveryVerificationAttributes: ["phone_number", "email"],
};

describe("user pool upstream fields", () => {
  it("defaults every new field on a bare create", async () => {
    const pool = await svc.ok("CreateUserPool", { Name: uniqueName("bare") });
    outputOf("CreateUserPool").parse(pool);
    expect(pool).toMatchObject({
      ProjectName: "default",
      Tags: [],
      Brand: { Name: "", LogoUri: "" },
      AuthenticationMethodOrder: [],
      RequiredSignUpAttributes: [],
      SignInAttributes: ["email"],
      SelfAccountRecoveryVerificationAttributes: ["email"],
      PasswordSignInEnabled: true,
      EmailPasswordlessSignInEnabled: false,
      SelfSignUpEnabled: false,
      SelfAccountRecoveryEnabled: false,
      CustomAttributes: "[]",
      CustomDomain: "",
    });
  });

  it("round-trips every field through Create, Get, Update and List", async () => {
    const name = uniqueName("full");
    const tags = [
      { Key: "env", Value: "prod" },
      { Key: "团队 a.b:c/d=e+f-g@h", Value: "" },
    ];
    const created = await svc.ok("CreateUserPool", {
      Name: name,
      ProjectName: "billing",
      Tags: tags,
      RequiredSignUpAttributes: ["email", "given_name", "birthdate"],
      SignInAttributes: ["preferred_username", "phone_number"],
      ...settings,
    });
    expect(created).toMatchObject({
      ...settings,
      ProjectName: "billing",
      Tags: tags,
      RequiredSignUpAttributes: ["email", "given_name", "birthdate"],
      SignInAttributes: ["preferred_username", "phone_number"],
    });
    const got = await svc.ok("GetUserPool", { UserPoolUid: created.Uid });
    outputOf("GetUserPool").parse(got);
    expect(got).toEqual({ ...created, CustomAttributes: [] });

    const updated = await svc.ok("UpdateUserPool", {
      UserPoolUid: created.Uid,
      Brand: { LogoUri: "" },
      AuthenticationMethodOrder: ["EMAIL_PASSWORDLESS"],
      PasswordSignInEnabled: true,
      SelfSignUpEnabled: false,
      SelfAccountRecoveryVerificationAttributes: ["email"],
    });
    outputOf("UpdateUserPool").parse(updated);
    // Brand merges field by field; the create-only fields stay.
    expect(updated).toMatchObject({
      Brand: { Name: "Acme", LogoUri: "" },
      AuthenticationMethodOrder: ["EMAIL_PASSWORDLESS"],
      PasswordSignInEnabled: true,
      SelfSignUpEnabled: false,
      SmsAnonymousSignUpEnabled: true,
      SelfAccountRecoveryVerificationAttributes: ["email"],
      Tags: tags,
      ProjectName: "billing",
    });
    expect(await svc.ok("GetUserPool", { UserPoolUid: created.Uid })).toEqual(updated);

    const page = await svc.ok("ListUserPools", { Filter: { Name: name } });
    outputOf("ListUserPools").parse(page);
    expect(page.Data).toEqual([
      expect.objectContaining({
        Uid: created.Uid,
        ProjectName: "billing",
        Tags: tags,
        Domain: "id.example.com",
        Description: "",
        Trn: created.Trn,
      }),
    ]);
  });

  it("derives the endpoint URLs from ID_PUBLIC_BASE_URL, one path per pool", async () => {
    const pool = await svc.ok("CreateUserPool", { Name: uniqueName("urls") });
    const issuer = `${BASE}/userpool/${pool.Uid}`;
    expect(pool).toMatchObject({
      Domain: "id.example.com",
      CustomDomain: "",
      IssuerUrl: issuer,
      DiscoveryUrl: `${issuer}/.well-known/openid-configuration`,
      TokenUrl: `${issuer}/oauth2/token`,
      TokenSigningKeyUrl: `${issuer}/.well-known/jwks.json`,
      OauthLoginCallbackUrl: `${issuer}/callback/oauth/login`,
      OauthSignUpCallbackUrl: `${issuer}/callback/oauth/signup`,
      OidcLoginCallbackUrl: `${issuer}/callback/oidc/login`,
      OidcSignUpCallbackUrl: `${issuer}/callback/oidc/signup`,
      SamlLoginCallbackUrl: `${issuer}/callback/saml/login`,
      SamlSignUpCallbackUrl: `${issuer}/callback/saml/signup`,
    });
  });

  it.each([
    ["an unknown sign-in method", { AuthenticationMethodOrder: ["WEBAUTHN"] }, "InvalidParameter.AuthenticationMethodOrder"],
    ["a repeated sign-in method", { AuthenticationMethodOrder: ["PASSWORD", "PASSWORD"] }, "InvalidParameter.AuthenticationMethodOrder"],
    ["a plain-http logo", { Brand: { LogoUri: "http://cdn.example.com/logo.png" } }, "InvalidParameter.Brand.LogoUri"],
    ["a logo that is no URL", { Brand: { LogoUri: "logo.png" } }, "InvalidParameter.Brand.LogoUri"],
    ["a brand name over 128", { Brand: { Name: "x".repeat(129) } }, "InvalidParameter.Brand.Name"],
    ["an attribute the pool does not have", { RequiredSignUpAttributes: ["shoe_size"] }, "InvalidParameter.RequiredSignUpAttributes"],
    ["a repeated attribute", { RequiredSignUpAttributes: ["email", "email"] }, "InvalidParameter.RequiredSignUpAttributes"],
    ["a custom attribute that is no name", { RequiredSignUpAttributes: ["custom:1st"] }, "InvalidParameter.RequiredSignUpAttributes"],
    ["a sign-in attribute that identifies nobody", { SignInAttributes: ["birthdate"] }, "InvalidParameter.SignInAttributes"],
    [
      "a recovery attribute that cannot be verified",
      { SelfAccountRecoveryVerificationAttributes: ["preferred_username"] },
      "InvalidParameter.SelfAccountRecoveryVerificationAttributes",
    ],
    [
      "recovery with nowhere to send the code",
      { SelfAccountRecoveryEnabled: true, SelfAccountRecoveryVerificationAttributes: [] },
      "InvalidParameter.SelfAccountRecoveryVerificationAttributes",
    ],
    ["a ProjectName over 255", { ProjectName: "p".repeat(256) }, "InvalidParameter.ProjectName"],
    ["51 tags", { Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" })) }, "InvalidParameter.Tags"],
    [
      "a repeated tag key",
      {
        Tags: [
          { Key: "k", Value: "1" },
          { Key: "k", Value: "2" },
        ],
      },
      "InvalidParameter.Tags",
    ],
    ["a reserved tag key", { Tags: [{ Key: "Volc:owner", Value: "x" }] }, "InvalidParameter.Tags.Key"],
    ["a tag key of 129 characters", { Tags: [{ Key: "k".repeat(129), Value: "" }] }, "InvalidParameter.Tags.Key"],
    ["a tag value with a forbidden character", { Tags: [{ Key: "k", Value: "a;b" }] }, "InvalidParameter.Tags.Value"],
    ["a tag value ending in a space", { Tags: [{ Key: "k", Value: "a " }] }, "InvalidParameter.Tags.Value"],
    ["a tag value of 257 characters", { Tags: [{ Key: "k", Value: "v".repeat(257) }] }, "InvalidParameter.Tags.Value"],
  ])("refuses %s", async (_what, fields, code) => {
    const env = await svc.call("CreateUserPool", { Name: uniqueName("bad"), ...fields });
    expect(codeOf(env)).toMatch(new RegExp(`^${code.replace(/\./g, "\\.")}`));
  });

  it("keeps the create-only fields out of UpdateUserPool, and checks recovery against the stored list", async () => {
    const pool = await svc.ok("CreateUserPool", { Name: uniqueName("upd"), SelfAccountRecoveryEnabled: true });
    for (const field of ["Tags", "ProjectName", "SignInAttributes", "RequiredSignUpAttributes"]) {
      const env = await svc.call("UpdateUserPool", { UserPoolUid: pool.Uid, [field]: field === "ProjectName" ? "p" : [] });
      expect(codeOf(env)).toBe(`InvalidParameter.${field}`);
    }
    expect(codeOf(await svc.call("UpdateUserPool", { UserPoolUid: pool.Uid, SelfAccountRecoveryVerificationAttributes: [] }))).toBe(
      "InvalidParameter.SelfAccountRecoveryVerificationAttributes",
    );
    const off = await svc.ok("UpdateUserPool", {
      UserPoolUid: pool.Uid,
      SelfAccountRecoveryEnabled: false,
      SelfAccountRecoveryVerificationAttributes: [],
    });
    expect(off).toMatchObject({ SelfAccountRecoveryEnabled: false, SelfAccountRecoveryVerificationAttributes: [] });
  });
});

describe("ListUserPools filters and sorting", () => {
  let mark: string;
  let uids: Record<string, string>;

  beforeAll(async () => {
    mark = uniqueName("lst");
    const make = async (n: string, fields: Record<string, unknown>) => {
      const p = await svc.ok("CreateUserPool", { Name: `${mark}-${n}`, ...fields });
      svc.clock.advance(1);
      return p.Uid as string;
    };
    uids = {
      b: await make("b", {
        Description: "Blue team",
        ProjectName: `${mark}-p1`,
        Tags: [
          { Key: "env", Value: "prod" },
          { Key: "team", Value: "blue" },
        ],
      }),
      a: await make("a", { Description: "red team", ProjectName: `${mark}-p1`, Tags: [{ Key: "env", Value: "dev" }] }),
      c: await make("c", { Description: "green", ProjectName: `${mark}-p2`, Tags: [{ Key: "team", Value: "green" }] }),
    };
  });

  const names = async (params: Record<string, unknown>) => {
    const page = await svc.ok("ListUserPools", { PageSize: 100, ...params, Filter: { Name: mark, ...(params.Filter as object) } });
    return page.Data.map((p: { Name: string }) => p.Name.slice(mark.length + 1));
  };

  it("filters by Description, Uid, Trn and ProjectName", async () => {
    expect(await names({ Filter: { Description: "TEAM" } })).toEqual(["a", "b"]);
    expect(await names({ Filter: { Uid: uids.c } })).toEqual(["c"]);
    expect(await names({ Filter: { Trn: `trn:id:cn-beijing:${svc.accountId}:userpool/${uids.a}` } })).toEqual(["a"]);
    // Another account's Trn for the same uid names nothing here.
    expect(await names({ Filter: { Trn: `trn:id:cn-beijing:1:userpool/${uids.a}` } })).toEqual([]);
    expect(await names({ ProjectName: `${mark}-p1` })).toEqual(["a", "b"]);
  });

  it("filters by tags: the key, any of the values, every filter at once, top-level and in Filter", async () => {
    expect(await names({ TagFilters: [{ Key: "team" }] })).toEqual(["c", "b"]);
    expect(await names({ TagFilters: [{ Key: "env", Values: ["prod", "dev"] }] })).toEqual(["a", "b"]);
    expect(
      await names({ TagFilters: [{ Key: "env", Values: ["prod"] }], Filter: { TagFilters: [{ Key: "team", Values: ["blue"] }] } }),
    ).toEqual(["b"]);
    expect(await names({ TagFilters: [{ Key: "env" }, { Key: "team", Values: ["green"] }] })).toEqual([]);
    // Through a GET query string too, as Volcengine's form encoding writes lists of objects.
    const page = await svc.ok(
      "ListUserPools",
      { "Filter.Name": mark, "TagFilters.1.Key": "env", "TagFilters.1.Values.1": "dev" },
      { method: "GET" },
    );
    expect(page.Data.map((p: { Uid: string }) => p.Uid)).toEqual([uids.a]);
  });

  it("sorts by CreateTime, UpdateTime and Name in either direction", async () => {
    expect(await names({})).toEqual(["c", "a", "b"]);
    expect(await names({ SortField: "CreateTime", SortDirection: "Asc" })).toEqual(["b", "a", "c"]);
    expect(await names({ SortField: "Name" })).toEqual(["a", "b", "c"]);
    expect(await names({ SortField: "Name", SortDirection: "Desc" })).toEqual(["c", "b", "a"]);
    await svc.ok("UpdateUserPool", { UserPoolUid: uids.b, Description: "Blue team, renamed" });
    expect(await names({ SortField: "UpdateTime" })).toEqual(["b", "c", "a"]);
    expect(codeOf(await svc.call("ListUserPools", { SortField: "Description" }))).toBe("InvalidParameter.SortField");
  });
});
