// Custom domains cannot be squatted (issue 22, item 3), against the real DNS server on loopback: a
// PENDING claim blocks no other account's claim of the name; the claim whose CNAME verifies becomes
// ACTIVE and the other claims are withdrawn; Duplicated answers only a name some pool holds ACTIVE;
// no operations log shows another account's pool; claims left pending expire with housekeeping.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { purgeOnce } from "../../src/platform/housekeeping/worker.js";
import { claimPurges, PENDING_CLAIM_TTL_HOURS } from "../../src/user-pool-domains/claims.js";
import { ownDatabase } from "../support/infra/child-server.js";
import { startTestDns, type TestDns } from "../support/infra/dns-server.js";
import { codeOf, poolerFor, startTestService, type TestService } from "../support/harness.js";
import { uniqueDomain } from "../support/families/user-pool-domains.js";
import { createPool, uniqueName } from "../support/families/user-pools.js";

const SUFFIX = "domains.idplane.test";
let dns: TestDns;
let svc: TestService;
let drop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  dns = await startTestDns();
  // A database of its own on Postgres: expiry removes every account's old claims.
  const base = inject("databaseUrl");
  const db = base ? await ownDatabase(base, "idplane_domain_claims", poolerFor(base)) : undefined;
  drop = db?.drop;
  svc = await startTestService({
    env: {
      ID_PUBLIC_BASE_URL: "https://id.example.net",
      ID_DOMAIN_CNAME_TARGET_SUFFIX: SUFFIX,
      ID_DNS_RESOLVERS: dns.address,
      ID_DNS_TIMEOUT_MS: "300",
      ID_DOMAIN_CHECK_INTERVAL_SECONDS: "30",
    },
    ...(db && { databaseUrl: db.url }),
  });
});
afterAll(async () => {
  await svc?.close();
  await drop?.();
  await dns?.close();
});

const otherPool = async () => (await svc.ok("CreateUserPool", { Name: uniqueName("pool") }, { key: svc.otherAdmin })).Uid as string;
const logOf = async (UserPoolUid: string, key = svc.admin) =>
  (await svc.ok("ListUserPoolDomainOperations", { UserPoolUid }, { key })).Operations as Record<string, string>[];
const lines = (ops: Record<string, string>[]) => ops.map((o) => `${o.Action} ${o.Status}${o.ErrorMessage ? `: ${o.ErrorMessage}` : ""}`);

describe("custom domain claims", () => {
  it("lets the owner whose CNAME verifies win a name another account claimed first", async () => {
    const name = uniqueDomain("victim");
    const squatterPool = await otherPool();
    const squat = await svc.ok("CreateUserPoolDomain", { UserPoolUid: squatterPool, Domain: name }, { key: svc.otherAdmin });
    expect(squat.Status).toBe("PENDING");

    // The owner's claim is not refused, and says nothing of the squatter's.
    const ownerPool = await createPool(svc);
    const owner = await svc.ok("CreateUserPoolDomain", { UserPoolUid: ownerPool, Domain: name });
    expect(owner.Status).toBe("PENDING");
    dns.cnames.set(name, owner.ApigDomain);

    // The squatter's check finds the owner's CNAME: its log says "elsewhere", never the owner's pool.
    expect((await svc.ok("GetUserPoolDomain", { UserPoolUid: squatterPool, Domain: name }, { key: svc.otherAdmin })).Status).toBe(
      "PENDING",
    );
    expect(lines(await logOf(squatterPool, svc.otherAdmin))[0]).toBe(
      `VERIFY FAILED: ${name}'s CNAME points elsewhere, not to ${squat.ApigDomain}`,
    );

    // The owner's check verifies: ACTIVE, and the squatter's claim is withdrawn.
    expect((await svc.ok("GetUserPoolDomain", { UserPoolUid: ownerPool, Domain: name })).Status).toBe("ACTIVE");
    expect((await svc.ok("GetUserPool", { UserPoolUid: ownerPool })).CustomDomain).toBe(name);
    const gone = await svc.call("GetUserPoolDomain", { UserPoolUid: squatterPool, Domain: name }, { key: svc.otherAdmin });
    expect(codeOf(gone)).toBe("NotFound");
    const squatterLog = await logOf(squatterPool, svc.otherAdmin);
    expect(lines(squatterLog)[0]).toBe(
      `VERIFY FAILED: ${name} was verified for another pool (its CNAME points there); this claim was withdrawn`,
    );
    expect(JSON.stringify(squatterLog)).not.toContain(ownerPool);
    expect(JSON.stringify(squatterLog)).not.toContain(svc.accountId);

    // Now, and only now, the name is taken: for any other pool, of either account.
    const late = await svc.call("CreateUserPoolDomain", { UserPoolUid: await otherPool(), Domain: name }, { key: svc.otherAdmin });
    expect([codeOf(late), late.ResponseMetadata.Error?.Message]).toEqual(["Duplicated", `resource Domain ${name} already exists`]);
    expect(codeOf(await svc.call("CreateUserPoolDomain", { UserPoolUid: await createPool(svc), Domain: name }))).toBe("Duplicated");
  });

  it("answers a claim of a pending name like a claim of a free one, even at once", async () => {
    const name = uniqueDomain("contested");
    const [pools, others] = [await Promise.all([createPool(svc), createPool(svc)]), await Promise.all([otherPool(), otherPool()])];
    const outcomes = await Promise.all([
      ...pools.map((UserPoolUid) => svc.call("CreateUserPoolDomain", { UserPoolUid, Domain: name })),
      ...others.map((UserPoolUid) => svc.call("CreateUserPoolDomain", { UserPoolUid, Domain: name }, { key: svc.otherAdmin })),
    ]);
    expect(outcomes.map(codeOf)).toEqual(["OK", "OK", "OK", "OK"]);
    expect(outcomes.map((o) => o.Result.Status)).toEqual(["PENDING", "PENDING", "PENDING", "PENDING"]);
  });

  it(`expires a claim left pending for ${PENDING_CLAIM_TTL_HOURS} hours: no more checks, then housekeeping removes it`, async () => {
    const name = uniqueDomain("forgotten");
    const pool = await createPool(svc);
    const claim = await svc.ok("CreateUserPoolDomain", { UserPoolUid: pool, Domain: name });
    expect(claimPurges[0]!.keepMs).toBe(PENDING_CLAIM_TTL_HOURS * 3600_000);
    // Not yet expired: housekeeping leaves it.
    expect((await purgeOnce(svc.deps.db, new Date(Date.now() + (PENDING_CLAIM_TTL_HOURS - 1) * 3600_000))).expiredDomainClaims).toBe(0);

    // Made TTL and a minute ago (the request clock must stay right for signing).
    const made = new Date(Date.now() - (PENDING_CLAIM_TTL_HOURS * 3600 + 60) * 1000);
    await svc.deps.db.updateTable("user_pool_domains").set({ created_at: made }).where("user_pool_uid", "=", pool).execute();
    dns.cnames.set(name, claim.ApigDomain);
    const asked = dns.asked.length;
    expect((await svc.ok("GetUserPoolDomain", { UserPoolUid: pool, Domain: name })).Status).toBe("PENDING");
    expect(dns.asked.length).toBe(asked);

    expect((await purgeOnce(svc.deps.db, new Date())).expiredDomainClaims).toBe(1);
    expect(codeOf(await svc.call("GetUserPoolDomain", { UserPoolUid: pool, Domain: name }))).toBe("NotFound");
    expect(lines(await logOf(pool))[0]).toBe(
      `VERIFY FAILED: ${name} expired: its CNAME was not found within ${PENDING_CLAIM_TTL_HOURS} hours; create the domain again to retry`,
    );
    // The pool may claim it again, and the new claim verifies.
    await svc.ok("CreateUserPoolDomain", { UserPoolUid: pool, Domain: name });
    expect((await svc.ok("GetUserPoolDomain", { UserPoolUid: pool, Domain: name })).Status).toBe("ACTIVE");
  });
});
