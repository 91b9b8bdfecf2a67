// The zod schemas of the tag actions: actions.ts builds the API from them and service.ts takes
// its input types from them, never from actions.ts (which imports the service).
import { z } from "zod";
import { uid } from "../core/schemas.js";
import { MAX_TAGS, tagFilters, tagKey, tagsInput } from "../user-pools/settings.js";

/** The TRN's resource-type segment of a pool (trn:id:<region>:<account>:userpool/<uid>); the only taggable type so far. */
export const RESOURCE_TYPES = ["userpool"] as const;
/** How many resources one call may name. */
export const MAX_RESOURCE_IDS = 20;

export const resourceType = z.enum(RESOURCE_TYPES).describe("userpool (the kind in a pool's Trn)");
export const resourceIds = z.array(uid()).min(1).max(MAX_RESOURCE_IDS).describe(`1-${MAX_RESOURCE_IDS} pool uids; each must exist`);

export const tagResourcesInput = z.object({ ResourceType: resourceType, ResourceIds: resourceIds, Tags: tagsInput.min(1) });
export const untagResourcesInput = z.object({
  ResourceType: resourceType,
  ResourceIds: resourceIds,
  TagKeys: z.array(tagKey).min(1).max(MAX_TAGS),
});
export const listTagsInput = z.object({
  ResourceType: resourceType,
  ResourceIds: z
    .array(uid())
    .max(MAX_RESOURCE_IDS)
    .describe("only these pools (each must exist); all of the account's pools when omitted")
    .optional(),
  TagFilters: tagFilters.describe("only pools that have every Key (with one of its Values, when given)").optional(),
  MaxResults: z.number().int().min(1).max(100).default(10),
  NextToken: z.string().trim().max(1024).describe("the NextToken of the previous page").optional(),
});

export const tagItem = z.object({ ResourceId: z.string(), ResourceType: z.string(), TagKey: z.string(), TagValue: z.string() });
export const listTagsOutput = z.object({ ResourceTags: z.array(tagItem), NextToken: z.string().describe('"" on the last page') });
