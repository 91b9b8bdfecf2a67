// Request ids of both audiences (the signed API's envelope, sign-in's log line and headers).
import { randomBytes } from "node:crypto";

// Random bytes drawn in blocks: one randomBytes call per request showed up in the request path's profile.
const POOL_SIZE = 9 * 512;
let pool = randomBytes(POOL_SIZE);
let offset = 0;

/** yyyyMMddHHmmss (UTC) followed by 18 upper-case hex characters. */
export function newRequestId(now = new Date()): string {
  if (offset + 9 > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  const random = pool.toString("hex", offset, offset + 9).toUpperCase();
  offset += 9;
  const stamp = now.toISOString();
  return (
    stamp.slice(0, 4) + stamp.slice(5, 7) + stamp.slice(8, 10) + stamp.slice(11, 13) + stamp.slice(14, 16) + stamp.slice(17, 19) + random
  );
}
