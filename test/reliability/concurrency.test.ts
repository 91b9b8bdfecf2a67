// Concurrency (issue #7 item 3), through the official SDK on a real server: 50 parallel partial
// updates of one resource, each setting one field, lose no field; parallel creates of one unique
// name give exactly one success and Duplicated for the rest; parallel deletes and reads never 5xx.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actions } from "../../src/control-plane/registry.js";
import { codeOf, startTestService, type Envelope, type TestService } from "../support/harness.js";

let svc: TestService;
let pool: string;
beforeAll(async () => {
  // Limits off (throttling, reset mails): the races here must reach the locks they test.
  svc = await startTestService({
    env: { LOG_LEVEL: "warn", ID_RATE_LIMIT_PER_SECOND: "0", ID_RESET_MAIL_PER_USER: "0", ID_RESET_MAIL_PER_ADDRESS: "0" },
  });
  pool = (await svc.ok("CreateUserPool", { Name: "race", ResetPasswordUrl: "https://example.com/reset" })).Uid;
});
afterAll(() => svc?.close());

const PARALLEL = 50;
const fiveXx = (envs: Envelope[]) => envs.filter((e) => /^(InternalError|ServiceUnavailable|DownstreamServerError)/.test(codeOf(e)));

/** A field and how to set and read it: `values[i]` is written by the i-th update of that field. */
interface Field {
  set: (i: number) => Record<string, unknown>;
  read: (r: any) => unknown;
  values: unknown[];
}
const field = (name: string, value: (i: number) => unknown, read = (r: any) => r[name]): [string, Field] => {
  const values = Array.from({ length: PARALLEL }, (_, i) => value(i));
  return [name, { set: (i) => ({ [name]: values[i] }), read, values }];
};
const nested = (outer: string, name: string, value: (i: number) => unknown): [string, Field] => {
  const values = Array.from({ length: PARALLEL }, (_, i) => value(i));
  return [`${outer}.${name}`, { set: (i) => ({ [outer]: { [name]: values[i] } }), read: (r) => r[outer][name], values }];
};

/** An identifier and its verified flag, set together to true. */
const pair = (name: string, value: (i: number) => unknown, flag: string): [string, Field] => {
  const values = Array.from({ length: PARALLEL }, (_, i) => [value(i), true]);
  return [name, { set: (i) => ({ [name]: values[i]![0], [flag]: true }), read: (r) => [r[name], r[flag]], values }];
};

/**
 * Runs PARALLEL updates at once, the i-th setting field i % fields only. Then no field may hold its
 * value from before (a lost update), each holds one of the values written to it, and the final state
 * is the snapshot some update answered (the updates serialized).
 */
async function raceUpdates(
  action: string,
  ref: Record<string, unknown>,
  fields: [string, Field][],
  get: () => Promise<any>,
  snapshots = true,
) {
  const before = await get();
  const envs = await Promise.all(
    Array.from({ length: PARALLEL }, (_, i) => svc.call(action, { ...ref, ...fields[i % fields.length]![1].set(i) })),
  );
  expect(fiveXx(envs)).toEqual([]);
  expect(envs.map(codeOf)).toEqual(envs.map(() => "OK"));
  for (const e of envs) actions.get(action)!.output.parse(e.Result);
  const after = await get();
  for (const [name, f] of fields) {
    const written = f.values.filter((_, i) => i % fields.length === fields.findIndex(([n]) => n === name));
    expect(f.read(after), `${name} lost its update`).not.toEqual(f.read(before));
    expect(written, `${name} holds a value nobody wrote`).toContainEqual(f.read(after));
  }
  if (snapshots) {
    const view = (r: any) => JSON.stringify(fields.map(([, f]) => f.read(r)));
    expect(envs.map((e) => view(e.Result))).toContain(view(after));
  }
}

describe("50 parallel partial updates of one resource lose no field", () => {
  it("UpdateUserPool: Name, Description, five PasswordPolicy fields, scopes, URL and TTL", async () => {
    await raceUpdates(
      "UpdateUserPool",
      { UserPoolUid: pool },
      [
        field("Name", (i) => `race-${i}`),
        field("Description", (i) => `description ${i}`),
        nested("PasswordPolicy", "MinLength", (i) => 20 + i),
        nested("PasswordPolicy", "RequireUppercase", () => true),
        nested("PasswordPolicy", "RequireLowercase", () => true),
        nested("PasswordPolicy", "RequireDigits", () => true),
        nested("PasswordPolicy", "RequireSymbols", () => true),
        field("CustomScopes", (i) => [`scope:${i}`]),
        field("ResetPasswordUrl", (i) => `https://example.com/reset/${i}`),
        field("ResetTokenTtlSeconds", (i) => 600 + i),
      ],
      () => svc.ok("GetUserPool", { UserPoolUid: pool }),
    );
  });

  it("UpdateUser: names, identifiers, metadata, state and verified flags", async () => {
    const user = (await svc.ok("CreateUser", { UserPoolUid: pool, PreferredUsername: "racer" })).Uid;
    await raceUpdates(
      "UpdateUser",
      { UserPoolUid: pool, UserUid: user },
      [
        field("PreferredUsername", (i) => `racer-${i}`),
        // A changed Email (PhoneNumber) resets EmailVerified (PhoneNumberVerified) by design: one update sets the pair.
        pair("Email", (i) => `racer-${i}@example.com`, "EmailVerified"),
        pair("PhoneNumber", (i) => `+861380000${String(i).padStart(4, "0")}`, "PhoneNumberVerified"),
        field("Name", (i) => `name ${i}`),
        field("GivenName", (i) => `given ${i}`),
        field("FamilyName", (i) => `family ${i}`),
        field("MiddleName", (i) => `middle ${i}`),
        field("Nickname", (i) => `nick ${i}`),
        field("UserMetadata", (i) => `{"i":${i}}`),
        field("UserState", () => "DISABLED"),
      ],
      () => svc.ok("GetUser", { UserPoolUid: pool, UserUid: user }),
    );
  });

  it("UpdateIdentityProviderOAuth: endpoints, client, scopes and ProviderOptions fields", async () => {
    const idp = await svc.ok("CreateIdentityProviderOAuth", {
      UserPoolUid: pool,
      Name: "race-idp",
      ClientId: "cid",
      AuthorizationEndpoint: "https://idp.example.com/a",
      TokenEndpoint: "https://idp.example.com/t",
      UserEndpoint: "https://idp.example.com/u",
      IdAttribute: "sub",
    });
    const ref = { UserPoolUid: pool, ConnectionUid: idp.Uid };
    await raceUpdates(
      "UpdateIdentityProviderOAuth",
      ref,
      [
        field("Name", (i) => `race-idp-${i}`),
        field("ClientId", (i) => `client-${i}`),
        field("AuthorizationEndpoint", (i) => `https://idp.example.com/a/${i}`),
        field("TokenEndpoint", (i) => `https://idp.example.com/t/${i}`),
        field("UserEndpoint", (i) => `https://idp.example.com/u/${i}`),
        field("IdAttribute", (i) => `attr${i}`),
        field("Provider", (i) => `prov${i}`),
        field("Enabled", () => !idp.Enabled),
        field("UsePkce", () => !idp.UsePkce),
        field("ScopesList", (i) => [`s${i}`]),
        nested("ProviderOptions", "AutoLinking", () => (idp.ProviderOptions.AutoLinking === "EMAIL" ? "USERNAME" : "EMAIL")),
        nested("ProviderOptions", "IsLinkingAllowed", () => !idp.ProviderOptions.IsLinkingAllowed),
        nested("ProviderOptions", "IsCreationAllowed", () => !idp.ProviderOptions.IsCreationAllowed),
        nested("ProviderOptions", "IsAutoCreation", () => !idp.ProviderOptions.IsAutoCreation),
        nested("ProviderOptions", "IsAutoUpdate", () => !idp.ProviderOptions.IsAutoUpdate),
      ],
      () => svc.ok("GetIdentityProviderOAuth", ref),
    );
  });

  it("UpdateOAuthCredential: Name, Description, Scope, LogoUri and RedirectUri", async () => {
    const cred = await svc.ok("CreateOAuthCredential", {
      UserPoolUid: pool,
      Name: "race-cred",
      GrantType: "authorization_code",
      Scope: "openid",
      RedirectUri: "https://example.com/cb",
    });
    const scopes = ["openid profile", "openid email", "openid phone", "openid address", "openid offline_access", "profile email"];
    // Its answer holds only CredentialId and SecretVersion, so there is no snapshot to compare.
    await raceUpdates(
      "UpdateOAuthCredential",
      { CredentialId: cred.CredentialId },
      [
        field("Name", (i) => `race-cred-${i}`),
        field("Description", (i) => `description ${i}`),
        field("Scope", (i) => scopes[i % scopes.length]),
        field("LogoUri", (i) => `https://example.com/logo-${i}.png`),
        field("RedirectUri", (i) => [`https://example.com/cb/${i}`]),
      ],
      () => svc.ok("GetOAuthCredential", { CredentialId: cred.CredentialId }),
      false,
    );
  });
});

describe("parallel creates of one unique name", () => {
  const once = async (action: string, params: () => Record<string, unknown>) => {
    const envs = await Promise.all(Array.from({ length: 20 }, () => svc.call(action, params())));
    expect(fiveXx(envs)).toEqual([]);
    const codes = envs.map(codeOf).sort();
    expect(codes.filter((c) => c === "OK")).toHaveLength(1);
    expect(codes.filter((c) => c !== "OK").every((c) => c === "Duplicated")).toBe(true);
  };
  it("CreateUserPool with one Name: one success, 19 Duplicated", () => once("CreateUserPool", () => ({ Name: "same-name" })));
  it("CreateUser with one Email in different cases: one success, 19 Duplicated", async () => {
    let n = 0;
    await once("CreateUser", () => ({ UserPoolUid: pool, Email: n++ % 2 ? "Same@Example.com" : "same@example.com" }));
  });
  it("CreateIdentityProviderOAuth with one Name: one success, 19 Duplicated", () =>
    once("CreateIdentityProviderOAuth", () => ({
      UserPoolUid: pool,
      Name: "same-idp",
      ClientId: "cid",
      AuthorizationEndpoint: "https://idp.example.com/a",
      TokenEndpoint: "https://idp.example.com/t",
      UserEndpoint: "https://idp.example.com/u",
      IdAttribute: "sub",
    })));
});

describe("parallel password resets of one user", () => {
  it("20 parallel ResetPassword leave exactly one outstanding token; 200 parallel CompletePasswordReset (10 per mailed token) spend it once", async () => {
    // A pool of its own: the update race above left the shared one with a strict password policy.
    const pool = (await svc.ok("CreateUserPool", { Name: "reset-race", ResetPasswordUrl: "https://example.com/reset" })).Uid;
    const user = (await svc.ok("CreateUser", { UserPoolUid: pool, Email: "resetter@example.com" })).Uid;
    const resets = await Promise.all(Array.from({ length: 20 }, () => svc.call("ResetPassword", { UserPoolUid: pool, UserUid: user })));
    expect(fiveXx(resets)).toEqual([]);
    expect(resets.map(codeOf)).toEqual(resets.map(() => "OK"));
    const db = svc.deps.db;
    const outstanding = await db
      .selectFrom("password_reset_tokens")
      .select(["token_hash"])
      .where("account_id", "=", svc.accountId)
      .where("user_uid", "=", user)
      .where("used_at", "is", null)
      .where("revoked_at", "is", null)
      .execute();
    expect(outstanding).toHaveLength(1);
    const mails = await db
      .selectFrom("mail_outbox")
      .select(["link", "id"])
      .where("account_id", "=", svc.accountId)
      .where("recipient", "=", "resetter@example.com")
      .orderBy("id", "desc")
      .execute();
    expect(mails).toHaveLength(20);
    // The outstanding token is the one of some mail; spend it ten times at once.
    const tokens = mails.map((m) => new URL(m.link!).searchParams.get("token")!);
    const completes = await Promise.all(
      tokens.flatMap((t) =>
        Array.from({ length: 10 }, () =>
          svc.call("CompletePasswordReset", { UserPoolUid: pool, Token: t, NewPassword: "Race-Password-9" }),
        ),
      ),
    );
    expect(fiveXx(completes)).toEqual([]);
    expect(completes.filter((e) => codeOf(e) === "OK")).toHaveLength(1);
    expect(new Set(completes.filter((e) => codeOf(e) !== "OK").map(codeOf))).toEqual(new Set(["InvalidParameter.Token"]));
  });
});

describe("parallel deletes and reads", () => {
  it("deleting a full pool 10 times while 40 reads run: one delete succeeds, the rest NotFound, never a 5xx", async () => {
    const victim = (await svc.ok("CreateUserPool", { Name: "doomed" })).Uid;
    const users = await svc.ok("CreateUsers", {
      UserPoolUid: victim,
      Users: Array.from({ length: 20 }, (_, i) => ({ PreferredUsername: `d${i}` })),
    });
    const cred = await svc.ok("CreateOAuthCredential", {
      UserPoolUid: victim,
      Name: "d",
      GrantType: "authorization_code",
      Scope: "openid",
      RedirectUri: "https://example.com/cb",
    });
    const reads: [string, Record<string, unknown>][] = [
      ["GetUserPool", { UserPoolUid: victim }],
      ["ListUsers", { UserPoolUid: victim }],
      ["GetUser", { UserPoolUid: victim, UserUid: users.SuccessfulUids[0] }],
      ["GetOAuthCredential", { CredentialId: cred.CredentialId }],
      ["DeleteUsers", { UserPoolUid: victim, UserUids: users.SuccessfulUids.slice(0, 5) }],
      ["DeleteOAuthCredential", { CredentialId: cred.CredentialId }],
      ["ListOAuthCredentials", { UserPoolUid: victim }],
      ["ListUserPools", {}],
    ];
    const calls = Array.from({ length: 50 }, (_, i) =>
      i % 5 === 0 ? svc.call("DeleteUserPool", { UserPoolUid: victim }) : svc.call(...reads[i % reads.length]!),
    );
    const envs = await Promise.all(calls);
    expect(fiveXx(envs)).toEqual([]);
    const deletes = envs.filter((_, i) => i % 5 === 0).map(codeOf);
    expect(deletes.filter((c) => c === "OK")).toHaveLength(1);
    expect(new Set(envs.map(codeOf))).toSatisfy((s: Set<string>) => [...s].every((c) => c === "OK" || c === "NotFound"));
    expect(codeOf(await svc.call("GetUserPool", { UserPoolUid: victim }))).toBe("NotFound");
  });

  it("deleting the same users in 10 overlapping batches deletes each exactly once", async () => {
    const made = await svc.ok("CreateUsers", {
      UserPoolUid: pool,
      Users: Array.from({ length: 30 }, (_, i) => ({ PreferredUsername: `x${i}` })),
    });
    const uids: string[] = made.SuccessfulUids;
    const envs = await Promise.all(
      Array.from({ length: 10 }, (_, i) => svc.call("DeleteUsers", { UserPoolUid: pool, UserUids: uids.slice(i * 2, i * 2 + 12) })),
    );
    expect(fiveXx(envs)).toEqual([]);
    const deleted = envs.flatMap((e) => e.Result.SuccessfulUids as string[]);
    expect(deleted.sort()).toEqual([...uids].sort());
    expect((await svc.ok("GetUserPool", { UserPoolUid: pool })).TotalUsers).toBe(
      (await svc.ok("ListUsers", { UserPoolUid: pool })).TotalCount,
    );
  });
});
