// The one DNS question idplane asks about a custom domain: does it hold a CNAME to its pool's target?
// Asked of the resolvers in the configuration (ID_DNS_RESOLVERS) with node:dns's Resolver, bounded in
// time by our own deadline as well as c-ares' timeout and tries (c-ares doubles the timeout of each
// later try, so its own bound is longer than timeout x tries; ours is exactly that).
import { Resolver } from "node:dns/promises";
import type { DomainConfig } from "../platform/config.js";

export type CnameProblem = "not-configured" | "timeout" | "no-record" | "no-domain" | "wrong-target" | "resolver-failed";

/** The outcome of one check; `message` is for the operations log, so it names no resolver address and no other CNAME target. */
export type CnameCheck = { ok: true } | { ok: false; problem: CnameProblem; message: string };

const bare = (name: string) => name.toLowerCase().replace(/\.$/, "");

const FAILURES: Record<string, { problem: CnameProblem; message: (domain: string) => string }> = {
  ENODATA: { problem: "no-record", message: (d) => `${d} has no CNAME record` },
  ENOTFOUND: { problem: "no-domain", message: (d) => `${d} does not exist in DNS (NXDOMAIN)` },
  ETIMEOUT: { problem: "timeout", message: (d) => `the DNS lookup of ${d} timed out` },
  // ECANCELLED comes only from our own deadline's resolver.cancel(), after the race is decided.
};

function failure(err: unknown, domain: string): CnameCheck {
  const code = (err as { code?: string }).code ?? "";
  const known = FAILURES[code];
  if (known) return { ok: false, problem: known.problem, message: known.message(domain) };
  return { ok: false, problem: "resolver-failed", message: `the DNS lookup of ${domain} failed (${code || "unknown error"})` };
}

/** Looks up `domain`'s CNAME and says whether it is `target`; never throws, never takes longer than timeout x tries. */
export async function checkCname(cfg: DomainConfig, domain: string, target: string): Promise<CnameCheck> {
  if (cfg.resolvers !== "system" && cfg.resolvers.length === 0) {
    return {
      ok: false,
      problem: "not-configured",
      message: "no DNS resolvers are configured (ID_DNS_RESOLVERS), so the CNAME cannot be checked",
    };
  }
  const resolver = new Resolver({ timeout: cfg.timeoutMs, tries: cfg.tries });
  if (cfg.resolvers !== "system") resolver.setServers(cfg.resolvers);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<CnameCheck>((resolve) => {
    timer = setTimeout(() => {
      resolver.cancel();
      resolve(failure({ code: "ETIMEOUT" }, domain));
    }, cfg.timeoutMs * cfg.tries);
  });
  const lookup = resolver.resolveCname(domain).then(
    (names): CnameCheck => {
      const found = names.map(bare);
      if (found.includes(bare(target))) return { ok: true };
      // What it points at is not said: it may be another account's pool (the CNAME target names it).
      return { ok: false, problem: "wrong-target", message: `${domain}'s CNAME points elsewhere, not to ${target}` };
    },
    (err: unknown) => failure(err, domain),
  );
  try {
    return await Promise.race([lookup, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
