// Tags of user pools, upstream's TagResources, UntagResources and ListTagsForResources (issue 14
// item 5). The key and value rules are Volcengine's (src/user-pools/settings.ts); ListUserPools'
// TagFilters and each pool's Tags read the same tags.
import { z } from "zod";
import { defineAction } from "../core/action.js";
import { uid } from "../core/schemas.js";
import { MAX_TAGS, tagFilters, tagKey, tagsInput } from "../user-pools/settings.js";
import * as tags from "./service.js";

/** The TRN's resource-type segment of a pool (trn:id:<region>:<account>:userpool/<uid>); the only taggable type so far. */
export const RESOURCE_TYPES = ["userpool"] as const;
/** How many resources one call may name. */
export const MAX_RESOURCE_IDS = 20;

const resourceType = z.enum(RESOURCE_TYPES).describe("userpool (the kind in a pool's Trn)");
const resourceIds = z.array(uid()).min(1).max(MAX_RESOURCE_IDS).describe(`1-${MAX_RESOURCE_IDS} pool uids; each must exist`);

export const tagResourcesInput = z.object({ ResourceType: resourceType, ResourceIds: resourceIds, Tags: tagsInput.min(1) });
export const untagResourcesInput = z.object({
  ResourceType: resourceType,
  ResourceIds: resourceIds,
  TagKeys: z.array(tagKey).min(1).max(MAX_TAGS),
});
export const listTagsInput = z.object({
  ResourceType: resourceType,
  ResourceIds: z.array(uid()).max(MAX_RESOURCE_IDS).describe("only these pools (each must exist); all of the account's pools when omitted").optional(),
  TagFilters: tagFilters.describe("only pools that have every Key (with one of its Values, when given)").optional(),
  MaxResults: z.number().int().min(1).max(100).default(10),
  NextToken: z.string().trim().max(1024).describe("the NextToken of the previous page").optional(),
});

const tagItem = z.object({ ResourceId: z.string(), ResourceType: z.string(), TagKey: z.string(), TagValue: z.string() });
export const listTagsOutput = z.object({ ResourceTags: z.array(tagItem), NextToken: z.string().describe("\"\" on the last page") });

export const tagActions = [
  defineAction({
    name: "TagResources",
    access: "write",
    errors: ["NotFound", "QuotaExceeded"],
    summary: `Adds tags to pools, or sets the Value of a Key they have; all or nothing: an unknown pool is NotFound and a pool over ${MAX_TAGS} tags QuotaExceeded, and then no pool changes.`,
    input: tagResourcesInput,
    output: z.object({}),
    handler: async (input, ctx) => {
      await tags.tagResources(ctx.deps, ctx.accountId, input.ResourceIds, input.Tags);
      return {};
    },
  }),
  defineAction({
    name: "UntagResources",
    access: "write",
    errors: ["NotFound"],
    summary: "Removes the given keys from pools (a key a pool does not have is no error); an unknown pool is NotFound and then no pool changes.",
    input: untagResourcesInput,
    output: z.object({}),
    handler: async (input, ctx) => {
      await tags.untagResources(ctx.deps, ctx.accountId, input.ResourceIds, input.TagKeys);
      return {};
    },
  }),
  defineAction({
    name: "ListTagsForResources",
    access: "read",
    errors: ["NotFound"],
    summary: "Lists the tags of the account's pools (or the given ones), one item per tag, by pool uid then key; NextToken/MaxResults page by cursor.",
    input: listTagsInput,
    output: listTagsOutput,
    handler: (input, ctx) => tags.listTags(ctx.deps, ctx.accountId, input),
  }),
];
