// The permissions family's request and result schemas (upstream's names, fields and types) and its
// limits, shared by actions.ts and the services. docs/api/permissions.md explains each limit.
import { z } from "zod";
import { pagingInput, requiredText, timeString } from "../core/schemas.js";
import { tagFilters, tagOutput, tagsInput } from "../user-pools/settings.js";

export const LIMITS = {
  namespacesPerAccount: 100,
  resourcesPerNamespace: 100_000,
  policiesPerNamespace: 20_000,
  /** Ancestors a resource may have: a tree at most 10 levels deep. */
  resourceDepth: 9,
  policyChars: 10_000,
  propertiesChars: 4_096,
  /** References a check may carry, and parents per reference. */
  references: 50,
  parentsPerReference: 20,
  batchTasks: 20,
} as const;

const RESERVED = new Set(["true", "false", "if", "then", "else", "in", "is", "like", "has", "__cedar"]);
const NAME_PART = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A Cedar entity type name (`Document`, `App::Folder`): resource types, principal and operation types. */
export const entityType = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .refine(
    (s) => s.split("::").every((p) => NAME_PART.test(p) && !RESERVED.has(p)),
    "must be a Cedar type name: letters, digits and _, parts joined by ::, not a Cedar keyword",
  );
/** An entity id: any text without control characters. */
export const entityId = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^\p{Cc}]+$/u, "no control characters");
export const resourceKey = requiredText(128).regex(/^[^\p{Cc}/]+$/u, "no control characters or /");
const plainName = (max: number) => requiredText(max).regex(/^[^\p{Cc}]+$/u, "no control characters");
export const description = z.string().trim().max(2048).optional();
export const namespaceName = plainName(128).regex(/^[A-Za-z0-9_.:@-]+$/, "letters, digits and _ . : @ - only");

const entityRef = z.object({ Id: entityId, Type: entityType });
/** An entity of a request, or one upstream may send without a part: both parts required here. */
export const entityInput = entityRef;
export const entityOutput = z.object({ Id: z.string(), Type: z.string() });
export const referencesInput = z
  .array(z.object({ Entity: entityRef, Parents: z.array(entityRef).max(LIMITS.parentsPerReference).optional() }))
  .max(LIMITS.references)
  .optional();

const sortDirection = z.enum(["Asc", "Desc"]).optional();
const nsField = { NamespaceName: namespaceName };

// Namespaces
const associates = z
  .array(plainName(256))
  .max(20)
  .refine((a) => new Set(a).size === a.length, "associates must not repeat");
export const createNamespaceInput = z.object({
  NamespaceName: namespaceName.describe("unique in the account; required here"),
  Description: description,
  ProjectName: requiredText(255).optional(),
  Tags: tagsInput.optional(),
  Associates: associates.describe("stored and answered").optional(),
});
const namespaceCore = {
  NamespaceId: z.string(),
  NamespaceName: z.string(),
  Description: z.string(),
  ProjectName: z.string(),
  Tags: z.array(tagOutput),
  Trn: z.string(),
  CreateTime: timeString,
  UpdateTime: timeString,
};
export const createNamespaceOutput = z.object({ ...namespaceCore, Associates: z.string().describe('the Associates joined by ","') });
export const namespaceOutput = z.object({ ...namespaceCore, Associates: z.array(z.string()) });
export const getNamespaceInput = z.object({ NamespaceId: z.string().trim().max(128).optional(), NamespaceName: namespaceName.optional() });
export const updateNamespaceInput = z.object({ NamespaceName: namespaceName, Description: description, Associates: associates.optional() });
/** ListNamespaces' and ListPolicies' shared fields: Name and Description substrings, Id and Trn exact, the sort. */
export const listFields = {
  ...pagingInput,
  Filter: z
    .object({
      Description: z.string().trim().max(2048),
      Id: z.string().trim().max(128),
      Name: z.string().trim().max(128),
      Trn: z.string().trim().max(512),
    })
    .partial()
    .optional(),
  SortField: z.enum(["CreateTime", "UpdateTime", "Name"]).default("CreateTime"),
  SortDirection: sortDirection,
};
export const listNamespacesInput = z.object({
  ...listFields,
  ProjectName: requiredText(255).optional(),
  TagFilters: tagFilters.optional(),
});
export const successResult = z.object({ Success: z.boolean(), Message: z.string() });

// Resources
export const createResourceInput = z.object({
  ...nsField,
  ResourceKey: resourceKey.describe("unique in the namespace: the Cedar entity id"),
  ResourceName: plainName(255),
  ResourceType: entityType.describe("the Cedar entity type"),
  ParentResourceKey: resourceKey.describe("a resource of the namespace; a tree at most 10 levels deep").optional(),
  Description: description,
  Properties: z.string().max(LIMITS.propertiesChars).describe('"" or a JSON object: the entity\'s attributes in a check').optional(),
});
export const updateResourceInput = z.object({
  ...nsField,
  ResourceKey: resourceKey,
  ResourceName: plainName(255).optional(),
  ParentResourceKey: z.string().trim().max(128).describe('another parent; "" makes the resource a root').optional(),
  Description: description,
  Properties: z.string().max(LIMITS.propertiesChars).optional(),
});
export const resourceRefInput = z.object({ ...nsField, ResourceKey: resourceKey });
export const resourceOutput = z.object({
  ResourceId: z.string(),
  ResourceKey: z.string(),
  ResourceName: z.string(),
  ResourceType: z.string(),
  ParentResourceKey: z.string(),
  Path: z.string().describe("/root/.../ResourceKey"),
  Description: z.string(),
  Properties: z.string(),
  Enabled: z.boolean(),
  NamespaceId: z.string(),
  CreateTime: timeString,
  UpdateTime: timeString,
});
export const listResourcesInput = z.object({
  ...nsField,
  ...pagingInput,
  ParentResourceKey: resourceKey.optional(),
  ResourceType: entityType.optional(),
});

// Actions
export const createActionInput = z.object({
  ...nsField,
  ActionKey: plainName(128).describe("the Cedar action id"),
  ActionName: plainName(255),
  ResourceType: entityType,
  Description: description,
});
export const actionIdInput = z.object({ ActionId: requiredText(128) });
export const updateActionInput = z.object({ ActionId: requiredText(128), Description: description });
export const actionOutput = z.object({
  ActionId: z.string(),
  ActionKey: z.string(),
  ActionName: z.string(),
  ResourceType: z.string(),
  Description: z.string(),
  Enabled: z.boolean(),
  NamespaceId: z.string(),
  CreateTime: timeString,
  UpdateTime: timeString,
});
export const listActionsInput = z.object({ ...nsField, ...pagingInput, ResourceType: entityType.optional() });

// Permission points
const pointFields = {
  NamespaceId: requiredText(128),
  AuthPointId: plainName(128),
  AuthPointLink: z.string().trim().max(1024),
  AuthPointName: plainName(255),
  AuthPointType: plainName(64),
  DecisionMode: plainName(64).describe("stored and answered"),
  Enabled: z.boolean(),
};
export const createPointInput = z.object(pointFields);
export const updatePointInput = z.object({ ...pointFields, PermissionPointId: requiredText(128) });
export const pointIdInput = z.object({ PermissionPointId: requiredText(128) });
export const getPointInput = z.object({
  PermissionPointId: z.string().trim().max(128).optional(),
  NamespaceId: z.string().trim().max(128).optional(),
  AuthPointId: z.string().trim().max(128).optional(),
});
export const listPointsInput = z.object({
  NamespaceId: requiredText(128),
  AuthPointId: z.string().trim().max(128).optional(),
  ...pagingInput,
});
export const pointOutput = z.object({
  PermissionPointId: z.string(),
  NamespaceId: z.string(),
  AuthPointId: z.string(),
  AuthPointLink: z.string(),
  AuthPointName: z.string(),
  AuthPointType: z.string(),
  DecisionMode: z.string(),
  Enabled: z.boolean(),
  CreateTime: timeString,
  UpdateTime: timeString,
});
