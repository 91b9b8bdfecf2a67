// ListUserPoolWellKnownEndpoints: each pool's OIDC addresses (src/user-pools/endpoints.ts), on its
// ACTIVE custom domain when it has one. A list, as upstream's name and optional filter say: uids that
// name no pool of the caller's account are left out rather than refused, as any list filter does.
import { activeDomains } from "../user-pools/child-views.js";
import type { AppDeps } from "../deps.js";
import { wellKnownEndpoints } from "../user-pools/endpoints.js";
import * as q from "./queries.js";

export async function listWellKnownEndpoints(deps: Pick<AppDeps, "db" | "config">, accountId: string, uids: string[] | undefined) {
  const pools = await q.poolUidsOf(deps.db, accountId, uids?.length ? uids : undefined);
  const active = await activeDomains(deps.db, accountId, pools);
  return { Data: pools.map((uid) => wellKnownEndpoints(deps.config.publicBaseUrl, uid, active.get(uid) ?? "")) };
}
