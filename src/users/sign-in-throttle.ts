// Throttling of failed password sign-ins (OWASP Authentication Cheat Sheet: per-account and per-source
// limits, exponential back-off rather than a hard lockout). Counted in Postgres (sql/026), so every
// instance behind a load balancer sees the same counts and a client gains nothing by spreading its
// guesses over them.
//
// Two counters per attempt: the user it named (its Uid; the identifier typed when no user holds it,
// so an unknown name is throttled exactly like a known one) and the client's address (IPv4, or the
// IPv6 /64 a single host usually holds). A failure bumps both. Once a counter passes its free
// allowance, each further failure doubles the wait before the next attempt may be tried, from 1 s up
// to a cap of 15 minutes. The address allowance (5) is lower than the user's (10), so a guesser at
// one address is slowed by its own address long before the user's counter is touched; a distributed
// guesser can keep a user's counter up, but each wait is at most 15 minutes and a counter idle for
// an hour starts over. Lockout is therefore never longer than 15 minutes at a time. A success clears
// the user's counter, never the address's (an attacker could interleave its own account's sign-ins).
// A throttled attempt is refused before any password is checked: it costs no scrypt work.
import { createHash } from "node:crypto";
import { isIPv4, isIPv6 } from "node:net";
import { sql } from "kysely";
import type { Db } from "../platform/db/types.js";

export const THROTTLE = {
  /** Failures a key may have without waiting. */
  free: { user: 10, address: 5 },
  /** The first wait; each further failure doubles it. */
  baseSeconds: 1,
  /** No wait is ever longer: the bound on how long a real user can be kept out. */
  capSeconds: 15 * 60,
  /** A counter whose last failure is older starts over (and housekeeping deletes it). */
  windowSeconds: 60 * 60,
} as const;

export interface ThrottleKeys {
  accountId: string;
  poolUid: string;
  user: Buffer;
  address: Buffer;
}

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

/** Expands an IPv6 address to its 8 groups (`::` filled, an embedded IPv4 tail turned into two groups). */
function ipv6Groups(ip: string): string[] {
  let text = ip.toLowerCase().replace(/%.*$/, "");
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split("::") as [string, string | undefined];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...fill, ...right].map((g) => Number.parseInt(g, 16).toString(16));
}

/** What an address is counted as: an IPv4 address (mapped ones included), an IPv6 /64, or the text itself. */
export function addressBucket(address: string): string {
  const ip = address.trim();
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return `other:${ip.slice(0, 128)}`;
  const groups = ipv6Groups(ip);
  if (groups.slice(0, 6).join(":") === "0:0:0:0:0:ffff") {
    const [hi, lo] = [Number.parseInt(groups[6]!, 16), Number.parseInt(groups[7]!, 16)];
    return [hi >> 8, hi & 255, lo >> 8, lo & 255].join(".");
  }
  return `${groups.slice(0, 4).join(":")}::/64`;
}

/** The two keys of an attempt. `user`: the Uid of the user found, else `identifier:<type>:<normalized text>`. */
export function throttleKeys(accountId: string, poolUid: string, user: string, address: string): ThrottleKeys {
  return { accountId, poolUid, user: digest(user), address: digest(addressBucket(address)) };
}

/** The wait after `failures` failures of a key with `free` free ones, in seconds. */
export function backoffSeconds(failures: number, free: number): number {
  if (failures <= free) return 0;
  return Math.min(THROTTLE.capSeconds, THROTTLE.baseSeconds * 2 ** Math.min(failures - free - 1, 30));
}

const whereKeys = (k: ThrottleKeys) => sql`account_id = ${k.accountId} and user_pool_uid = ${k.poolUid}
  and ((scope = 'user' and key = ${k.user}) or (scope = 'address' and key = ${k.address}))`;

/** Seconds until both counters allow another attempt; 0: go ahead. */
export async function waitSeconds(db: Db, k: ThrottleKeys, now: Date): Promise<number> {
  const r = await sql<{ until: Date | null }>`select max(blocked_until) as until from sign_in_throttle where ${whereKeys(k)}`.execute(db);
  const until = r.rows[0]?.until;
  return until ? Math.max(0, Math.ceil((new Date(until).getTime() - now.getTime()) / 1000)) : 0;
}

/**
 * Counts a failure against both keys in one statement; concurrent failures on any instance add up
 * (the upsert takes the row lock). The wait is computed by the database from the count it wrote, as
 * backoffSeconds does, so two instances never disagree about it.
 */
export async function recordFailure(db: Db, k: ThrottleKeys, now: Date): Promise<void> {
  const windowStart = new Date(now.getTime() - THROTTLE.windowSeconds * 1000);
  const failures = sql`(case when t.last_failure_at < ${windowStart} then 1 else t.failures + 1 end)`;
  const free = sql`(case t.scope when 'user' then ${THROTTLE.free.user}::int else ${THROTTLE.free.address}::int end)`;
  const first = (scope: "user" | "address") => backoffSeconds(1, THROTTLE.free[scope]);
  const until = (seconds: number) => new Date(now.getTime() + seconds * 1000);
  await sql`
    insert into sign_in_throttle as t (account_id, user_pool_uid, scope, key, failures, last_failure_at, blocked_until)
    values (${k.accountId}, ${k.poolUid}, 'user', ${k.user}, 1, ${now}, ${until(first("user"))}),
           (${k.accountId}, ${k.poolUid}, 'address', ${k.address}, 1, ${now}, ${until(first("address"))})
    on conflict (account_id, user_pool_uid, scope, key) do update set
      failures = ${failures},
      last_failure_at = excluded.last_failure_at,
      blocked_until = excluded.last_failure_at + make_interval(secs => case when ${failures} <= ${free} then 0
        else least(${THROTTLE.capSeconds}::float8, ${THROTTLE.baseSeconds}::float8 * power(2::float8, least(${failures} - ${free} - 1, 30))) end)`.execute(db);
}

/** A success: the user's counter starts over; the address's stays. */
export async function clearUser(db: Db, k: ThrottleKeys): Promise<void> {
  await db.deleteFrom("sign_in_throttle").where("account_id", "=", k.accountId).where("user_pool_uid", "=", k.poolUid).where("scope", "=", "user").where("key", "=", k.user).execute();
}
