// OIDC connections through the official SDK, against a real https discovery server on loopback with
// its own test CA (test/support/families/federation.ts) that the service is configured to trust: each action,
// the discovery checks and their failures, the guarded fetch's refusals, and the client secret.
import { createServer, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oidcConnectionActions } from "../../src/identity-providers/oidc-actions.js";
import { codeOf, startTestService, type TestService } from "../support/harness.js";
import { makeTestCa, oidcParams, outboundEnv, startIssuerServer, type IssuerServer, type TestCa } from "../support/families/federation.js";
import { createPool } from "../support/families/user-pools.js";

const outputOf = (name: string) => oidcConnectionActions.find((a) => a.name === name)!.output;
let ca: TestCa;
let issuers: IssuerServer;
let plain: IssuerServer;
let svc: TestService;

beforeAll(async () => {
  ca = await makeTestCa();
  issuers = await startIssuerServer(ca, 200_000);
  plain = await startIssuerServer(undefined);
  svc = await startTestService({ env: outboundEnv(ca) });
}, 60_000);
afterAll(async () => {
  await svc?.close();
  await issuers?.close();
  await plain?.close();
});

/** The one answer to a discovery that failed on the network (issue 22, item 6). */
const GENERIC =
  /could not be fetched: the issuer must be reachable over https at a public address and answer in time \(the server's log has the reason\)$/;
/** The server's log line about the failed discovery of a URL containing `host`. */
const discoveryLog = (service: TestService, host: string) =>
  service.logs
    .filter((l) => l.includes("OIDC discovery failed") && l.includes(host))
    .map((l) => JSON.parse(l).detail as string)
    .join("\n");

async function refusal(issuer: string, service = svc) {
  const env = await service.call("CreateIdentityProviderOIDC", oidcParams(await createPool(service), issuer));
  return { code: codeOf(env), message: env.ResponseMetadata.Error?.Message ?? "" };
}

describe("OIDC connections", () => {
  it("discovers the issuer on create and round-trips every field through Get, Update, the lists and Delete", async () => {
    const poolUid = await createPool(svc);
    const issuer = issuers.issuer("good");
    const created = await svc.ok(
      "CreateIdentityProviderOIDC",
      oidcParams(poolUid, issuer, {
        ClientSecret: "oidc-secret-value-1",
        IsIdTokenMapping: true,
        ScopesList: ["openid", "email"],
        AttributeMappings: [{ SourceAttributeName: "email", TargetAttributeName: "Email" }],
        ProviderOptions: { IsAutoUpdate: true },
        ScimProvisioning: {
          Enabled: true,
          UserIdAttribute: "externalId",
          AdditionalMappings: [{ ScimPath: "title", UserPoolPath: ["Nickname"] }],
        },
        Provider: "keycloak",
      }),
    );
    outputOf("CreateIdentityProviderOIDC").parse(created);
    expect(created).toMatchObject({
      Issuer: issuer,
      ClientId: "oidc-client",
      ClientSecret: "******",
      IsIdTokenMapping: true,
      UsePkce: true,
      Enabled: true,
      Provider: "keycloak",
    });
    expect(created.ScimProvisioning).toMatchObject({
      Enabled: true,
      UserIdAttribute: "externalId",
      AdditionalMappings: [{ ScimPath: "title", UserPoolPath: ["Nickname"] }],
    });
    expect(created.ScimProvisioning.BaseUrl).toContain(`/userpool/${poolUid}/scim/${created.Uid}`);
    expect(created.ProviderOptions).toMatchObject({ IsAutoUpdate: true, AutoLinking: "DISABLED" });

    // What the discovery document named is stored with the connection.
    const row = await svc.deps.db
      .selectFrom("identity_providers")
      .selectAll()
      .where("account_id", "=", svc.accountId)
      .where("uid", "=", created.Uid)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      connection_type: "OIDC",
      jwks_uri: `${issuer}/jwks`,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      user_endpoint: `${issuer}/userinfo`,
      id_attribute: "sub",
    });

    const ref = { UserPoolUid: poolUid, ConnectionUid: created.Uid };
    expect(await svc.ok("GetIdentityProviderOIDC", ref)).toEqual(created);
    expect((await svc.ok("ListIdentityProvidersOIDC", { UserPoolUid: poolUid })).Data).toEqual([created]);

    svc.clock.advance(1);
    const fetchedBefore = issuers.requests.length;
    const updated = await svc.ok("UpdateIdentityProviderOIDC", {
      ...ref,
      ScimProvisioning: { Enabled: false },
      ClientId: "client-2",
      Issuer: issuer,
    });
    outputOf("UpdateIdentityProviderOIDC").parse(updated);
    expect(issuers.requests.length).toBe(fetchedBefore); // the same issuer is not fetched again
    expect(updated).toMatchObject({ ClientId: "client-2", ClientSecret: "******", IsIdTokenMapping: true });
    expect(updated.ScimProvisioning).toMatchObject({ Enabled: false, UserIdAttribute: "externalId" });
    expect(updated.UpdateTime > created.UpdateTime).toBe(true);

    // A new issuer is discovered before it is stored; a bad one leaves the connection as it was.
    const moved = await svc.ok("UpdateIdentityProviderOIDC", { ...ref, Issuer: issuers.issuer("redirect-good") });
    expect(moved.Issuer).toBe(issuers.issuer("redirect-good"));
    const bad = await svc.call("UpdateIdentityProviderOIDC", { ...ref, Issuer: issuers.issuer("no-jwks"), Name: "renamed" });
    expect(codeOf(bad)).toBe("InvalidParameter.Issuer");
    expect((await svc.ok("GetIdentityProviderOIDC", ref)).Issuer).toBe(issuers.issuer("redirect-good"));

    // Another type's delete does not take it; its own does.
    expect(codeOf(await svc.call("DeleteIdentityProviderSAML", ref))).toBe("NotFound");
    expect(codeOf(await svc.call("GetIdentityProviderOAuth", ref))).toBe("NotFound");
    await svc.ok("DeleteIdentityProviderOIDC", ref);
    expect(codeOf(await svc.call("GetIdentityProviderOIDC", ref))).toBe("NotFound");
  });

  it("names what is wrong with an issuer whose discovery fails", async () => {
    const cases: [string, string, RegExp][] = [
      ["wrong-issuer", "InvalidParameter.Issuer", /names the issuer "https:\/\/elsewhere\.example\.com"/],
      ["no-jwks", "InvalidParameter.Issuer", /has no jwks_uri/],
      ["not-json", "InvalidParameter.Issuer", /is not JSON/],
      ["too-big", "InvalidParameter.Issuer", /exceeds 65536 bytes/],
      ["missing", "InvalidParameter.Issuer", /answered HTTP 404/],
      ["redirect-private", "InvalidParameter.Issuer", GENERIC],
      ["redirect-metadata", "InvalidParameter.Issuer", GENERIC],
      ["slow", "InvalidParameter.Issuer", GENERIC],
    ];
    for (const [name, code, message] of cases) {
      const r = await refusal(issuers.issuer(name));
      expect(r.code, name).toBe(code);
      expect(r.message, name).toMatch(message);
    }
    // How the network sees a host is one message to the tenant; the details are in the server's log.
    const unresolvable = await refusal("https://no-such-host.invalid/tenant");
    expect(unresolvable).toMatchObject({ code: "InvalidParameter.Issuer" });
    expect(unresolvable.message).toMatch(GENERIC);
    expect(unresolvable.message).not.toMatch(/ENOTFOUND|resolve/);
    expect(discoveryLog(svc, "no-such-host.invalid")).toMatch(/does not resolve \(ENOTFOUND\)/);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await refusal(`https://127.0.0.1:${port}/gone`);
    expect(refused).toMatchObject({ code: "InvalidParameter.Issuer" });
    expect(refused.message).toMatch(GENERIC);
    expect(discoveryLog(svc, `127.0.0.1:${port}`)).toMatch(/could not be reached \(ECONNREFUSED\)/);
  }, 60_000);

  it("refuses plain http, an untrusted CA and a loopback issuer unless configured", async () => {
    const http = await refusal(plain.issuer("good"));
    expect(http).toMatchObject({ code: "InvalidParameter.Issuer" });
    expect(http.message).toMatch(/plain http is refused/);
    expect(plain.requests).toEqual([]);

    const strict = await startTestService({ env: { ID_OUTBOUND_CA_FILE: ca.caFile } });
    const untrusting = await startTestService({ env: { ID_OUTBOUND_ALLOW_ADDRESSES: "127.0.0.1" } });
    const devHttp = await startTestService({ env: { ID_OUTBOUND_ALLOW_ADDRESSES: "127.0.0.1", ID_OUTBOUND_ALLOW_HTTP_LOOPBACK: "on" } });
    try {
      const loopback = await refusal(issuers.issuer("good"), strict);
      expect(loopback.code).toBe("InvalidParameter.Issuer");
      expect(loopback.message).toMatch(GENERIC);
      expect(loopback.message).not.toContain("127.0.0.1 is");
      // A host name is judged by the addresses it resolves to, in the socket's own lookup; the
      // tenant is not told what an internal name resolves to, the server's log is.
      const byName = issuers.issuer("good").replace("127.0.0.1", "localhost");
      const internal = await refusal(byName, strict);
      expect(internal.message).toMatch(GENERIC);
      expect(internal.message).not.toMatch(/resolves|127\.0\.0\.1|::1/);
      expect(discoveryLog(strict, "localhost")).toMatch(/localhost resolves to .* is not a public address/);
      expect((await svc.ok("CreateIdentityProviderOIDC", oidcParams(await createPool(svc), byName))).Issuer).toBe(byName);
      const tls = await refusal(issuers.issuer("good"), untrusting);
      expect(tls.code).toBe("InvalidParameter.Issuer");
      expect(tls.message).toMatch(GENERIC);
      expect(discoveryLog(untrusting, "127.0.0.1")).toMatch(/TLS with 127\.0\.0\.1:\d+ failed/);
      // Development: http to loopback with the flag on.
      expect((await devHttp.ok("CreateIdentityProviderOIDC", oidcParams(await createPool(devHttp), plain.issuer("good")))).Issuer).toBe(
        plain.issuer("good"),
      );
    } finally {
      await Promise.all([strict.close(), untrusting.close(), devHttp.close()]);
    }
  }, 60_000);

  it("refuses bad input before fetching anything", async () => {
    const poolUid = await createPool(svc);
    const before = issuers.requests.length;
    for (const Issuer of ["not a url", "https://user:pw@idp.example.com", "https://idp.example.com/?a=1", "ftp://idp.example.com"]) {
      expect(codeOf(await svc.call("CreateIdentityProviderOIDC", oidcParams(poolUid, Issuer))), Issuer).toBe("InvalidParameter.Issuer");
    }
    expect(
      codeOf(await svc.call("CreateIdentityProviderOIDC", oidcParams(poolUid, issuers.issuer("good"), { ClientSecret: "******" }))),
    ).toBe("InvalidParameter.ClientSecret");
    expect(codeOf(await svc.call("CreateIdentityProviderOIDC", oidcParams(poolUid, issuers.issuer("good"), { EipId: "eip-1" })))).toBe(
      "InvalidParameter.EipId",
    );
    expect(codeOf(await svc.call("CreateIdentityProviderOIDC", oidcParams("no-such-pool", issuers.issuer("good"))))).toBe("NotFound");
    expect(issuers.requests.length).toBe(before);
  });
});
