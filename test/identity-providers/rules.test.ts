// OAuth identity providers through the official Node SDK: every validation failure with its typed
// error, and the client secret: sealed and bound to its connection, and searched for (with its hex
// and base64 forms) in every row of every table, every log line and every response; with it the
// OIDC client secret and the SAML SP private key (discovered against the test issuer of
// test/support/families/federation.ts).
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretBoxError } from "../../src/platform/crypto/secret-box.js";
import { findIdentityProvider } from "../../src/identity-providers/queries.js";
import { openClientSecret } from "../../src/identity-providers/secret.js";
import { codeOf, startTestService, type Envelope, type TestService } from "../support/harness.js";
import { connectionParams, createConnection, createPool } from "../support/families/identity-providers.js";
import { makeTestCa, oidcParams, outboundEnv, samlParams, startIssuerServer, type IssuerServer } from "../support/families/federation.js";
import { openSpPrivateKey } from "../../src/identity-providers/sp-keys.js";

let svc: TestService;
let issuers: IssuerServer;

beforeAll(async () => {
  const ca = await makeTestCa();
  issuers = await startIssuerServer(ca);
  svc = await startTestService({ env: outboundEnv(ca) });
}, 60_000);
afterAll(async () => {
  await svc.close();
  await issuers.close();
});

const rowOf = (accountId: string, poolUid: string, uid: string) => findIdentityProvider(svc.deps.db, { accountId, poolUid, uid });
const poolOf = (uid: string) => svc.ok("GetUserPool", { UserPoolUid: uid });

describe("identity providers: validation", () => {
  it("answers each bad parameter with its typed error", async () => {
    const poolUid = await createPool(svc);
    const create = (o: Record<string, unknown>) => svc.call("CreateIdentityProviderOAuth", connectionParams(poolUid, o)).then(codeOf);
    const missing = async (name: string) => {
      const p = connectionParams(poolUid);
      delete p[name];
      return codeOf(await svc.call("CreateIdentityProviderOAuth", p));
    };
    for (const name of ["Name", "ClientId", "AuthorizationEndpoint", "TokenEndpoint", "UserEndpoint", "IdAttribute"]) {
      expect(await missing(name)).toBe(`MissingParameter.${name}`);
    }
    expect(await create({ IdAttribute: "  " })).toBe("MissingParameter.IdAttribute");
    expect(await create({ Name: "x".repeat(129) })).toBe("InvalidParameter.Name");
    for (const url of [
      "http://idp.example.com/authorize",
      "ftp://idp.example.com/a",
      "/oauth2/authorize",
      "not a url",
      "https://u:p@idp.example.com/a",
      "https://idp.example.com/a#frag",
      "http://localhost.evil.com/a",
    ]) {
      expect(await create({ AuthorizationEndpoint: url }), url).toBe("InvalidParameter.AuthorizationEndpoint");
    }
    expect(await create({ TokenEndpoint: "http://10.0.0.1/token" })).toBe("InvalidParameter.TokenEndpoint");
    expect(await create({ UserEndpoint: "javascript:alert(1)" })).toBe("InvalidParameter.UserEndpoint");
    expect(await create({ ScopesList: ["openid email"] })).toBe("InvalidParameter.ScopesList");
    expect(await create({ ScopesList: ["openid", "openid"] })).toBe("InvalidParameter.ScopesList");
    expect(await create({ ScopesList: ['["openid","email"]'] })).toBe("InvalidParameter.ScopesList");
    expect(await create({ ProviderOptions: { AutoLinking: "PHONE" } })).toBe("InvalidParameter.ProviderOptions.AutoLinking");
    expect(await create({ ProviderOptions: { IsAutoUpdate: "sometimes" } })).toBe("InvalidParameter.ProviderOptions.IsAutoUpdate");
    expect(await create({ Enabled: "maybe" })).toBe("InvalidParameter.Enabled");
    expect(await create({ ClientSecret: "   " })).toBe("InvalidParameter.ClientSecret");
    expect(await create({ ClientSecret: "******" })).toBe("InvalidParameter.ClientSecret");
    expect(await create({ UserPoolUid: "no-such-pool" })).toBe("NotFound");
    // None of the refused calls created anything.
    expect((await poolOf(poolUid)).TotalConnections).toBe(0);
  });

  it("accepts http only on loopback hosts (and, for the endpoints idplane calls, only when the outbound policy allows it)", async () => {
    const poolUid = await createPool(svc);
    const browserOnly = await svc.ok(
      "CreateIdentityProviderOAuth",
      connectionParams(poolUid, { AuthorizationEndpoint: "http://localhost:8080/authorize" }),
    );
    expect(browserOnly.AuthorizationEndpoint).toBe("http://localhost:8080/authorize");
    const dev = await startTestService({ env: { ID_OUTBOUND_ALLOW_ADDRESSES: "127.0.0.1,::1", ID_OUTBOUND_ALLOW_HTTP_LOOPBACK: "on" } });
    try {
      const idp = await dev.ok(
        "CreateIdentityProviderOAuth",
        connectionParams(await createPool(dev), {
          AuthorizationEndpoint: "http://localhost:8080/authorize",
          TokenEndpoint: "http://127.0.0.1:9000/token",
          UserEndpoint: "http://[::1]:9000/userinfo",
        }),
      );
      expect(idp.UserEndpoint).toBe("http://[::1]:9000/userinfo");
    } finally {
      await dev.close();
    }
  });

  it("on update: the same rules, and missing or unknown references", async () => {
    const { UserPoolUid, ConnectionUid } = await createConnection(svc);
    const update = (o: Record<string, unknown>) =>
      svc.call("UpdateIdentityProviderOAuth", { UserPoolUid, ConnectionUid, ...o }).then(codeOf);
    expect(await update({ IdAttribute: "" })).toBe("MissingParameter.IdAttribute");
    expect(await update({ UserEndpoint: "http://example.com/me" })).toBe("InvalidParameter.UserEndpoint");
    expect(await update({ ScopesList: ["a", "a"] })).toBe("InvalidParameter.ScopesList");
    expect(await update({ ProviderOptions: { AutoLinking: "email" } })).toBe("InvalidParameter.ProviderOptions.AutoLinking");
    expect(await update({ ConnectionUid: undefined })).toBe("MissingParameter.ConnectionUid");
    expect(codeOf(await svc.call("UpdateIdentityProviderOAuth", { ConnectionUid }))).toBe("MissingParameter.UserPoolUid");
    expect(await update({ ConnectionUid: "' or 1=1 --" })).toBe("NotFound");
    const wrongPool = await svc.call("GetIdentityProviderOAuth", { UserPoolUid: await createPool(svc), ConnectionUid });
    expect(codeOf(wrongPool)).toBe("NotFound");
    expect(wrongPool.ResponseMetadata.Error!.Message).toBe(`resource IdentityProvider ${ConnectionUid} does not exist`);
    const noPool = await svc.call("GetIdentityProviderOAuth", { UserPoolUid: "nope", ConnectionUid });
    expect(noPool.ResponseMetadata.Error!.Message).toBe("resource UserPool nope does not exist");
  });
});

describe("identity providers: the client secret", () => {
  it("is sealed and bound to its connection: never in any table, log line or response", async () => {
    const first = "idp-secret-" + randomBytes(12).toString("hex");
    const second = "idp-secret-" + randomBytes(12).toString("hex");
    const seen: Envelope[] = [];
    const call = async (action: string, params: Record<string, unknown>) => {
      const env = await svc.call(action, params);
      seen.push(env);
      expect(codeOf(env)).toBe("OK");
      return env.Result;
    };
    const poolUid = await createPool(svc);
    const created = await call(
      "CreateIdentityProviderOAuth",
      connectionParams(poolUid, { ClientSecret: first, ClientId: "control-" + first.slice(11) }),
    );
    const ref = { UserPoolUid: poolUid, ConnectionUid: created.Uid };
    await call("UpdateIdentityProviderOAuth", { ...ref, ClientSecret: second });
    await call("GetIdentityProviderOAuth", ref);
    await call("ListIdentityProviders", { UserPoolUid: poolUid });
    const oauthList = await call("ListIdentityProvidersOAuth", { UserPoolUid: poolUid });
    expect(oauthList.Data[0].ClientSecret).toBe("******");
    await call("ListAllIdentityProviders", {});
    await svc.call("UpdateIdentityProviderOAuth", { ...ref, ClientSecret: first, TokenEndpoint: "bad" }).then((e) => seen.push(e));

    // An OIDC connection's client secret, and a SAML connection's SP private key.
    const oidcSecrets = ["oidc-secret-" + randomBytes(12).toString("hex"), "oidc-secret-" + randomBytes(12).toString("hex")];
    const oidc = await call("CreateIdentityProviderOIDC", oidcParams(poolUid, issuers.issuer("good"), { ClientSecret: oidcSecrets[0] }));
    const oidcRef = { UserPoolUid: poolUid, ConnectionUid: oidc.Uid };
    await call("UpdateIdentityProviderOIDC", { ...oidcRef, ClientSecret: oidcSecrets[1] });
    await call("GetIdentityProviderOIDC", oidcRef);
    await call("ListIdentityProvidersOIDC", { UserPoolUid: poolUid });
    await svc
      .call("UpdateIdentityProviderOIDC", { ...oidcRef, ClientSecret: oidcSecrets[0], Issuer: issuers.issuer("no-jwks") })
      .then((e) => seen.push(e));
    const saml = await call("CreateIdentityProviderSAML", await samlParams(poolUid, { EnabledSign: true }));
    await call("GetIdentityProviderSAML", { UserPoolUid: poolUid, ConnectionUid: saml.Uid });
    await call("ListIdentityProvidersSAML", { UserPoolUid: poolUid });
    const privateKeyPem = openSpPrivateKey(svc.deps.secretBox, (await rowOf(svc.accountId, poolUid, saml.Uid))!)!;
    const der = Buffer.from(privateKeyPem.replace(/-----[^-]+-----|\s/g, ""), "base64");
    // A stretch of the private exponent: in the key only, never in the certificate or public key.
    const keyPart = der.subarray(400, 432);
    const privateKeyNeedles = [privateKeyPem.split("\n")[8]!, keyPart.toString("hex"), keyPart.toString("base64")];

    // Every row of every table, as text; bytea prints as hex, so look for the hex and base64 forms too.
    const needles = [
      ...[first, second, ...oidcSecrets].flatMap((s) => [s, Buffer.from(s).toString("hex"), Buffer.from(s).toString("base64")]),
      ...privateKeyNeedles,
    ];
    const control = "control-" + first.slice(11);
    const tables = await sql<{ name: string }>`select table_name as name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(svc.deps.db);
    expect(tables.rows.map((t) => t.name)).toContain("identity_providers");
    let controlHits = 0;
    for (const { name } of tables.rows) {
      const hits = await sql<{ n: string; c: string }>`select count(*) filter (where ${sql.join(
        needles.map((n) => sql`position(${n} in t::text) > 0`),
        sql` or `,
      )})::text as n,
        count(*) filter (where position(${control} in t::text) > 0)::text as c from ${sql.table(name)} t`.execute(svc.deps.db);
      expect(Number(hits.rows[0]!.n), `plaintext secret found in table ${name}`).toBe(0);
      controlHits += Number(hits.rows[0]!.c);
    }
    expect(controlHits).toBe(1); // the search does find a plain value that is stored (the ClientId)

    // It is stored, though: sealed under the current key, opening to the latest value.
    const row = await rowOf(svc.accountId, poolUid, created.Uid);
    expect(row!.client_secret_key_id).toBe(svc.deps.secretBox.currentKeyId);
    expect(openClientSecret(svc.deps.secretBox, row!)).toBe(second);

    const logText = svc.logs.join("");
    const responseText = JSON.stringify(seen);
    expect(responseText).toContain(created.Uid);
    for (const n of [first, second, ...oidcSecrets, ...privateKeyNeedles]) {
      expect(logText).not.toContain(n);
      expect(responseText).not.toContain(n);
    }
  });

  it("does not open when its ciphertext is moved to another connection (associated data)", async () => {
    const a = await createConnection(svc, undefined, { ClientSecret: "secret-of-a" });
    const b = await createConnection(svc, a.UserPoolUid);
    const rowA = (await rowOf(svc.accountId, a.UserPoolUid, a.ConnectionUid))!;
    const rowB = (await rowOf(svc.accountId, b.UserPoolUid, b.ConnectionUid))!;
    expect(rowB.client_secret_sealed).toBeNull();
    expect(() =>
      openClientSecret(svc.deps.secretBox, {
        ...rowB,
        client_secret_sealed: rowA.client_secret_sealed,
        client_secret_key_id: rowA.client_secret_key_id,
      }),
    ).toThrow(SecretBoxError);
  });
});
