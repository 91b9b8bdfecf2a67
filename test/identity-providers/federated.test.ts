// What OAuth, OIDC and SAML connections share because they live in one table: the name rule of the
// pool, the per-pool quota (also under concurrency), the pool's TotalConnections, the cascade when
// the pool goes, DeleteIdentityProvider, and ListIdentityProviders / ListAllIdentityProviders with
// their type filters; plus readonly keys and another account's key on the new actions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { makeTestCa, oidcParams, outboundEnv, samlParams, startIssuerServer, type IssuerServer } from "../support/families/federation.js";
import { connectionParams } from "../support/families/identity-providers.js";
import { createPool } from "../support/families/user-pools.js";

let svc: TestService;
let issuers: IssuerServer;
const QUOTA = 4;

beforeAll(async () => {
  const ca = await makeTestCa();
  issuers = await startIssuerServer(ca);
  svc = await startTestService({ env: outboundEnv(ca, { ID_QUOTA_IDPS_PER_POOL: String(QUOTA) }) });
}, 60_000);
afterAll(async () => {
  await svc.close();
  await issuers.close();
});

/** One connection of each type in a new pool. */
async function poolWithEachType() {
  const poolUid = await createPool(svc);
  const oauth = await svc.ok("CreateIdentityProviderOAuth", connectionParams(poolUid, { Name: "conn-oauth" }));
  const oidc = await svc.ok("CreateIdentityProviderOIDC", oidcParams(poolUid, issuers.issuer("good"), { Name: "conn-oidc" }));
  const saml = await svc.ok("CreateIdentityProviderSAML", await samlParams(poolUid, { Name: "conn-saml", EnabledSign: true }));
  return { poolUid, oauth, oidc, saml };
}

describe("connections of every type", () => {
  it("are listed together, filtered by ConnectionType and ExcludeConnectionType, and counted by the pool", async () => {
    const { poolUid, oauth, oidc, saml } = await poolWithEachType();
    const types = (r: { Data: { ConnectionType: string; Uid: string }[] }) => r.Data.map((d) => `${d.ConnectionType}:${d.Uid}`).sort();
    const all = await svc.ok("ListIdentityProviders", { UserPoolUid: poolUid });
    expect(types(all)).toEqual([`OAUTH:${oauth.Uid}`, `OIDC:${oidc.Uid}`, `SAML:${saml.Uid}`].sort());
    expect(all.Data.find((d: { Uid: string }) => d.Uid === oidc.Uid)).toMatchObject({
      Name: "conn-oidc",
      Enabled: true,
      AttributeMappings: [],
    });
    expect(types(await svc.ok("ListIdentityProviders", { UserPoolUid: poolUid, Filter: { ConnectionType: "SAML" } }))).toEqual([
      `SAML:${saml.Uid}`,
    ]);
    expect(types(await svc.ok("ListIdentityProviders", { UserPoolUid: poolUid, Filter: { ExcludeConnectionType: "OAUTH" } }))).toEqual(
      [`OIDC:${oidc.Uid}`, `SAML:${saml.Uid}`].sort(),
    );
    expect(codeOf(await svc.call("ListIdentityProviders", { UserPoolUid: poolUid, Filter: { ConnectionType: "LDAP" } }))).toBe(
      "InvalidParameter.Filter.ConnectionType",
    );

    const account = await svc.ok("ListAllIdentityProviders", { PageSize: 100, Filter: { ConnectionType: "OIDC", Name: "conn-oidc" } });
    expect(account.Data.some((d: { Uid: string; UserPoolUid: string }) => d.Uid === oidc.Uid && d.UserPoolUid === poolUid)).toBe(true);
    expect(account.Data.every((d: { ConnectionType: string }) => d.ConnectionType === "OIDC")).toBe(true);
    const notSaml = await svc.ok("ListAllIdentityProviders", { PageSize: 100, Filter: { ExcludeConnectionType: "SAML" } });
    expect(notSaml.Data.some((d: { Uid: string }) => d.Uid === saml.Uid)).toBe(false);

    // Each type's own list holds only its type.
    expect((await svc.ok("ListIdentityProvidersOAuth", { UserPoolUid: poolUid })).Data.map((d: { Uid: string }) => d.Uid)).toEqual([
      oauth.Uid,
    ]);
    expect((await svc.ok("ListIdentityProvidersOIDC", { UserPoolUid: poolUid })).Data.map((d: { Uid: string }) => d.Uid)).toEqual([
      oidc.Uid,
    ]);
    expect((await svc.ok("ListIdentityProvidersSAML", { UserPoolUid: poolUid })).Data.map((d: { Uid: string }) => d.Uid)).toEqual([
      saml.Uid,
    ]);
    expect((await svc.ok("GetUserPool", { UserPoolUid: poolUid })).TotalConnections).toBe(3);

    // DeleteIdentityProvider takes any type.
    await svc.ok("DeleteIdentityProvider", { UserPoolUid: poolUid, ConnectionUid: saml.Uid });
    await svc.ok("DeleteIdentityProvider", { UserPoolUid: poolUid, ConnectionUid: oidc.Uid });
    expect(types(await svc.ok("ListIdentityProviders", { UserPoolUid: poolUid }))).toEqual([`OAUTH:${oauth.Uid}`]);
    expect((await svc.ok("GetUserPool", { UserPoolUid: poolUid })).TotalConnections).toBe(1);
  }, 60_000);

  it("share one name space and one quota per pool", async () => {
    const { poolUid } = await poolWithEachType();
    for (const name of ["conn-oauth", "conn-saml"]) {
      expect(codeOf(await svc.call("CreateIdentityProviderOIDC", oidcParams(poolUid, issuers.issuer("good"), { Name: name })))).toBe(
        "Duplicated",
      );
    }
    expect(codeOf(await svc.call("CreateIdentityProviderSAML", await samlParams(poolUid, { Name: "conn-oidc" })))).toBe("Duplicated");
    expect(
      codeOf(
        await svc.call("UpdateIdentityProviderSAML", {
          UserPoolUid: poolUid,
          ConnectionUid: (await svc.ok("ListIdentityProvidersSAML", { UserPoolUid: poolUid })).Data[0].Uid,
          Name: "conn-oauth",
        }),
      ),
    ).toBe("Duplicated");

    // Three of QUOTA used: one more of any type fits, then none of any type.
    await svc.ok("CreateIdentityProviderSAML", await samlParams(poolUid));
    expect(codeOf(await svc.call("CreateIdentityProviderOAuth", connectionParams(poolUid)))).toBe("QuotaExceeded");
    expect(codeOf(await svc.call("CreateIdentityProviderOIDC", oidcParams(poolUid, issuers.issuer("good"))))).toBe("QuotaExceeded");
    expect(codeOf(await svc.call("CreateIdentityProviderSAML", await samlParams(poolUid)))).toBe("QuotaExceeded");
  }, 60_000);

  it("holds the shared quota under concurrent creates of mixed types", async () => {
    const poolUid = await createPool(svc);
    const attempts = await Promise.all(
      Array.from({ length: 9 }, async (_, i) => {
        const action = ["CreateIdentityProviderOAuth", "CreateIdentityProviderOIDC", "CreateIdentityProviderSAML"][i % 3]!;
        const params =
          i % 3 === 0 ? connectionParams(poolUid) : i % 3 === 1 ? oidcParams(poolUid, issuers.issuer("good")) : await samlParams(poolUid);
        return codeOf(await svc.call(action, params));
      }),
    );
    expect(attempts.filter((c) => c === "OK").length).toBe(QUOTA);
    expect(attempts.filter((c) => c !== "OK").every((c) => c === "QuotaExceeded")).toBe(true);
    expect((await svc.ok("ListIdentityProviders", { UserPoolUid: poolUid })).TotalCount).toBe(QUOTA);
  }, 120_000);

  it("go with their pool, SP keys and all, in the same transaction", async () => {
    const { poolUid } = await poolWithEachType();
    await svc.ok("DeleteUserPool", { UserPoolUid: poolUid });
    const left = await svc.deps.db
      .selectFrom("identity_providers")
      .select("uid")
      .where("account_id", "=", svc.accountId)
      .where("user_pool_uid", "=", poolUid)
      .execute();
    expect(left).toEqual([]);
  }, 60_000);

  it("are read but not written with a readonly key, and are NotFound to another account", async () => {
    const { poolUid, oidc, saml } = await poolWithEachType();
    const oidcRef = { UserPoolUid: poolUid, ConnectionUid: oidc.Uid };
    const samlRef = { UserPoolUid: poolUid, ConnectionUid: saml.Uid };
    const readonly = { key: svc.readonly };
    expect(codeOf(await svc.call("GetIdentityProviderOIDC", oidcRef, readonly))).toBe("OK");
    expect(codeOf(await svc.call("ListIdentityProvidersSAML", { UserPoolUid: poolUid }, readonly))).toBe("OK");
    for (const [action, params] of [
      ["CreateIdentityProviderOIDC", oidcParams(poolUid, issuers.issuer("good"))],
      ["UpdateIdentityProviderOIDC", { ...oidcRef, Name: "x" }],
      ["DeleteIdentityProviderOIDC", oidcRef],
      ["CreateIdentityProviderSAML", await samlParams(poolUid)],
      ["UpdateIdentityProviderSAML", { ...samlRef, EnabledEncryption: true }],
      ["DeleteIdentityProviderSAML", samlRef],
    ] as const) {
      expect(codeOf(await svc.call(action, params, readonly)), action).toBe("AccessDenied");
    }
    const other = { key: svc.otherAdmin };
    expect(codeOf(await svc.call("GetIdentityProviderSAML", samlRef, other))).toBe("NotFound");
    expect(codeOf(await svc.call("UpdateIdentityProviderOIDC", { ...oidcRef, Issuer: issuers.issuer("good") }, other))).toBe("NotFound");
    expect(codeOf(await svc.call("DeleteIdentityProvider", oidcRef, other))).toBe("NotFound");
    expect((await svc.ok("ListIdentityProviders", { UserPoolUid: poolUid })).TotalCount).toBe(3);
  }, 60_000);
});
