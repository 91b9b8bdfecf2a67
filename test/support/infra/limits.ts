// Floods that check the shared limits from outside: signed calls spread over services (instances,
// or one load balancer in front of them), tallied by answer. Shared by the throttling and quota
// suites and the load-balancer test, which runs their assertions through HAProxy.
import type { NewAccessKey } from "../../../src/access-keys/service.js";
import type { TestService } from "../harness.js";
import { errorOf, rawCall } from "../raw.js";

export interface Tally {
  ok: number;
  throttled: number;
  other: string[];
}

/** Fires `count` signed ListUserPools calls, `concurrency` at a time, spread over the given services. */
export async function hammer(services: TestService[], key: NewAccessKey, count: number, concurrency = 8): Promise<Tally> {
  const tally: Tally = { ok: 0, throttled: 0, other: [] };
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const svc = services[next++ % services.length]!;
      const r = await rawCall(svc, { action: "ListUserPools", key });
      const err = errorOf(r);
      if (!err) tally.ok++;
      else if (err.Code === "Throttling" && r.status === 429) tally.throttled++;
      else tally.other.push(`${r.status} ${err.Code}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return tally;
}

/**
 * What a shared bucket may admit in `seconds` over `instances` instances: the burst, the refill, and
 * at most one lease per instance (src/platform/rate-limits/limiter.ts); a per-process budget would admit
 * `instances` times the first two.
 */
export const sharedRateBound = (b: { burst: number; rate: number; seconds: number; instances: number; leaseSize: number }) =>
  b.burst + Math.ceil(b.rate * b.seconds) + b.instances * b.leaseSize;

/** N CreateUserPool at once with one key, spread over the services; the answers' codes. */
export async function createPoolsAtOnce(services: TestService[], key: NewAccessKey, count: number, prefix: string): Promise<string[]> {
  const results = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      rawCall(services[i % services.length]!, { action: "CreateUserPool", key, body: JSON.stringify({ Name: `${prefix}-${i}` }) }),
    ),
  );
  return results.map((r) => errorOf(r)?.Code ?? "OK");
}
