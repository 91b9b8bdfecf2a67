// Tags of user pools, upstream's TagResources, UntagResources and ListTagsForResources (issue 14
// item 5). The key and value rules are Volcengine's (src/user-pools/settings.ts); ListUserPools'
// TagFilters and each pool's Tags read the same tags.
import { z } from "zod";
import { defineAction } from "../core/action.js";
import { MAX_TAGS } from "../user-pools/settings.js";
import * as tags from "./service.js";
import { tagResourcesInput, untagResourcesInput, listTagsInput, listTagsOutput } from "./schemas.js";

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
    summary:
      "Removes the given keys from pools (a key a pool does not have is no error); an unknown pool is NotFound and then no pool changes.",
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
    summary:
      "Lists the tags of the account's pools (or the given ones), one item per tag, by pool uid then key; NextToken/MaxResults page by cursor.",
    input: listTagsInput,
    output: listTagsOutput,
    handler: (input, ctx) => tags.listTags(ctx.deps, ctx.accountId, input),
  }),
];
