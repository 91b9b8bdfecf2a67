// Tagging user pools. A write locks the named pools (in uid order) and rewrites their tag lists, all
// in one transaction: the 50-tag bound holds under concurrent writers, and a call naming one unknown
// pool changes none. Tag writes leave the pool's UpdateTime alone: tags describe the pool, they are
// not one of its settings.
import type { z } from "zod";
import type { AppDeps } from "../deps.js";
import { errors } from "../core/errors.js";
import { poolNotFound } from "../user-pools/parent.js";
import { MAX_TAGS } from "../user-pools/settings.js";
import type { Tag } from "../user-pools/tables.js";
import type { listTagsInput, listTagsOutput } from "./schemas.js";
import * as q from "./queries.js";

type Deps = Pick<AppDeps, "db">;

/** Locks the pools, applies `change` to each one's tags, and writes those that changed. */
async function rewriteTags(deps: Deps, accountId: string, resourceIds: string[], change: (tags: Tag[]) => Tag[]): Promise<void> {
  const uids = [...new Set(resourceIds)];
  await deps.db.transaction().execute(async (trx) => {
    const rows = await q.lockPoolTags(trx, accountId, uids);
    const found = new Set(rows.map((r) => r.uid));
    const missing = uids.find((u) => !found.has(u));
    if (missing !== undefined) throw poolNotFound(missing);
    for (const row of rows) {
      const next = change(row.tags);
      if (next.length > MAX_TAGS) throw errors.quotaExceeded(`TagsPerResource (${MAX_TAGS}) of UserPool ${row.uid}`);
      if (JSON.stringify(next) !== JSON.stringify(row.tags)) await q.setPoolTags(trx, accountId, row.uid, next);
    }
  });
}

/** A Key the pool has keeps its place and takes the new Value; new Keys go after, in the order given. */
export function withTags(current: Tag[], added: Tag[]): Tag[] {
  const byKey = new Map(added.map((t) => [t.Key, t.Value]));
  const kept = current.map((t) => (byKey.has(t.Key) ? { Key: t.Key, Value: byKey.get(t.Key)! } : t));
  const have = new Set(current.map((t) => t.Key));
  return [...kept, ...added.filter((t) => !have.has(t.Key)).map((t) => ({ Key: t.Key, Value: t.Value }))];
}

export function tagResources(deps: Deps, accountId: string, resourceIds: string[], tags: Tag[]): Promise<void> {
  return rewriteTags(deps, accountId, resourceIds, (current) => withTags(current, tags));
}

export function untagResources(deps: Deps, accountId: string, resourceIds: string[], keys: string[]): Promise<void> {
  const gone = new Set(keys);
  return rewriteTags(deps, accountId, resourceIds, (current) => current.filter((t) => !gone.has(t.Key)));
}

type ListTagsInput = z.output<typeof listTagsInput>;

const encodeCursor = (r: q.TagRow) => Buffer.from(JSON.stringify([r.uid, r.key]), "utf8").toString("base64url");

function decodeCursor(token: string): { uid: string; key: string } {
  try {
    const v: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === "string" && typeof v[1] === "string") return { uid: v[0], key: v[1] };
  } catch {
    // Falls through to the typed error below.
  }
  throw errors.invalidParameter("NextToken", "the NextToken is not one this action returned");
}

export async function listTags(deps: Deps, accountId: string, input: ListTagsInput): Promise<z.input<typeof listTagsOutput>> {
  const uids = input.ResourceIds?.length ? [...new Set(input.ResourceIds)] : undefined;
  if (uids) {
    const found = await q.existingPoolUids(deps.db, accountId, uids);
    const missing = uids.find((u) => !found.has(u));
    if (missing !== undefined) throw poolNotFound(missing);
  }
  const rows = await q.listPoolTags(deps.db, {
    accountId,
    uids,
    filters: input.TagFilters ?? [],
    after: input.NextToken ? decodeCursor(input.NextToken) : undefined,
    limit: input.MaxResults + 1,
  });
  const page = rows.slice(0, input.MaxResults);
  return {
    ResourceTags: page.map((r) => ({ ResourceId: r.uid, ResourceType: input.ResourceType, TagKey: r.key, TagValue: r.value })),
    NextToken: rows.length > input.MaxResults ? encodeCursor(page[page.length - 1]!) : "",
  };
}
