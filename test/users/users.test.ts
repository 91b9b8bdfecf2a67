// Users end to end through the official SDK against a real server and a real database: single
// users (fields, uniqueness, identifiers, password policy and hashing, updates) and batches.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchOutput, userActions } from "../../src/users/actions.js";
import { hashPassword } from "../../src/users/password.js";
import { verifyPassword } from "../../src/users/service.js";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { callPatiently, newPool, newUser } from "../support/families/users.js";

const outputOf = (name: string) => userActions.find((a) => a.name === name)!.output;
let svc: TestService;
let small: TestService;

beforeAll(async () => {
  [svc, small] = await Promise.all([startTestService(), startTestService({ env: { ID_QUOTA_USERS_PER_POOL: "3" } })]);
});
afterAll(async () => {
  await Promise.all([svc.close(), small.close()]);
});

const totalUsers = async (s: TestService, poolUid: string) => (await s.ok("GetUserPool", { UserPoolUid: poolUid })).TotalUsers as number;

describe("single users", () => {
  it("creates a user with every field, returns it without any password, and counts it in the pool", async () => {
    const pool = await newPool(svc);
    const user = await svc.ok("CreateUser", {
      UserPoolUid: pool,
      PreferredUsername: "Alice",
      Email: "Alice@Example.com",
      EmailVerified: true,
      PhoneNumber: "+8613800138000",
      Name: "Alice Liddell",
      GivenName: "Alice",
      FamilyName: "Liddell",
      MiddleName: "P",
      Nickname: "al",
      UserMetadata: '{"plan": "gold",  "seats":3}',
      Password: "correct horse battery",
    });
    outputOf("CreateUser").parse(user);
    expect(user).toMatchObject({
      PreferredUsername: "Alice",
      Email: "Alice@Example.com",
      EmailVerified: true,
      PhoneNumberVerified: false,
      UserState: "ACTIVE",
      UserMetadata: '{"plan": "gold",  "seats":3}',
    });
    expect(JSON.stringify(user)).not.toMatch(/password|horse/i);
    expect(await svc.ok("GetUser", { UserPoolUid: pool, UserUid: user.Uid })).toEqual(user);
    expect(await totalUsers(svc, pool)).toBe(1);
    const row = await svc.deps.db.selectFrom("users").select("password_hash").where("uid", "=", user.Uid).executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword(svc.deps, svc.accountId, pool, user.Uid, "correct horse battery")).toBe(true);
    expect(await verifyPassword(svc.deps, svc.accountId, pool, user.Uid, "correct horse batterY")).toBe(false);
  });

  it("upgrades a hash made with weaker scrypt parameters when the password next verifies", async () => {
    const pool = await newPool(svc);
    const { uid } = await newUser(svc, pool);
    const weak = await hashPassword("an old-style password", { N: 1024, r: 8, p: 1 });
    await svc.deps.db.updateTable("users").set({ password_hash: weak }).where("uid", "=", uid).execute();
    const stored = () => svc.deps.db.selectFrom("users").select("password_hash").where("uid", "=", uid).executeTakeFirstOrThrow();
    expect(await verifyPassword(svc.deps, svc.accountId, pool, uid, "wrong password")).toBe(false);
    expect((await stored()).password_hash).toBe(weak);
    expect(await verifyPassword(svc.deps, svc.accountId, pool, uid, "an old-style password")).toBe(true);
    expect((await stored()).password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword(svc.deps, svc.accountId, pool, uid, "an old-style password")).toBe(true);
  });

  it("keeps Email and PreferredUsername unique case-insensitively and PhoneNumber exactly", async () => {
    const pool = await newPool(svc);
    await svc.ok("CreateUser", { UserPoolUid: pool, Email: "bob@example.com", PreferredUsername: "bob", PhoneNumber: "+4915112345678" });
    const dupEmail = await svc.call("CreateUser", { UserPoolUid: pool, Email: "BOB@example.COM" });
    expect(codeOf(dupEmail)).toBe("Duplicated");
    expect(dupEmail.ResponseMetadata.Error!.Message).toMatch(/Email.*already exists/);
    expect(codeOf(await svc.call("CreateUser", { UserPoolUid: pool, PreferredUsername: "BoB" }))).toBe("Duplicated");
    expect(codeOf(await svc.call("CreateUser", { UserPoolUid: pool, PhoneNumber: "+4915112345678" }))).toBe("Duplicated");
    await svc.ok("CreateUser", { UserPoolUid: pool, PhoneNumber: "+4915112345679" });
    // Another pool is another namespace.
    await svc.ok("CreateUser", { UserPoolUid: await newPool(svc), Email: "bob@example.com" });
    expect(await totalUsers(svc, pool)).toBe(2);
  });

  it("needs at least one identifier and validates each field", async () => {
    const pool = await newPool(svc);
    const none = await svc.call("CreateUser", { UserPoolUid: pool, Name: "nobody" });
    expect(codeOf(none)).toBe("MissingParameter.PreferredUsername");
    expect(none.ResponseMetadata.Error!.Message).toMatch(/at least one of PreferredUsername, Email or PhoneNumber/);
    expect(codeOf(await svc.call("CreateUser", { UserPoolUid: pool, Email: "not-an-email" }))).toBe("InvalidParameter.Email");
    expect(codeOf(await svc.call("CreateUser", { UserPoolUid: pool, PhoneNumber: "13800138000" }))).toBe("InvalidParameter.PhoneNumber");
    expect(codeOf(await svc.call("CreateUser", { UserPoolUid: pool, PreferredUsername: "has space" }))).toBe(
      "InvalidParameter.PreferredUsername",
    );
    expect(codeOf(await svc.call("CreateUser", { UserPoolUid: pool, Email: "a@b.co", UserMetadata: "[1,2]" }))).toBe(
      "InvalidParameter.UserMetadata",
    );
    expect(codeOf(await svc.call("CreateUser", { UserPoolUid: pool, Email: "a@b.co", UserState: "GONE" }))).toBe(
      "InvalidParameter.UserState",
    );
    expect(codeOf(await svc.call("CreateUser", { UserPoolUid: "no-such-pool", Email: "a@b.co" }))).toBe("NotFound");
    expect(codeOf(await svc.call("CreateUser", { Email: "a@b.co" }))).toBe("MissingParameter.UserPoolUid");
    expect(await totalUsers(svc, pool)).toBe(0);
  });

  it("enforces the pool's PasswordPolicy, naming the rule that failed", async () => {
    const pool = await newPool(svc, {
      PasswordPolicy: { MinLength: 10, RequireUppercase: true, RequireLowercase: true, RequireDigits: true, RequireSymbols: true },
    });
    const cases: [string, RegExp][] = [
      ["Sh0rt!", /MinLength of 10/],
      ["nouppercase1!", /RequireUppercase/],
      ["NOLOWERCASE1!", /RequireLowercase/],
      ["NoDigitsHere!", /RequireDigits/],
      ["NoSymbols123", /RequireSymbols/],
    ];
    for (const [password, rule] of cases) {
      const env = await svc.call("CreateUser", { UserPoolUid: pool, Email: "p@example.com", Password: password });
      expect(codeOf(env)).toBe("InvalidParameter.Password");
      expect(env.ResponseMetadata.Error!.Message).toMatch(rule);
      expect(env.ResponseMetadata.Error!.Message).not.toContain(password);
    }
    await svc.ok("CreateUser", { UserPoolUid: pool, Email: "p@example.com", Password: "Good-Passw0rd" });
  });

  it("updates only the given fields; a new Email is unverified; clearing the last identifier is refused", async () => {
    const pool = await newPool(svc);
    const { uid } = await newUser(svc, pool, { EmailVerified: true, Nickname: "n1", Name: "Keep" });
    await newUser(svc, pool, { Email: "taken@example.com" });
    const updated = await svc.ok("UpdateUser", {
      UserPoolUid: pool,
      UserUid: uid,
      Nickname: "n2",
      Email: "new@example.com",
      UserMetadata: "{}",
    });
    outputOf("UpdateUser").parse(updated);
    expect(updated).toMatchObject({ Nickname: "n2", Name: "Keep", Email: "new@example.com", EmailVerified: false });
    expect(codeOf(await svc.call("UpdateUser", { UserPoolUid: pool, UserUid: uid, Email: "TAKEN@example.com" }))).toBe("Duplicated");
    expect(codeOf(await svc.call("UpdateUser", { UserPoolUid: pool, UserUid: uid, Email: "" }))).toBe("InvalidParameter.Email");
    const withName = await svc.ok("UpdateUser", { UserPoolUid: pool, UserUid: uid, PreferredUsername: "kept", Email: "" });
    expect(withName).toMatchObject({ Email: "", PreferredUsername: "kept" });
    expect(
      codeOf(await svc.call("UpdateUser", { UserPoolUid: pool, UserUid: "00000000-0000-0000-0000-000000000000", Nickname: "x" })),
    ).toBe("NotFound");
    expect(codeOf(await svc.call("UpdateUser", { UserPoolUid: pool, UserUid: uid, Password: "short" }))).toBe("InvalidParameter.Password");
    await svc.ok("UpdateUser", { UserPoolUid: pool, UserUid: uid, Password: "a fine new password", UserState: "DISABLED" });
    expect(await verifyPassword(svc.deps, svc.accountId, pool, uid, "a fine new password")).toBe(true);
    expect((await svc.ok("GetUser", { UserPoolUid: pool, UserUid: uid })).UserState).toBe("DISABLED");
  });

  it("answers NotFound for unknown and garbage uids, never a 500", async () => {
    const pool = await newPool(svc);
    for (const uid of ["00000000-0000-0000-0000-000000000000", "'; drop table users; --", "x".repeat(128)]) {
      expect(codeOf(await svc.call("GetUser", { UserPoolUid: pool, UserUid: uid }))).toBe("NotFound");
    }
    expect(codeOf(await svc.call("GetUser", { UserPoolUid: "nope", UserUid: "nope" }))).toBe("NotFound");
  });

  it("lets a readonly key read but not write", async () => {
    const pool = await newPool(svc);
    const { uid } = await newUser(svc, pool);
    await svc.ok("GetUser", { UserPoolUid: pool, UserUid: uid }, { key: svc.readonly });
    await svc.ok("ListUsers", { UserPoolUid: pool }, { key: svc.readonly });
    expect(codeOf(await svc.call("CreateUser", { UserPoolUid: pool, Email: "r@example.com" }, { key: svc.readonly }))).toBe("AccessDenied");
    expect(codeOf(await svc.call("ResetPassword", { UserPoolUid: pool, UserUid: uid }, { key: svc.readonly }))).toBe("AccessDenied");
  });
});

describe("batches", () => {
  it("creates what it can and reports each bad item at its index", async () => {
    const pool = await newPool(svc);
    await newUser(svc, pool, { Email: "exists@example.com" });
    const result = await svc.ok("CreateUsers", {
      UserPoolUid: pool,
      Users: [
        { Email: "ok1@example.com", Password: "long enough password" },
        { Email: "bad email" },
        { Email: "EXISTS@example.com" },
        { email: "ok2@example.com", nickname: "any casing works" },
        { Email: "OK2@example.com" },
        { Nickname: "no identifier" },
        { PreferredUsername: "weak", Password: "short" },
        "not an object",
        { Email: "nul@example.com", Nickname: "a\u0000b" },
      ],
    });
    outputOf("CreateUsers").parse(result);
    expect(result).toMatchObject({ SuccessCount: 2, FailureCount: 7 });
    expect(result.SuccessfulUids).toHaveLength(2);
    expect(result.Errors).toHaveLength(7);
    expect(result.ErrorsStructured.map((e: { Index: number; Code: string; Field: string }) => [e.Index, e.Code, e.Field])).toEqual([
      [1, "InvalidParameter.Email", "Email"],
      [2, "Duplicated", "Email"],
      [4, "Duplicated", "Email"],
      [5, "MissingParameter.PreferredUsername", "PreferredUsername"],
      [6, "InvalidParameter.Password", "Password"],
      [7, "InvalidParameter.Users", "Users"],
      // Postgres cannot store NUL: that item alone is refused, not the whole batch.
      [8, "InvalidParameter.Nickname", "Nickname"],
    ]);
    expect(await totalUsers(svc, pool)).toBe(3);
    const second = await svc.ok("GetUser", { UserPoolUid: pool, UserUid: result.SuccessfulUids[1] });
    expect(second).toMatchObject({ Email: "ok2@example.com", Nickname: "any casing works" });
  });

  it("creates 100 users with passwords in one call, and refuses 101", async () => {
    const pool = await newPool(svc);
    const users = Array.from({ length: 100 }, (_, i) => ({ PreferredUsername: `bulk${i}`, Password: `bulk password ${i}` }));
    const env = await callPatiently(svc, "CreateUsers", { UserPoolUid: pool, Users: users }, 170_000);
    const result = batchOutput.parse(env.Result);
    expect(result).toMatchObject({ SuccessCount: 100, FailureCount: 0 });
    expect(await totalUsers(svc, pool)).toBe(100);
    expect(await verifyPassword(svc.deps, svc.accountId, pool, result.SuccessfulUids[42]!, "bulk password 42")).toBe(true);
    const tooMany = await svc.call("CreateUsers", { UserPoolUid: pool, Users: [...users, { PreferredUsername: "one-more" }] });
    expect(codeOf(tooMany)).toBe("InvalidParameter.Users");
    expect(codeOf(await svc.call("CreateUsers", { UserPoolUid: pool, Users: [] }))).toBe("MissingParameter.Users");
  }, 200_000);

  it("deletes known users, reports unknown and repeated uids, and keeps TotalUsers right", async () => {
    const pool = await newPool(svc);
    const a = await newUser(svc, pool);
    const b = await newUser(svc, pool);
    await newUser(svc, pool);
    const result = await svc.ok("DeleteUsers", { UserPoolUid: pool, UserUids: [a.uid, "ghost", b.uid, a.uid, ""] });
    outputOf("DeleteUsers").parse(result);
    expect(result).toMatchObject({ SuccessCount: 2, FailureCount: 3, SuccessfulUids: [a.uid, b.uid] });
    expect(result.ErrorsStructured.map((e: { Index: number; Code: string }) => [e.Index, e.Code])).toEqual([
      [1, "NotFound"],
      [3, "NotFound"],
      [4, "NotFound"],
    ]);
    expect(await totalUsers(svc, pool)).toBe(1);
    expect(codeOf(await svc.call("GetUser", { UserPoolUid: pool, UserUid: a.uid }))).toBe("NotFound");
    expect(codeOf(await svc.call("DeleteUsers", { UserPoolUid: "no-such-pool", UserUids: [b.uid] }))).toBe("NotFound");
  });

  it("enforces usersPerPool: singles get QuotaExceeded, a batch fills what room is left", async () => {
    const pool = await newPool(small);
    const result = await small.ok("CreateUsers", {
      UserPoolUid: pool,
      Users: [1, 2, 3, 4, 5].map((i) => ({ Email: `q${i}@example.com` })),
    });
    expect(result).toMatchObject({ SuccessCount: 3, FailureCount: 2 });
    expect(result.ErrorsStructured.map((e: { Index: number; Code: string }) => [e.Index, e.Code])).toEqual([
      [3, "QuotaExceeded"],
      [4, "QuotaExceeded"],
    ]);
    expect(codeOf(await small.call("CreateUser", { UserPoolUid: pool, Email: "q9@example.com" }))).toBe("QuotaExceeded");
    await small.ok("DeleteUsers", { UserPoolUid: pool, UserUids: [result.SuccessfulUids[0]] });
    await small.ok("CreateUser", { UserPoolUid: pool, Email: "q9@example.com" });
    expect(await totalUsers(small, pool)).toBe(3);
  });

  it("deleting the pool deletes its users", async () => {
    const pool = await newPool(svc);
    await svc.ok("CreateUsers", { UserPoolUid: pool, Users: [{ Email: "d1@example.com" }, { Email: "d2@example.com" }] });
    await svc.ok("DeleteUserPool", { UserPoolUid: pool });
    const left = await svc.deps.db
      .selectFrom("users")
      .select("uid")
      .where("account_id", "=", svc.accountId)
      .where("user_pool_uid", "=", pool)
      .execute();
    expect(left).toEqual([]);
  });
});

describe("email addresses (issue 10, finding 6)", () => {
  // Each was created next to victim@corp.example before, and its reset mail went to the victim.
  const ALIASES = ["x<victim@corp.example>", "victim@corp.example,", "foo,victim@corp.example", "victim@corp.example;"];
  const codes = (r: { ErrorsStructured: { Code: string }[] }) => r.ErrorsStructured.map((e) => e.Code);

  it("accepts a plain addr-spec only: the four aliases and every other form that could name another mailbox are InvalidParameter.Email", async () => {
    const pool = await newPool(svc);
    const victim = await svc.ok("CreateUser", { UserPoolUid: pool, Email: "victim@corp.example" });
    const refused = [
      ...ALIASES,
      '"victim"@corp.example',
      "Victim <victim@corp.example>",
      "victim@corp.example (me)",
      "victim%corp.example@relay.example",
      "relay!victim@corp.example",
      "victim@[192.0.2.1]",
      "victim@corp.example.",
      ".victim@corp.example",
      "vic..tim@corp.example",
      "victim@-corp.example",
      "vïctim@corp.example",
      "victim@corp",
      `${"a".repeat(65)}@corp.example`,
    ];
    for (const email of refused)
      expect([email, codeOf(await svc.call("CreateUser", { UserPoolUid: pool, Email: email }))]).toEqual([email, "InvalidParameter.Email"]);
    for (const email of ALIASES) {
      expect(codeOf(await svc.call("UpdateUser", { UserPoolUid: pool, UserUid: victim.Uid, Email: email }))).toBe("InvalidParameter.Email");
      expect(codeOf(await svc.call("ResetPassword", { UserPoolUid: pool, Email: email }))).toBe("InvalidParameter.Email");
    }
    expect(codes(await svc.ok("CreateUsers", { UserPoolUid: pool, Users: ALIASES.map((Email) => ({ Email })) }))).toEqual(
      ALIASES.map(() => "InvalidParameter.Email"),
    );
    expect(await totalUsers(svc, pool)).toBe(1);
    for (const email of ["O'Brien+tag@corp.example", "a.b-c_d@mail.corp.example", "x@xn--bcher-kva.example", "y@example.xn--p1ai"]) {
      await svc.ok("CreateUser", { UserPoolUid: pool, Email: email });
    }
  });

  it("compares uniqueness on the normalised address (trimmed, lower case), in the pool and inside one batch", async () => {
    const pool = await newPool(svc);
    await svc.ok("CreateUser", { UserPoolUid: pool, Email: "victim@corp.example" });
    for (const email of ["VICTIM@corp.example", "victim@CORP.EXAMPLE", "  Victim@Corp.Example  "]) {
      expect(codeOf(await svc.call("CreateUser", { UserPoolUid: pool, Email: email }))).toBe("Duplicated");
    }
    const batch = await svc.ok("CreateUsers", {
      UserPoolUid: pool,
      Users: [{ Email: "pair@corp.example" }, { Email: " PAIR@corp.example" }, { Email: "Victim@corp.example" }],
    });
    expect(codes(batch)).toEqual(["Duplicated", "Duplicated"]);
    const other = await newUser(svc, pool);
    expect(codeOf(await svc.call("UpdateUser", { UserPoolUid: pool, UserUid: other.uid, Email: "Victim@Corp.Example" }))).toBe(
      "Duplicated",
    );
    await svc.ok("ResetPassword", { UserPoolUid: pool, Email: "VICTIM@CORP.EXAMPLE" });
  });

  it("an address stored before the rule stays readable and updatable; ResetPassword refuses it and queues nothing", async () => {
    const pool = await newPool(svc);
    await svc.ok("CreateUser", { UserPoolUid: pool, Email: "victim@corp.example" });
    const uid = `legacy-${Date.now()}`;
    await svc.deps.db
      .insertInto("users")
      .values({ account_id: svc.accountId, user_pool_uid: pool, uid, email: "foo,victim@corp.example" })
      .execute();
    expect(await svc.ok("GetUser", { UserPoolUid: pool, UserUid: uid })).toMatchObject({ Email: "foo,victim@corp.example" });
    expect((await svc.ok("ListUsers", { UserPoolUid: pool })).TotalCount).toBe(2);
    expect(await svc.ok("UpdateUser", { UserPoolUid: pool, UserUid: uid, Nickname: "kept" })).toMatchObject({
      Email: "foo,victim@corp.example",
      Nickname: "kept",
    });
    const env = await svc.call("ResetPassword", { UserPoolUid: pool, UserUid: uid });
    expect(codeOf(env)).toBe("InvalidRequest");
    expect(env.ResponseMetadata.Error!.Message).toMatch(/not a plain address/);
    const queued = await svc.deps.db
      .selectFrom("mail_outbox")
      .select("id")
      .where("account_id", "=", svc.accountId)
      .where("user_pool_uid", "=", pool)
      .execute();
    const tokens = await svc.deps.db
      .selectFrom("password_reset_tokens")
      .select("user_uid")
      .where("account_id", "=", svc.accountId)
      .where("user_uid", "=", uid)
      .execute();
    expect([queued, tokens]).toEqual([[], []]);
    await svc.ok("UpdateUser", { UserPoolUid: pool, UserUid: uid, Email: "foo@corp.example" });
    await svc.ok("ResetPassword", { UserPoolUid: pool, UserUid: uid });
  });
});
