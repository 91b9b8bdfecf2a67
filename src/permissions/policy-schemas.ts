// Request and result schemas of the policy actions and of the checks (CheckPermission and the two
// batch reads), shared by policy-actions.ts and the services.
import { z } from "zod";
import { pagingInput, requiredText, timeString } from "../core/schemas.js";
import {
  description,
  entityId,
  entityInput,
  entityOutput,
  entityType,
  LIMITS,
  listFields,
  namespaceName,
  referencesInput,
} from "./schemas.js";

const nsField = { NamespaceName: namespaceName };
export const policyName = requiredText(128).regex(/^[A-Za-z0-9_.:@-]+$/, "letters, digits and _ . : @ - only");
export const effect = z.enum(["Allow", "Deny"]);
export const policyStatus = z.enum(["Enabled", "Disabled"]);

const info = z.string().trim().max(1024).describe("stored and answered").optional();
/** A policy made of parts; written as Cedar text (docs/api/permissions.md, "Definition"). */
export const definitionInput = z.object({
  Principal: z.string().trim().max(300).describe('Type::"id" (the principal or a member of it), or ""/"*" for any').optional(),
  PrincipalInfo: info,
  Operation: z.string().trim().max(300).describe('an action id (Action::"<id>"), Type::"id", or ""/"*" for any').optional(),
  Resource: z.string().trim().max(300).describe('Type::"id" (the resource or a descendant), or ""/"*" for any').optional(),
  ResourceInfo: info,
  Effect: effect.default("Allow"),
  Condition: z.string().trim().max(LIMITS.policyChars).describe("a Cedar expression: the policy applies when it is true").optional(),
  ConditionInfo: info,
});
export const definitionOutput = z.object({
  Principal: z.string(),
  PrincipalInfo: z.string(),
  Operation: z.string(),
  Resource: z.string(),
  ResourceInfo: z.string(),
  Effect: z.string(),
  Condition: z.string(),
  ConditionInfo: z.string(),
});

export const createPolicyInput = z.object({
  ...nsField,
  PolicyName: policyName.describe("unique in the namespace; required here"),
  Policy: z.string().max(LIMITS.policyChars).describe("one Cedar policy; exactly one of Policy and Definition").optional(),
  Definition: definitionInput.optional(),
  Description: description,
  Status: policyStatus.default("Enabled"),
});
export const policyOutput = z.object({
  PolicyId: z.string(),
  PolicyName: z.string(),
  Policy: z.string().describe("the Cedar text"),
  Description: z.string(),
  NamespaceId: z.string(),
  Trn: z.string(),
  CreateTime: timeString,
  UpdateTime: timeString,
});
export const policyListItem = policyOutput.extend({ Status: z.string(), Definition: definitionOutput });
export const policyRefInput = z.object({ ...nsField, PolicyName: policyName });
export const updatePolicyInput = z.object({
  ...nsField,
  PolicyName: policyName,
  Description: z.string().trim().max(2048),
  Status: policyStatus,
});
export const listPoliciesInput = z.object({ ...nsField, ...listFields });

const operand = (what: string) =>
  z.object({
    Id: entityId,
    Type: entityType,
    Operator: z.enum(["in", "=="]).describe(`"in" (default): ${what}; "==": that entity only`).optional(),
  });
const actionOperand = z.object({ Id: entityId, Type: entityType.default("Action"), Operator: z.enum(["=="]).optional() });
export const grantInput = z.object({
  ...nsField,
  PolicyName: policyName.describe("default: grant-<random>").optional(),
  Principal: operand("the entity or any member of it").optional(),
  Operation: actionOperand.optional(),
  Resource: operand("the entity or any descendant").optional(),
  Effect: effect.default("Allow"),
  Definition: definitionInput.describe("instead of Principal/Operation/Resource/Effect").optional(),
  Description: description,
  OriginalCallers: z
    .array(z.object({ Id: entityId, Type: entityType, Operator: z.enum(["in", "=="]).optional() }))
    .max(10)
    .describe("refused: see docs")
    .optional(),
});

const operation = z.object({ Id: entityId, Type: entityType.default("Action").describe("default Action") });
export const checkInput = z.object({
  NamespaceName: namespaceName,
  Principal: entityInput,
  Operation: operation,
  Resource: entityInput,
  References: referencesInput,
  Extra: z.object({ runID: z.string().max(256).optional(), sessionID: z.string().max(256).optional() }).optional(),
  OriginalCallers: z.array(entityInput).max(10).describe("context.originalCallers").optional(),
  PermissionPointId: z
    .string()
    .trim()
    .max(128)
    .describe("an enabled permission point: its AuthPointId is context.permissionPoint")
    .optional(),
});
export const checkOutput = z.object({ Allowed: z.boolean(), Message: z.string() });

const taskFilter = z
  .object({
    Actions: z.array(entityId).max(50),
    Effects: z.array(effect).max(2),
    ObjectTypes: z.array(entityType).max(50),
    SubjectTypes: z.array(entityType).max(50),
  })
  .partial()
  .optional();
const taskCommon = {
  Filter: taskFilter,
  IncludeConditionalPolicies: z.boolean().default(false),
  References: referencesInput,
  ...pagingInput,
};
export const objectTasksInput = z.object({
  NamespaceName: namespaceName,
  Tasks: z
    .array(z.object({ ...taskCommon, Object: entityInput }))
    .min(1)
    .max(LIMITS.batchTasks),
});
export const subjectTasksInput = z.object({
  NamespaceName: namespaceName,
  Tasks: z
    .array(z.object({ ...taskCommon, Subject: entityInput }))
    .min(1)
    .max(LIMITS.batchTasks),
});

const grantRow = {
  Action: entityOutput,
  Condition: z.string(),
  Conditional: z.boolean(),
  Effect: z.string(),
  PolicyId: z.string(),
  PolicyName: z.string(),
};
const taskResult = (data: z.ZodType) =>
  z.object({
    TaskIndex: z.number().int(),
    Data: z.array(data),
    PageNumber: z.number().int(),
    PageSize: z.number().int(),
    TotalCount: z.number().int(),
  });
export const objectTasksOutput = z.object({ Results: z.array(taskResult(z.object({ ...grantRow, Subject: entityOutput }))) });
export const subjectTasksOutput = z.object({ Results: z.array(taskResult(z.object({ ...grantRow, Resource: entityOutput }))) });
