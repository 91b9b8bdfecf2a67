// Custom domains of user pools end to end through the official SDK, checked against a real DNS
// server on loopback (test/support/infra/dns-server.ts) that answers right, wrong, NXDOMAIN or not at all:
// PENDING until the CNAME points at ApigDomain, then ACTIVE with the pool's endpoints on it; the
// operations log; names checked and normalized; one domain per pool and one ACTIVE pool per domain
// across accounts; tenancy, readonly keys, cascade on pool delete; housekeeping's pass; the well-known list.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadConfig } from "../../src/platform/config.js";
import { domainActions } from "../../src/user-pool-domains/actions.js";
import { verifyPendingDomains } from "../../src/user-pool-domains/verify.js";
import { ownDatabase } from "../support/infra/child-server.js";
import { startTestDns, type TestDns } from "../support/infra/dns-server.js";
import { codeOf, poolerFor, startTestService, type TestService } from "../support/harness.js";
import { createDomain, uniqueDomain } from "../support/families/user-pool-domains.js";
import { createPool } from "../support/families/user-pools.js";

const SUFFIX = "domains.idplane.test";
const INTERVAL = 30;
const outputOf = (name: string) => domainActions.find((a) => a.name === name)!.output;
let dns: TestDns;
let svc: TestService;

const env = (dnsAddress: string) => ({
  ID_PUBLIC_BASE_URL: "https://id.example.net/auth",
  ID_DOMAIN_CNAME_TARGET_SUFFIX: SUFFIX,
  ID_DNS_RESOLVERS: dnsAddress,
  ID_DNS_TIMEOUT_MS: "300",
  ID_DNS_TRIES: "2",
  ID_DOMAIN_CHECK_INTERVAL_SECONDS: String(INTERVAL),
});

beforeAll(async () => {
  dns = await startTestDns();
  svc = await startTestService({ env: env(dns.address) });
});
afterAll(async () => {
  await svc?.close();
  await dns?.close();
});

const operations = async (UserPoolUid: string) =>
  (await svc.ok("ListUserPoolDomainOperations", { UserPoolUid })).Operations as Record<string, string>[];
const summary = (ops: Record<string, string>[]) => ops.map((o) => `${o.Action} ${o.Status}${o.ErrorMessage ? `: ${o.ErrorMessage}` : ""}`);
const getDomain = (UserPoolUid: string, Domain: string) => svc.ok("GetUserPoolDomain", { UserPoolUid, Domain });

describe("custom domains", () => {
  it("stays PENDING until the CNAME points at ApigDomain, then moves the pool's endpoints onto it", async () => {
    const pool = await createPool(svc);
    const name = uniqueDomain();
    const created = await svc.ok("CreateUserPoolDomain", { UserPoolUid: pool, Domain: `${name.toUpperCase()}.` });
    outputOf("CreateUserPoolDomain").parse(created);
    const target = `${pool}.${SUFFIX}`;
    expect(created).toEqual({ UserPoolUid: pool, Domain: name, ApigDomain: target, CertificateId: "", Status: "PENDING" });
    expect((await svc.ok("GetUserPool", { UserPoolUid: pool })).CustomDomain).toBe("");

    // Pointed elsewhere: looked up, still PENDING, and the log says why.
    dns.cnames.set(name, "someone-else.example.org");
    expect((await getDomain(pool, name)).Status).toBe("PENDING");
    expect(summary(await operations(pool))).toEqual([
      `VERIFY FAILED: ${name}'s CNAME points elsewhere, not to ${target}`,
      "CREATE SUCCESS",
    ]);

    // Fixed, but the last check is too recent: no lookup until the interval has passed.
    dns.cnames.set(name, target);
    const asked = dns.asked.length;
    expect((await getDomain(pool, name)).Status).toBe("PENDING");
    expect(dns.asked.length).toBe(asked);
    svc.clock.advance(INTERVAL + 1);
    const active = await getDomain(pool, name);
    outputOf("GetUserPoolDomain").parse(active);
    expect(active).toEqual({ ...created, Status: "ACTIVE" });
    expect(summary(await operations(pool))[0]).toBe("VERIFY SUCCESS");

    const got = await svc.ok("GetUserPool", { UserPoolUid: pool });
    expect(got).toMatchObject({
      Domain: "id.example.net",
      CustomDomain: name,
      IssuerUrl: `https://${name}/auth/userpool/${pool}`,
      TokenUrl: `https://${name}/auth/userpool/${pool}/oauth2/token`,
      DiscoveryUrl: `https://${name}/auth/userpool/${pool}/.well-known/openid-configuration`,
      OidcLoginCallbackUrl: `https://${name}/auth/userpool/${pool}/callback/oidc/login`,
    });
    const [endpoints] = (await svc.ok("ListUserPoolWellKnownEndpoints", { UserPoolUids: [pool] })).Data;
    expect(endpoints).toMatchObject({
      UserPoolUid: pool,
      CustomDomain: name,
      IssuerUrl: got.IssuerUrl,
      JwksUri: `${got.IssuerUrl}/.well-known/jwks.json`,
    });

    // An ACTIVE domain is not looked up again: a DNS outage must not move a pool's issuer.
    dns.cnames.delete(name);
    svc.clock.advance(INTERVAL + 1);
    const before = dns.asked.length;
    expect((await getDomain(pool, name)).Status).toBe("ACTIVE");
    expect(dns.asked.length).toBe(before);

    expect(await svc.ok("DeleteUserPoolDomain", { UserPoolUid: pool, Domain: name })).toEqual({ Message: `custom domain ${name} deleted` });
    expect(codeOf(await svc.call("GetUserPoolDomain", { UserPoolUid: pool, Domain: name }))).toBe("NotFound");
    expect(codeOf(await svc.call("DeleteUserPoolDomain", { UserPoolUid: pool, Domain: name }))).toBe("NotFound");
    expect(await svc.ok("GetUserPool", { UserPoolUid: pool })).toMatchObject({
      CustomDomain: "",
      IssuerUrl: `https://id.example.net/auth/userpool/${pool}`,
    });
    expect(summary(await operations(pool))[0]).toBe("DELETE SUCCESS");
  });

  it("answers a resolver that never replies with PENDING and the timeout in the log, not an error", async () => {
    const { UserPoolUid, Domain } = await createDomain(svc);
    dns.silent.add(Domain);
    const got = await svc.call("GetUserPoolDomain", { UserPoolUid, Domain });
    expect([codeOf(got), got.Result?.Status]).toEqual(["OK", "PENDING"]);
    expect(dns.asked.filter((n) => n === Domain).length).toBeGreaterThan(0);
    expect(summary(await operations(UserPoolUid))[0]).toBe(`VERIFY FAILED: the DNS lookup of ${Domain} timed out`);
  });

  it("keeps one log entry for checks that end the same way, moving its UpdateTime", async () => {
    const { UserPoolUid, Domain } = await createDomain(svc); // unknown to the DNS server: NXDOMAIN
    await getDomain(UserPoolUid, Domain);
    svc.clock.advance(INTERVAL + 1);
    await getDomain(UserPoolUid, Domain);
    const ops = await operations(UserPoolUid);
    outputOf("ListUserPoolDomainOperations").parse({ UserPoolUid, Operations: ops });
    expect(summary(ops)).toEqual([`VERIFY FAILED: ${Domain} does not exist in DNS (NXDOMAIN)`, "CREATE SUCCESS"]);
    expect(ops[0]!.UpdateTime! > ops[0]!.CreateTime!).toBe(true);
    expect(ops[0]!.TaskId).not.toBe(ops[1]!.TaskId);
  });

  it("updates CertificateId, logs it, and writes nothing for an update that changes nothing", async () => {
    const { UserPoolUid, Domain } = await createDomain(svc, undefined, { CertificateId: "cert-1" });
    const updated = await svc.ok("UpdateUserPoolDomain", { UserPoolUid, Domain, CertificateId: "cert-2" });
    outputOf("UpdateUserPoolDomain").parse(updated);
    expect(updated).toMatchObject({ CertificateId: "cert-2", Status: "PENDING" });
    svc.clock.advance(INTERVAL + 1);
    await svc.ok("UpdateUserPoolDomain", { UserPoolUid, Domain, CertificateId: "cert-2" });
    // Each call looked the pending domain up (the second one due again); no second UPDATE.
    const ops = summary(await operations(UserPoolUid));
    expect(ops).toContain(`VERIFY FAILED: ${Domain} does not exist in DNS (NXDOMAIN)`);
    expect(ops.filter((o) => !o.startsWith("VERIFY"))).toEqual(["UPDATE SUCCESS", "CREATE SUCCESS"]);
    expect(codeOf(await svc.call("UpdateUserPoolDomain", { UserPoolUid, Domain: uniqueDomain(), CertificateId: "x" }))).toBe("NotFound");
  });

  it("gives a pool one domain; a name is taken only once ACTIVE (test/user-pool-domains/claims.test.ts)", async () => {
    const { UserPoolUid, Domain, domain } = await createDomain(svc);
    expect(codeOf(await svc.call("CreateUserPoolDomain", { UserPoolUid, Domain: uniqueDomain() }))).toBe("Duplicated");
    expect(summary(await operations(UserPoolUid))[0]).toMatch(/^CREATE FAILED: resource custom domain of UserPool .* already exists/);
    // Pending: another pool may claim it too.
    expect(codeOf(await svc.call("CreateUserPoolDomain", { UserPoolUid: await createPool(svc), Domain: Domain.toUpperCase() }))).toBe("OK");
    dns.cnames.set(Domain, domain.ApigDomain);
    expect((await getDomain(UserPoolUid, Domain)).Status).toBe("ACTIVE");
    const otherPool = (await svc.ok("CreateUserPool", { Name: uniqueDomain("other") }, { key: svc.otherAdmin })).Uid;
    const taken = await svc.call("CreateUserPoolDomain", { UserPoolUid: otherPool, Domain }, { key: svc.otherAdmin });
    expect([codeOf(taken), taken.ResponseMetadata.Error?.Message]).toEqual(["Duplicated", `resource Domain ${Domain} already exists`]);
  });

  it.each([
    ["", "MissingParameter.Domain"],
    ["localhost", "InvalidParameter.Domain"],
    ["192.0.2.1", "InvalidParameter.Domain"],
    ["0x7f.1", "InvalidParameter.Domain"],
    ["[2001:db8::1]", "InvalidParameter.Domain"],
    ["2001:db8::1", "InvalidParameter.Domain"],
    ["-login.example.com", "InvalidParameter.Domain"],
    ["login-.example.com", "InvalidParameter.Domain"],
    ["login..example.com", "InvalidParameter.Domain"],
    ["under_score.example.com", "InvalidParameter.Domain"],
    ["*.example.com", "InvalidParameter.Domain"],
    ["https://login.example.com", "InvalidParameter.Domain"],
    ["login.example.com:443", "InvalidParameter.Domain"],
    ["login.example.com/path", "InvalidParameter.Domain"],
    [`${"a".repeat(64)}.example.com`, "InvalidParameter.Domain"],
    [`${"abcdefghi.".repeat(25)}example.com`, "InvalidParameter.Domain"],
    [`x.${SUFFIX}`, "InvalidParameter.Domain"],
    ["id.example.net", "InvalidParameter.Domain"],
  ])("refuses the domain %j", async (Domain, code) => {
    expect(codeOf(await svc.call("CreateUserPoolDomain", { UserPoolUid: await createPool(svc), Domain }))).toBe(code);
  });

  it("takes an internationalized name in its punycode form", async () => {
    const label = uniqueDomain("bücher").split(".")[0]!;
    const created = await svc.ok("CreateUserPoolDomain", { UserPoolUid: await createPool(svc), Domain: `${label}.example.com` });
    expect(created.Domain).toMatch(/^xn--.*\.example\.com$/);
  });

  it("keeps another account out and a readonly key to reading", async () => {
    const { UserPoolUid, Domain } = await createDomain(svc);
    const ref = { UserPoolUid, Domain };
    for (const [action, params] of [
      ["GetUserPoolDomain", ref],
      ["UpdateUserPoolDomain", { ...ref, CertificateId: "c" }],
      ["DeleteUserPoolDomain", ref],
      ["ListUserPoolDomainOperations", { UserPoolUid }],
      ["CreateUserPoolDomain", { UserPoolUid, Domain: uniqueDomain() }],
    ] as const) {
      expect(codeOf(await svc.call(action, params, { key: svc.otherAdmin })), action).toBe("NotFound");
    }
    // The well-known list is a list: another account's pool is left out, not refused.
    expect((await svc.ok("ListUserPoolWellKnownEndpoints", { UserPoolUids: [UserPoolUid] }, { key: svc.otherAdmin })).Data).toEqual([]);

    expect(codeOf(await svc.call("GetUserPoolDomain", ref, { key: svc.readonly }))).toBe("OK");
    expect(codeOf(await svc.call("ListUserPoolDomainOperations", { UserPoolUid }, { key: svc.readonly }))).toBe("OK");
    expect(codeOf(await svc.call("ListUserPoolWellKnownEndpoints", {}, { key: svc.readonly }))).toBe("OK");
    for (const [action, params] of [
      ["CreateUserPoolDomain", { UserPoolUid, Domain: uniqueDomain() }],
      ["UpdateUserPoolDomain", { ...ref, CertificateId: "c" }],
      ["DeleteUserPoolDomain", ref],
    ] as const) {
      expect(codeOf(await svc.call(action, params, { key: svc.readonly })), action).toBe("AccessDenied");
    }
  });

  it("goes with its pool, log and all, and frees the name", async () => {
    const { UserPoolUid, Domain } = await createDomain(svc);
    await svc.ok("DeleteUserPool", { UserPoolUid });
    const left = await sql<{
      n: string;
    }>`select (select count(*) from user_pool_domains where account_id = ${svc.accountId} and user_pool_uid = ${UserPoolUid})
      + (select count(*) from user_pool_domain_operations where account_id = ${svc.accountId} and user_pool_uid = ${UserPoolUid}) as n`.execute(
      svc.deps.db,
    );
    expect(Number(left.rows[0]!.n)).toBe(0);
    expect(codeOf(await svc.call("CreateUserPoolDomain", { UserPoolUid: await createPool(svc), Domain }))).toBe("OK");
  });
});

describe("ListUserPoolWellKnownEndpoints", () => {
  it("lists the given pools in the given order, or all the account's, on the public base URL", async () => {
    const [a, b] = [await createPool(svc), await createPool(svc)];
    const { Data } = await svc.ok("ListUserPoolWellKnownEndpoints", { UserPoolUids: [b, "no-such-pool", a, b] });
    outputOf("ListUserPoolWellKnownEndpoints").parse({ Data });
    expect(Data.map((d: { UserPoolUid: string }) => d.UserPoolUid)).toEqual([b, a]);
    const issuer = `https://id.example.net/auth/userpool/${a}`;
    expect(Data[1]).toEqual({
      UserPoolUid: a,
      CustomDomain: "",
      IssuerUrl: issuer,
      DiscoveryUrl: `${issuer}/.well-known/openid-configuration`,
      JwksUri: `${issuer}/.well-known/jwks.json`,
      AuthorizationEndpoint: `${issuer}/oauth2/authorize`,
      TokenEndpoint: `${issuer}/oauth2/token`,
      UserinfoEndpoint: `${issuer}/oauth2/userinfo`,
      RevocationEndpoint: `${issuer}/oauth2/revoke`,
      IntrospectionEndpoint: `${issuer}/oauth2/introspect`,
      EndSessionEndpoint: `${issuer}/oauth2/logout`,
    });
    const all = (await svc.ok("ListUserPoolWellKnownEndpoints", {})).Data.map((d: { UserPoolUid: string }) => d.UserPoolUid);
    expect(all).toEqual(expect.arrayContaining([a, b]));
    expect(codeOf(await svc.call("ListUserPoolWellKnownEndpoints", { UserPoolUids: Array.from({ length: 101 }, (_, i) => `p${i}`) }))).toBe(
      "InvalidParameter.UserPoolUids",
    );
  });
});

describe("housekeeping's pass over pending domains", () => {
  // A database of its own on Postgres: the pass scans every account's pending domains.
  let own: TestService;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const base = inject("databaseUrl");
    const db = base ? await ownDatabase(base, "idplane_domains_housekeeping", poolerFor(base)) : undefined;
    drop = db?.drop;
    own = await startTestService({ env: env(dns.address), ...(db && { databaseUrl: db.url }) });
  });
  afterAll(async () => {
    await own?.close();
    await drop?.();
  });

  it("activates the domains pointed right, logs the others, and leaves checks that are not due", async () => {
    const right = await createDomain(own);
    const wrong = await createDomain(own);
    dns.cnames.set(right.Domain, right.domain.ApigDomain);
    dns.cnames.set(wrong.Domain, "elsewhere.example.org");
    // On PGlite the file's other pending domains share the database: count only these two.
    const lookups = () => dns.asked.filter((n) => n === right.Domain || n === wrong.Domain).length;
    expect((await verifyPendingDomains(own.deps)).activated).toBeGreaterThanOrEqual(1);
    expect(lookups()).toBe(2);
    const status = async ({ UserPoolUid, Domain }: { UserPoolUid: string; Domain: string }) =>
      (await own.ok("GetUserPoolDomain", { UserPoolUid, Domain })).Status;
    expect([await status(right), await status(wrong)]).toEqual(["ACTIVE", "PENDING"]);
    const log = (await own.ok("ListUserPoolDomainOperations", { UserPoolUid: wrong.UserPoolUid })).Operations;
    expect(summary(log)[0]).toBe(`VERIFY FAILED: ${wrong.Domain}'s CNAME points elsewhere, not to ${wrong.domain.ApigDomain}`);
    await verifyPendingDomains(own.deps);
    expect(lookups()).toBe(2);
    own.clock.advance(INTERVAL + 1);
    await verifyPendingDomains(own.deps);
    expect(lookups()).toBe(3);
  });
});

describe("configuration", () => {
  it("derives the CNAME suffix from the public base URL, and reads the resolver list", () => {
    expect(loadConfig({}).domains).toEqual({
      cnameTargetSuffix: "localhost",
      resolvers: [],
      timeoutMs: 2000,
      tries: 2,
      checkIntervalSeconds: 60,
    });
    expect(loadConfig({ ID_PUBLIC_BASE_URL: "https://ID.Example.com/auth" }).domains.cnameTargetSuffix).toBe("id.example.com");
    expect(loadConfig({ ID_DOMAIN_CNAME_TARGET_SUFFIX: "Domains.Example.com." }).domains.cnameTargetSuffix).toBe("domains.example.com");
    expect(loadConfig({ ID_DNS_RESOLVERS: "127.0.0.1:5353, ::1,[::1]:53,192.0.2.53" }).domains.resolvers).toEqual([
      "127.0.0.1:5353",
      "::1",
      "[::1]:53",
      "192.0.2.53",
    ]);
    expect(loadConfig({ ID_DNS_RESOLVERS: "system" }).domains.resolvers).toBe("system");
    for (const [name, bad] of [
      ["ID_DNS_RESOLVERS", "dns.example.com"],
      ["ID_DNS_RESOLVERS", "127.0.0.1:0"],
      ["ID_DNS_RESOLVERS", "127.0.0.1,"],
      ["ID_DNS_TIMEOUT_MS", "0"],
      ["ID_DNS_TRIES", "9"],
      ["ID_DOMAIN_CNAME_TARGET_SUFFIX", "192.0.2.1"],
      ["ID_DOMAIN_CHECK_INTERVAL_SECONDS", "0"],
    ] as const) {
      expect(() => loadConfig({ [name]: bad }), `${name}=${bad}`).toThrow(new RegExp(name));
    }
  });
});
