// What housekeeping may delete of self-service (src/platform/db/declarations.ts): codes an hour after
// they expired (kept a little for support questions; never usable again), and flood counters whose
// window is over (a new request would start them over anyway).
import type { PurgeRule } from "../../platform/db/declarations.js";
import { purgeExpiredCodes } from "./codes.js";
import { FLOOD, purgeFlood } from "./flood.js";

export const selfServicePurges: PurgeRule[] = [
  { name: "expiredSignInCodes", keepMs: 3_600_000, purge: purgeExpiredCodes },
  { name: "signInFloodWindows", keepMs: FLOOD.windowSeconds * 1000, purge: purgeFlood },
];
