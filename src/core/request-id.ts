// Request ids of both audiences (the signed API's envelope, sign-in's log line and headers).
import { randomBytes } from "node:crypto";

// Random bytes drawn in blocks: one randomBytes call per request showed up in the request path's profile.
const POOL_SIZE = 9 * 512;
let pool = randomBytes(POOL_SIZE);
let offset = 0;

// The time part changes once a second: made once a second, not once a request.
let stampSecond = Number.NaN;
let stamp = "";

/** yyyyMMddHHmmss (UTC) followed by 18 upper-case hex characters. */
export function newRequestId(now = new Date()): string {
  if (offset + 9 > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  const random = pool.toString("hex", offset, offset + 9).toUpperCase();
  offset += 9;
  const second = Math.floor(now.getTime() / 1000);
  if (second !== stampSecond) {
    const iso = now.toISOString();
    stamp = iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19);
    stampSecond = second;
  }
  return stamp + random;
}
