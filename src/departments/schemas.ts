// The departments family's zod schemas, read by actions.ts (validation, openapi.yaml) and by the
// services alike (their input types), so a service never imports actions.ts.
import { z } from "zod";
import { messageResult, pagingInput, requiredText, timeString, uid } from "../core/schemas.js";

/** ParentDepartmentUid / RootDepartmentUid naming the pool's top level (no department has it as Uid). */
export const TOP = "0";
/** How deep the tree may go: a top-level department is at depth 1. */
export const MAX_DEPTH = 32;

const I32 = { min: -2_147_483_648, max: 2_147_483_647 };
export const poolRef = { UserPoolUid: uid() };
export const departmentRef = { ...poolRef, DepartmentUid: uid() };
export const userUids = z.array(uid()).min(1).max(100);
export const source = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[^\p{C}]+$/u, "no control characters");

const name = requiredText(255).regex(/^[^\p{C}]+$/u, "no control characters");
const description = z.string().trim().max(2048);
const precedence = z.number().int().min(I32.min).max(I32.max).describe("lower comes first among siblings; default 0");
const iamRoleTrn = z
  .string()
  .trim()
  .max(2048)
  .regex(
    /^(trn:iam::[0-9]{1,20}:role\/[A-Za-z0-9+=,.@_-]{1,64})?$/,
    'must be an IAM role TRN such as trn:iam::2100000001:role/reader, or ""',
  )
  .describe("stored and answered; idplane assumes no role");
export const externalId = z.string().trim().min(1).max(512);
const parentRef = uid().describe(`a department of the pool, or "${TOP}" for the top level`);

export const createDepartmentInput = z.object({
  ...poolRef,
  Name: name,
  ParentDepartmentUid: parentRef,
  Description: description.optional(),
  Precedence: precedence.optional(),
  IamRoleTrn: iamRoleTrn.optional(),
  ExternalID: z.string().trim().max(512).describe('an outside system\'s id; unique per Source in the pool when not ""').optional(),
  Source: source.describe('where the department comes from; default "Manual"').optional(),
});
export type CreateDepartmentInput = z.output<typeof createDepartmentInput>;

export const updateDepartmentInput = z.object({
  ...departmentRef,
  Name: name.optional(),
  ParentDepartmentUid: parentRef
    .describe(`moves the department (with its subtree) under this one, or "${TOP}"; never under itself or its own subtree`)
    .optional(),
  Description: description.optional(),
  Precedence: precedence.optional(),
  IamRoleTrn: iamRoleTrn.optional(),
});
export type UpdateDepartmentInput = z.output<typeof updateDepartmentInput>;

export const MEMBER_POLICIES = ["Refuse", "Remove", "MoveToParent"] as const;
export const deleteDepartmentInput = z.object({
  ...departmentRef,
  ForceDeleteChildren: z
    .boolean()
    .describe("true: the whole subtree goes; false (default): a department with children is refused")
    .optional(),
  ForceDeleteMembers: z.boolean().describe("true: the same as MemberPolicy Remove").optional(),
  MemberPolicy: z
    .enum(MEMBER_POLICIES)
    .describe(
      "what happens to the memberships of the departments deleted: Refuse (default unless ForceDeleteMembers) refuses when there are any, Remove removes them (the users stay), MoveToParent makes the users members of the deleted department's parent",
    )
    .optional(),
});
export type DeleteDepartmentInput = z.output<typeof deleteDepartmentInput>;

export const departmentOutput = z.object({
  Uid: z.string(),
  UserPoolUid: z.string(),
  Name: z.string(),
  ParentDepartmentUid: z.string().describe(`"${TOP}" for a top-level department`),
  Path: z.string().describe("the uids from the top down to this department, each after a '/'"),
  NamePath: z.string().describe("the names from the top down to this department, each after a '/'"),
  Description: z.string(),
  ExternalID: z.string(),
  Source: z.string(),
  Precedence: z.number().int(),
  IamRoleTrn: z.string(),
  DirectChildrenCount: z.number().int(),
  DirectMemberCount: z.number().int().describe("users who are members of this department itself"),
  MemberCount: z.number().int().describe("users who are members of this department or of one below it, each counted once"),
  CreateTime: timeString,
  UpdateTime: timeString,
});
export type DepartmentView = z.input<typeof departmentOutput>;

export const departmentFilter = z
  .object({
    DepartmentUid: z.string().trim().max(128).describe('this department only ("" is no filter)'),
    Name: z.string().trim().max(255),
    NameMatchMode: z
      .number()
      .int()
      .min(0)
      .max(1)
      .describe("0 (default): Name is a substring, case-insensitively; 1: the whole name, case-insensitively"),
    Description: z.string().trim().max(2048).describe("a substring, case-insensitively"),
    ExternalID: z.string().trim().max(512).describe("the whole id"),
    Source: z.string().trim().max(64),
  })
  .partial()
  .optional();
export type DepartmentFilterInput = z.output<typeof departmentFilter>;

export const DEPARTMENT_SORT_FIELDS = ["Precedence", "Name", "CreateTime", "UpdateTime"] as const;
export const listDepartmentsInput = z.object({
  ...poolRef,
  ParentDepartmentUid: parentRef.describe(`whose direct children to list; "${TOP}" for the top-level departments`),
  ...pagingInput,
  NextToken: z
    .string()
    .trim()
    .max(2048)
    .describe("the NextToken of the previous page, with the same SortField and SortDirection (then PageNumber is ignored)")
    .optional(),
  MaxResults: z.number().int().min(1).max(100).describe("the page size with NextToken").optional(),
  Filter: departmentFilter,
  SortField: z.enum(DEPARTMENT_SORT_FIELDS).describe("Precedence (default), Name, CreateTime or UpdateTime").optional(),
  SortDirection: z.enum(["Asc", "Desc"]).describe("default Asc for Precedence and Name, Desc for times").optional(),
});
export type ListDepartmentsInput = z.output<typeof listDepartmentsInput>;

export const listDepartmentsOutput = z.object({
  Data: z.array(departmentOutput),
  PageNumber: z.number().int(),
  PageSize: z.number().int(),
  TotalCount: z.number().int(),
  NextToken: z.string().describe('"" on the last page'),
});

export const treeInput = z.object({
  ...poolRef,
  RootDepartmentUid: parentRef.describe(`the subtree's top, or "${TOP}" for the whole pool`),
  MaxDepth: z.number().int().min(0).max(MAX_DEPTH).describe("levels answered, the roots being the first; 0 or absent: all").optional(),
  Filter: departmentFilter,
  FilterResultMode: z
    .number()
    .int()
    .min(0)
    .max(1)
    .describe(
      "with a Filter: 0 (default) the matching departments with their ancestors (the tree shape kept); 1 the matching departments alone, as roots without Children",
    )
    .optional(),
});
export type TreeInput = z.output<typeof treeInput>;

export interface TreeNode {
  Department: DepartmentView;
  MemberCount: number;
  Children: TreeNode[];
}
export const treeNode: z.ZodType<TreeNode> = z.object({
  Department: departmentOutput,
  MemberCount: z.number().int(),
  get Children() {
    return z.array(treeNode);
  },
});
export const treeOutput = z.object({ Roots: z.array(treeNode) });

export const membershipOutput = z.object({ Department: departmentOutput, IsPrimary: z.boolean(), Role: z.string() });

export const role = z
  .string()
  .trim()
  .max(64)
  .regex(/^[^\p{C}]*$/u, "no control characters");

export { messageResult };
