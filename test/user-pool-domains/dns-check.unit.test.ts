// The one DNS question about a custom domain (src/user-pool-domains/dns-check.ts), asked of a real
// DNS server on loopback (test/support/infra/dns-server.ts, in this process: no database, no app)
// that answers a CNAME, another CNAME, NXDOMAIN, no record, SERVFAIL or nothing at all. Each outcome
// with its problem and exact message; a silent server ends in "timeout" whatever the machine's speed
// (the result, not the time, is judged). In the unit set the mutation run reruns.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DomainConfig } from "../../src/platform/config.js";
import { checkCname } from "../../src/user-pool-domains/dns-check.js";
import { startTestDns, type TestDns } from "../support/infra/dns-server.js";

let dns: TestDns;
beforeAll(async () => {
  dns = await startTestDns();
  dns.cnames.set("login.example.com", "pool-1.domains.idplane.test");
  dns.cnames.set("upper.example.com", "POOL-1.Domains.Idplane.Test.");
  dns.cnames.set("other.example.com", "pool-2.domains.idplane.test");
  dns.empty.add("bare.example.com");
  dns.failing.add("broken.example.com");
  dns.silent.add("silent.example.com");
});
afterAll(() => dns?.close());

const TARGET = "pool-1.domains.idplane.test";
const config = (over: Partial<DomainConfig> = {}): DomainConfig => ({
  cnameTargetSuffix: "domains.idplane.test",
  resolvers: [dns.address],
  timeoutMs: 2000,
  tries: 2,
  checkIntervalSeconds: 30,
  ...over,
});

describe("the CNAME check", () => {
  it("finds its pool's target, in any case and with or without the root's dot", async () => {
    expect(await checkCname(config(), "login.example.com", TARGET)).toEqual({ ok: true });
    expect(await checkCname(config(), "upper.example.com", TARGET)).toEqual({ ok: true });
    expect(await checkCname(config(), "login.example.com", "Pool-1.Domains.Idplane.Test.")).toEqual({ ok: true });
  });

  it("says a CNAME points elsewhere without saying where", async () => {
    const r = await checkCname(config(), "other.example.com", TARGET);
    expect(r).toEqual({
      ok: false,
      problem: "wrong-target",
      message: `other.example.com's CNAME points elsewhere, not to ${TARGET}`,
    });
  });

  it.each([
    ["nowhere.example.com", "no-domain", "nowhere.example.com does not exist in DNS (NXDOMAIN)"],
    ["bare.example.com", "no-record", "bare.example.com has no CNAME record"],
    ["broken.example.com", "resolver-failed", "the DNS lookup of broken.example.com failed (ESERVFAIL)"],
  ])("%s: %s", async (domain, problem, message) => {
    expect(await checkCname(config({ tries: 1 }), domain, TARGET)).toEqual({ ok: false, problem, message });
  });

  it("ends a lookup nobody answers as a timeout", async () => {
    const r = await checkCname(config({ timeoutMs: 100, tries: 1 }), "silent.example.com", TARGET);
    expect(r).toEqual({ ok: false, problem: "timeout", message: "the DNS lookup of silent.example.com timed out" });
  });

  it("asks nothing when no resolvers are configured", async () => {
    const before = dns.asked.length;
    expect(await checkCname(config({ resolvers: [] }), "login.example.com", TARGET)).toEqual({
      ok: false,
      problem: "not-configured",
      message: "no DNS resolvers are configured (ID_DNS_RESOLVERS), so the CNAME cannot be checked",
    });
    expect(dns.asked.length).toBe(before);
  });

  it("asks the configured server, not the system's", async () => {
    dns.asked.length = 0;
    await checkCname(config(), "login.example.com", TARGET);
    expect(dns.asked).toEqual(["login.example.com"]);
  });

  it("ends a lookup of a server nothing listens on, and of the root, as an outcome", async () => {
    // A resolver address nothing listens on: the connection is refused or the query times out.
    const r = await checkCname(config({ resolvers: ["127.0.0.1:1"], timeoutMs: 200, tries: 1 }), "login.example.com", TARGET);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(["timeout", "resolver-failed"]).toContain(r.problem);
    expect(await checkCname(config(), "", TARGET)).toEqual({
      ok: false,
      problem: "no-domain",
      message: " does not exist in DNS (NXDOMAIN)",
    });
  });

  it("uses the host's resolvers when told to, and never throws", async () => {
    // .invalid never resolves (RFC 6761); whatever the host's resolvers say, the answer is an outcome.
    const r = await checkCname(config({ resolvers: "system", timeoutMs: 200, tries: 1 }), "idplane-test.invalid", TARGET);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).not.toBe("not-configured");
  });
});
