// Identity linking end to end through the official SDK: users created from an external identity
// (federated without a password), LinkIdentityProviderToUser, DisableIdentityProviderForUser,
// BatchConvertFederatedUsersToNativeUsers, the users' ExternalIdentities and Connection, ListUsers'
// linking filters, uniqueness under concurrency, cascades, tenancy and readonly keys. Runs on Postgres
// (DATABASE_URL) and on PGlite.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actions } from "../../src/control-plane/registry.js";
import { codeOf, startTestService, type Envelope, type TestService } from "../support/harness.js";
import { createConnection } from "../support/families/identity-providers.js";
import { linkParams, linkSetup } from "../support/families/external-identities.js";
import { newPool, newUser } from "../support/families/users.js";
import { uniqueName } from "../support/families/user-pools.js";

const outputOf = (name: string) => actions.get(name)!.output;
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

const messageOf = (env: Envelope) => env.ResponseMetadata.Error?.Message ?? "";
const getUser = (UserPoolUid: string, UserUid: string) => svc.ok("GetUser", { UserPoolUid, UserUid });
const linkRows = (poolUid: string) =>
  svc.deps.db
    .selectFrom("external_identities")
    .selectAll()
    .where("account_id", "=", svc.accountId)
    .where("user_pool_uid", "=", poolUid)
    .execute();

/** A federated user (no Password) of the connection, with the given identifier and fields. */
async function federated(s: { UserPoolUid: string; ConnectionUid: string }, externalId: string, fields: Record<string, unknown> = {}) {
  return svc.ok("CreateUser", {
    UserPoolUid: s.UserPoolUid,
    ExternalProviderConnectionUid: s.ConnectionUid,
    ExternalProviderUserIdentifier: externalId,
    Email: `${uniqueName("fed")}@example.com`,
    ...fields,
  });
}

describe("CreateUser and CreateUsers with an external identity", () => {
  it("creates a federated user without a Password, and a native linked user with one", async () => {
    const s = await createConnection(svc, undefined, { Provider: "github" });
    const fed = await federated(s, "gh-1001");
    outputOf("CreateUser").parse(fed);
    expect(fed.Connection).toBe(s.ConnectionUid);
    expect(fed.ExternalIdentities).toEqual([
      {
        ConnectionType: "OAUTH",
        ConnectionUid: s.ConnectionUid,
        ExternalProviderUserIdentifier: "gh-1001",
        ExternalProviderUserMetadata: "",
        LastLoginAt: "",
        LinkSource: "CREATE",
        Provider: "github",
        UpdatedAt: fed.CreateTime,
      },
    ]);
    expect(await getUser(s.UserPoolUid, fed.Uid)).toEqual(fed);
    const native = await svc.ok("CreateUser", {
      UserPoolUid: s.UserPoolUid,
      Email: "native@example.com",
      Password: "a-long-enough-password",
      ExternalProviderConnectionUid: s.ConnectionUid,
      ExternalProviderUserIdentifier: "gh-1002",
    });
    expect(native.Connection).toBe("");
    expect(native.ExternalIdentities.map((e: { ExternalProviderUserIdentifier: string }) => e.ExternalProviderUserIdentifier)).toEqual([
      "gh-1002",
    ]);
    // "" is absent for both fields: a plain native user.
    const plain = await svc.ok("CreateUser", {
      UserPoolUid: s.UserPoolUid,
      Email: "plain@example.com",
      ExternalProviderConnectionUid: "",
      ExternalProviderUserIdentifier: "",
    });
    expect(plain).toMatchObject({ Connection: "", ExternalIdentities: [] });
  });

  it("answers typed errors: half a link, an unknown or another pool's connection, an identity already taken", async () => {
    const s = await createConnection(svc);
    const other = await createConnection(svc);
    const base = { UserPoolUid: s.UserPoolUid, Email: "e@example.com" };
    expect(codeOf(await svc.call("CreateUser", { ...base, ExternalProviderUserIdentifier: "x" }))).toBe(
      "MissingParameter.ExternalProviderConnectionUid",
    );
    expect(codeOf(await svc.call("CreateUser", { ...base, ExternalProviderConnectionUid: s.ConnectionUid }))).toBe(
      "MissingParameter.ExternalProviderUserIdentifier",
    );
    const unknown = await svc.call("CreateUser", {
      ...base,
      ExternalProviderConnectionUid: "no-such-connection",
      ExternalProviderUserIdentifier: "x",
    });
    expect([codeOf(unknown), messageOf(unknown)]).toEqual(["NotFound", "resource IdentityProvider no-such-connection does not exist"]);
    expect(
      codeOf(
        await svc.call("CreateUser", { ...base, ExternalProviderConnectionUid: other.ConnectionUid, ExternalProviderUserIdentifier: "x" }),
      ),
    ).toBe("NotFound");
    await federated(s, "taken");
    const dup = await svc.call("CreateUser", {
      ...base,
      ExternalProviderConnectionUid: s.ConnectionUid,
      ExternalProviderUserIdentifier: "taken",
    });
    expect(codeOf(dup)).toBe("Duplicated");
    expect(messageOf(dup)).toContain(`"taken" of IdentityProvider ${s.ConnectionUid}`);
    // The refused user was not left behind; the pool counts only the created one.
    expect((await svc.ok("GetUserPool", { UserPoolUid: s.UserPoolUid })).TotalUsers).toBe(1);
    expect(await linkRows(s.UserPoolUid)).toHaveLength(1);
  });

  it("CreateUsers: each item's identifier, duplicates in and before the batch, and federated users sharing an Email", async () => {
    const s = await createConnection(svc);
    const holder = await federated(s, "held");
    await newUser(svc, s.UserPoolUid, { Email: "shared@example.com" });
    const r = await svc.ok("CreateUsers", {
      UserPoolUid: s.UserPoolUid,
      ExternalProviderConnectionUid: s.ConnectionUid,
      Users: [
        { Email: "shared@example.com", ExternalProviderUserIdentifier: "u0" },
        { Email: "shared@example.com", ExternalProviderUserIdentifier: "u1" },
        { Email: "c@example.com", ExternalProviderUserIdentifier: "u0" },
        { Email: "d@example.com", ExternalProviderUserIdentifier: "held" },
        { Email: "e@example.com" },
        { Email: "shared@example.com", ExternalProviderUserIdentifier: "u5", Password: "a-long-enough-password" },
      ],
    });
    outputOf("CreateUsers").parse(r);
    expect(r.SuccessfulUidsStructured.map((x: Record<string, unknown>) => [x.Index, x.ExternalProviderUserIdentifier])).toEqual([
      [0, "u0"],
      [1, "u1"],
    ]);
    expect(
      r.ErrorsStructured.map((e: Record<string, unknown>) => [
        e.Index,
        e.Code,
        e.Field,
        e.DuplicatedUserUid,
        e.ExternalProviderUserIdentifier,
      ]),
    ).toEqual([
      [2, "Duplicated", "ExternalProviderUserIdentifier", "", "u0"],
      [3, "Duplicated", "ExternalProviderUserIdentifier", holder.Uid, "held"],
      [4, "MissingParameter.ExternalProviderUserIdentifier", "ExternalProviderUserIdentifier", "", ""],
      // With a Password the user is native: its Email must be unique among native users.
      [5, "Duplicated", "Email", expect.any(String), "u5"],
    ]);
    for (const uid of r.SuccessfulUids)
      expect(await getUser(s.UserPoolUid, uid)).toMatchObject({ Connection: s.ConnectionUid, Email: "shared@example.com" });
    expect((await svc.ok("GetUserPool", { UserPoolUid: s.UserPoolUid })).TotalUsers).toBe(4);
    expect(
      codeOf(
        await svc.call("CreateUsers", {
          UserPoolUid: s.UserPoolUid,
          ExternalProviderConnectionUid: "nope",
          Users: [{ Email: "f@example.com", ExternalProviderUserIdentifier: "f" }],
        }),
      ),
    ).toBe("NotFound");
  });
});

describe("LinkIdentityProviderToUser and DisableIdentityProviderForUser", () => {
  it("links, shows the link, refuses a taken identity or a second one of the connection, unlinks, and NotFound once gone", async () => {
    const s = await linkSetup(svc);
    const params = linkParams(s, s.userUid, "ext-42");
    const linked = await svc.ok("LinkIdentityProviderToUser", params);
    outputOf("LinkIdentityProviderToUser").parse(linked);
    const user = await getUser(s.UserPoolUid, s.userUid);
    expect(user.Connection).toBe("");
    expect(user.ExternalIdentities).toMatchObject([
      { ConnectionUid: s.ConnectionUid, ExternalProviderUserIdentifier: "ext-42", LinkSource: "LINK", ConnectionType: "OAUTH" },
    ]);
    const other = await newUser(svc, s.UserPoolUid);
    expect(codeOf(await svc.call("LinkIdentityProviderToUser", linkParams(s, other.uid, "ext-42")))).toBe("Duplicated");
    expect(codeOf(await svc.call("LinkIdentityProviderToUser", params))).toBe("Duplicated");
    const second = await svc.call("LinkIdentityProviderToUser", linkParams(s, s.userUid, "ext-43"));
    expect([codeOf(second), messageOf(second)]).toEqual([
      "Duplicated",
      `resource an identity of IdentityProvider ${s.ConnectionUid} linked to User ${s.userUid} already exists`,
    ]);
    // Another connection of the pool: a second identity of the same user is fine.
    const gitlab = await createConnection(svc, s.UserPoolUid);
    await svc.ok("LinkIdentityProviderToUser", linkParams(gitlab, s.userUid, "ext-42"));
    expect((await getUser(s.UserPoolUid, s.userUid)).ExternalIdentities).toHaveLength(2);

    outputOf("DisableIdentityProviderForUser").parse(await svc.ok("DisableIdentityProviderForUser", params));
    expect((await getUser(s.UserPoolUid, s.userUid)).ExternalIdentities.map((e: { ConnectionUid: string }) => e.ConnectionUid)).toEqual([
      gitlab.ConnectionUid,
    ]);
    const again = await svc.call("DisableIdentityProviderForUser", params);
    expect([codeOf(again), messageOf(again)]).toEqual([
      "NotFound",
      `resource ExternalIdentity "ext-42" of IdentityProvider ${s.ConnectionUid} linked to User ${s.userUid} does not exist`,
    ]);
    // The identity is free again: another user may take it.
    await svc.ok("LinkIdentityProviderToUser", linkParams(s, other.uid, "ext-42"));
  });

  it("names what is missing: pool, connection (unknown or another pool's), user", async () => {
    const s = await linkSetup(svc);
    const elsewhere = await createConnection(svc);
    for (const action of ["LinkIdentityProviderToUser", "DisableIdentityProviderForUser"]) {
      const cases: [Record<string, unknown>, string][] = [
        [{ ...linkParams(s, s.userUid), UserPoolUid: "no-such-pool" }, "UserPool no-such-pool"],
        [linkParams({ ...s, ConnectionUid: "no-such-connection" }, s.userUid), "IdentityProvider no-such-connection"],
        [linkParams({ ...s, ConnectionUid: elsewhere.ConnectionUid }, s.userUid), `IdentityProvider ${elsewhere.ConnectionUid}`],
        [linkParams(s, "no-such-user"), "User no-such-user"],
      ];
      for (const [params, resource] of cases) {
        const env = await svc.call(action, params);
        expect([action, codeOf(env), messageOf(env)]).toEqual([action, "NotFound", `resource ${resource} does not exist`]);
      }
    }
    expect(codeOf(await svc.call("LinkIdentityProviderToUser", { ...linkParams(s, s.userUid), ExternalProviderUserId: "  " }))).toBe(
      "MissingParameter.ExternalProviderUserId",
    );
    expect(
      codeOf(await svc.call("LinkIdentityProviderToUser", { ...linkParams(s, s.userUid), ExternalProviderUserId: "x".repeat(513) })),
    ).toBe("InvalidParameter.ExternalProviderUserId");
  });

  it("refuses readonly keys and another account's resources", async () => {
    const s = await linkSetup(svc);
    const params = linkParams(s, s.userUid);
    for (const [action, p] of [
      ["LinkIdentityProviderToUser", params],
      ["DisableIdentityProviderForUser", params],
      ["BatchConvertFederatedUsersToNativeUsers", { UserPoolUid: s.UserPoolUid, UserUids: [s.userUid] }],
    ] as const) {
      expect([action, codeOf(await svc.call(action, p, { key: svc.readonly }))]).toEqual([action, "AccessDenied"]);
      expect([action, codeOf(await svc.call(action, p, { key: svc.otherAdmin }))]).toEqual([action, "NotFound"]);
    }
    expect(await linkRows(s.UserPoolUid)).toEqual([]);
  });
});

describe("one identity, one user, under concurrency", () => {
  it("parallel links of one identity to many users: exactly one wins, the others are Duplicated", async () => {
    const s = await linkSetup(svc);
    const users = [s.userUid, ...(await Promise.all(Array.from({ length: 15 }, () => newUser(svc, s.UserPoolUid)))).map((u) => u.uid)];
    const results = await Promise.all(users.map((uid) => svc.call("LinkIdentityProviderToUser", linkParams(s, uid, "contested"))));
    const codes = results.map(codeOf);
    expect(codes.filter((c) => c === "OK")).toHaveLength(1);
    expect(codes.filter((c) => c === "Duplicated")).toHaveLength(users.length - 1);
    const rows = await linkRows(s.UserPoolUid);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.user_uid).toBe(users[codes.indexOf("OK")]);
  }, 120_000);

  it("parallel creates from one identity: exactly one user is created", async () => {
    const s = await createConnection(svc);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        svc.call("CreateUser", {
          UserPoolUid: s.UserPoolUid,
          Email: `racer${i}@example.com`,
          ExternalProviderConnectionUid: s.ConnectionUid,
          ExternalProviderUserIdentifier: "same",
        }),
      ),
    );
    const codes = results.map(codeOf);
    expect(codes.filter((c) => c === "OK")).toHaveLength(1);
    expect(codes.filter((c) => c === "Duplicated")).toHaveLength(11);
    expect((await svc.ok("GetUserPool", { UserPoolUid: s.UserPoolUid })).TotalUsers).toBe(1);
  }, 120_000);
});

describe("cascades", () => {
  it("deleting a connection removes its links and keeps its users; deleting a user or the pool removes theirs", async () => {
    const s = await linkSetup(svc);
    const fed = await federated(s, "f-1");
    await svc.ok("LinkIdentityProviderToUser", linkParams(s, s.userUid, "n-1"));
    const keep = await createConnection(svc, s.UserPoolUid);
    await svc.ok("LinkIdentityProviderToUser", linkParams(keep, s.userUid, "n-2"));
    expect(await linkRows(s.UserPoolUid)).toHaveLength(3);

    await svc.ok("DeleteIdentityProvider", { UserPoolUid: s.UserPoolUid, ConnectionUid: s.ConnectionUid });
    expect((await linkRows(s.UserPoolUid)).map((r) => r.external_user_id)).toEqual(["n-2"]);
    // The federated user stays federated, its Connection still naming where it came from.
    expect(await getUser(s.UserPoolUid, fed.Uid)).toMatchObject({ Connection: s.ConnectionUid, ExternalIdentities: [] });

    await svc.ok("DeleteUsers", { UserPoolUid: s.UserPoolUid, UserUids: [s.userUid] });
    expect(await linkRows(s.UserPoolUid)).toEqual([]);

    const t = await linkSetup(svc);
    await svc.ok("LinkIdentityProviderToUser", linkParams(t, t.userUid));
    await svc.ok("DeleteUserPool", { UserPoolUid: t.UserPoolUid });
    expect(await linkRows(t.UserPoolUid)).toEqual([]);
  });
});

describe("BatchConvertFederatedUsersToNativeUsers", () => {
  it("converts where the identifiers are free among native users, reports conflicts by Field, keeps the links", async () => {
    const s = await linkSetup(svc);
    const clash = await federated(s, "a", { Email: s.email.toUpperCase() });
    const free = await federated(s, "b", { PreferredUsername: "free-name" });
    const first = await federated(s, "c", { PreferredUsername: "twin" });
    const second = await federated(s, "d", { PreferredUsername: "TWIN" });
    const r = await svc.ok("BatchConvertFederatedUsersToNativeUsers", {
      UserPoolUid: s.UserPoolUid,
      UserUids: [clash.Uid, free.Uid, first.Uid, second.Uid, s.userUid, free.Uid],
    });
    outputOf("BatchConvertFederatedUsersToNativeUsers").parse(r);
    expect(r.SuccessfulUids).toEqual([free.Uid, first.Uid, s.userUid]);
    expect(r.ConflictUsers).toEqual([
      { Field: "Email", UserUids: [clash.Uid] },
      { Field: "PreferredUsername", UserUids: [second.Uid] },
    ]);
    expect(await getUser(s.UserPoolUid, free.Uid)).toMatchObject({
      Connection: "",
      ExternalIdentities: [{ ExternalProviderUserIdentifier: "b", LinkSource: "CREATE" }],
    });
    expect((await getUser(s.UserPoolUid, clash.Uid)).Connection).toBe(s.ConnectionUid);
    // Now native, its username is a unique sign-in name of the pool.
    expect(codeOf(await svc.call("CreateUser", { UserPoolUid: s.UserPoolUid, PreferredUsername: "Free-Name" }))).toBe("Duplicated");
  });

  it("an unknown uid is NotFound and converts nothing; a federated user has no password until converted", async () => {
    const pool = await newPool(svc);
    const s = await createConnection(svc, pool);
    const fed = await federated(s, "p");
    const env = await svc.call("BatchConvertFederatedUsersToNativeUsers", { UserPoolUid: pool, UserUids: [fed.Uid, "ghost"] });
    expect([codeOf(env), messageOf(env)]).toEqual(["NotFound", "resource User ghost does not exist"]);
    expect((await getUser(pool, fed.Uid)).Connection).toBe(s.ConnectionUid);
    expect(codeOf(await svc.call("BatchConvertFederatedUsersToNativeUsers", { UserPoolUid: pool, UserUids: [] }))).toBe(
      "MissingParameter.UserUids",
    );
    expect(codeOf(await svc.call("BatchConvertFederatedUsersToNativeUsers", { UserPoolUid: "no-such-pool", UserUids: [fed.Uid] }))).toBe(
      "NotFound",
    );

    expect(codeOf(await svc.call("UpdateUser", { UserPoolUid: pool, UserUid: fed.Uid, Password: "a-long-enough-password" }))).toBe(
      "InvalidParameter.Password",
    );
    expect(codeOf(await svc.call("ResetPassword", { UserPoolUid: pool, UserUid: fed.Uid }))).toBe("InvalidRequest");
    await svc.ok("BatchConvertFederatedUsersToNativeUsers", { UserPoolUid: pool, UserUids: [fed.Uid] });
    await svc.ok("UpdateUser", { UserPoolUid: pool, UserUid: fed.Uid, Password: "a-long-enough-password" });
  });
});

describe("ListUsers with linking filters", () => {
  it("filters by Connection and by ExternalProviderUserIdentifiersOr, and lists ExternalIdentities", async () => {
    const s = await linkSetup(svc);
    const other = await createConnection(svc, s.UserPoolUid);
    const a = await federated(s, "id-a");
    const b = await federated(other, "id-b");
    await svc.ok("LinkIdentityProviderToUser", linkParams(other, s.userUid, "id-a"));
    const uids = (r: { Data: { Uid: string }[] }) => r.Data.map((u) => u.Uid).sort();
    const list = (Filter: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      svc.ok("ListUsers", { UserPoolUid: s.UserPoolUid, Filter, ...extra });

    expect(uids(await list({ Connection: s.ConnectionUid }))).toEqual([a.Uid]);
    expect(uids(await list({ Connection: other.ConnectionUid }))).toEqual([b.Uid]);
    expect(uids(await list({ ExternalProviderUserIdentifiersOr: ["id-a"] }))).toEqual([a.Uid, s.userUid].sort());
    expect(uids(await list({ ExternalProviderUserIdentifiersOr: ["id-a", "id-b", "nobody"] }))).toEqual([a.Uid, b.Uid, s.userUid].sort());
    expect(uids(await list({ ExternalProviderUserIdentifiersOr: ["id-a"], Connection: s.ConnectionUid }))).toEqual([a.Uid]);
    expect((await list({ ExternalProviderUserIdentifiersOr: [] })).TotalCount).toBe(0);
    const paged = await list({ ExternalProviderUserIdentifiersOr: ["id-a", "id-b"] }, { MaxResults: 2 });
    expect(paged.TotalCount).toBe(3);
    expect(paged.NextToken).not.toBe("");
    const all = await svc.ok("ListUsers", { UserPoolUid: s.UserPoolUid });
    outputOf("ListUsers").parse(all);
    const linked = all.Data.find((u: { Uid: string }) => u.Uid === s.userUid);
    expect(linked.ExternalIdentities).toMatchObject([
      { ConnectionUid: other.ConnectionUid, ExternalProviderUserIdentifier: "id-a", LinkSource: "LINK" },
    ]);
    expect(await getUser(s.UserPoolUid, s.userUid)).toEqual(linked);
  });
});

describe("ListUsers *IsDuplicated, now that federated users may share an identifier", () => {
  it("lists every user holding an Email or PhoneNumber that another user of the pool holds too", async () => {
    const s = await createConnection(svc);
    const native = await newUser(svc, s.UserPoolUid, { Email: "Same@example.com", PhoneNumber: "+8613800138000" });
    const twin = await federated(s, "t-1", { Email: "same@example.com" });
    const phone = await federated(s, "t-2", { PhoneNumber: "+8613800138000" });
    await federated(s, "t-3", { Email: "alone@example.com" });
    const uids = async (Filter: Record<string, unknown>) =>
      (await svc.ok("ListUsers", { UserPoolUid: s.UserPoolUid, Filter })).Data.map((u: { Uid: string }) => u.Uid).sort();
    expect(await uids({ EmailIsDuplicated: true })).toEqual([native.uid, twin.Uid].sort());
    expect(await uids({ PhoneNumberIsDuplicated: true })).toEqual([native.uid, phone.Uid].sort());
    expect(await uids({ EmailIsDuplicated: true, PhoneNumberIsDuplicated: true })).toEqual([native.uid]);
    expect(await uids({ EmailIsDuplicated: false })).toHaveLength(4);
  });
});
