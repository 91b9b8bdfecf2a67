// The outbound address policy applied when a URL idplane will call later is written (an OAuth
// connection's token and user endpoints, which sign-in calls server to server), as the guarded fetch
// applies it when a URL is fetched. Checked without DNS: the scheme (https; http only to loopback
// with ID_OUTBOUND_ALLOW_HTTP_LOOPBACK), credentials, a literal address by the policy; and a name in
// a namespace that only ever names internal hosts (localhost, *.internal such as
// metadata.google.internal, *.local, a single label...) is resolved and allowed only when the policy
// allows an address it resolves to (ID_OUTBOUND_ALLOW_ADDRESSES). Any other name is left to the
// fetch's own check of every DNS answer at call time: a public name may resolve differently then.
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { AddressPolicy, isInternalName } from "./addresses.js";
import { fetcherFor, type OutboundPolicy } from "./guarded-fetch.js";

/** A lookup of an internal name is bounded: the write answers in time whatever the resolver does. */
const LOOKUP_MS = 2000;

const policies = new WeakMap<OutboundPolicy, AddressPolicy>();
const policyFor = (p: OutboundPolicy) => policies.get(p) ?? policies.set(p, new AddressPolicy(p.allowedAddresses)).get(p)!;

async function resolves(host: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<string[]>((resolve) => (timer = setTimeout(() => resolve([]), LOOKUP_MS)));
  try {
    return await Promise.race([
      lookup(host, { all: true }).then(
        (found) => found.map((a) => a.address),
        () => [],
      ),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Why idplane may not call `raw` under the outbound policy, or undefined. The reason names no
 * address a name resolved to: what internal names resolve to is not the caller's business.
 */
export async function endpointRefusal(policy: OutboundPolicy, raw: string): Promise<string | undefined> {
  const problem = fetcherFor(policy).refusal(raw);
  if (problem) return problem;
  const host = new URL(raw).hostname
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "")
    .toLowerCase();
  if (isIP(host) || !isInternalName(host)) return undefined;
  const addresses = await resolves(host);
  if (addresses.some((a) => policyFor(policy).refusal(a) === undefined)) return undefined;
  return `${host} is an internal name, refused unless ID_OUTBOUND_ALLOW_ADDRESSES allows its address`;
}
