// The zod schemas of the group actions: actions.ts builds the API from them and service.ts takes
// its input types from them, never from actions.ts (which imports the service).
import { z } from "zod";
import { pagingInput, requiredText, timeString, uid } from "../core/schemas.js";
import { listFields, onePagingStyle } from "../users/list.js";
import { GROUP_SORTS } from "./queries.js";

export const poolRef = { UserPoolUid: uid() };
export const groupRef = { ...poolRef, GroupUid: uid() };

export const I32 = { min: -2_147_483_648, max: 2_147_483_647 };
export const writable = {
  Description: z.string().trim().max(2048).optional(),
  Precedence: z.number().int().min(I32.min).max(I32.max).describe("lower comes first in a user's GroupUids; default 0").optional(),
  IamRoleTrn: z
    .string()
    .trim()
    .max(256)
    .regex(
      /^(trn:iam::[0-9]{1,20}:role\/[A-Za-z0-9+=,.@_-]{1,64})?$/,
      'must be an IAM role TRN such as trn:iam::2100000001:role/reader, or ""',
    )
    .describe("stored and answered; idplane assumes no role")
    .optional(),
};

export const createGroupInput = z.object({
  ...poolRef,
  Name: requiredText(128)
    .regex(/^[^\p{C}]+$/u, "no control characters")
    .describe("unique in the pool, case-insensitively"),
  ...writable,
});
export const updateGroupInput = z.object({ ...groupRef, ...writable });

export const groupFields = {
  Uid: z.string(),
  UserPoolUid: z.string(),
  Name: z.string(),
  Description: z.string(),
  Precedence: z.number().int(),
  IamRoleTrn: z.string(),
  GroupIdTokenName: z.string().describe("the Name, as a token's group claim carries it"),
  Source: z.string().describe('"Manual": made through the API'),
  CreateTime: timeString,
  UpdateTime: timeString,
};
export const groupOutput = z.object(groupFields);
export const groupListItem = z.object({ ...groupFields, TotalCountOfGroupMember: z.number().int() });

export const groupFilter = z
  .object({
    Name: z.string().trim().max(128),
    NameMatchMode: z
      .number()
      .int()
      .min(0)
      .max(1)
      .describe("0 (default): Name is a substring, case-insensitively; 1: the whole name, case-insensitively"),
    Description: z.string().trim().max(2048).describe("a substring, case-insensitively"),
    GroupIdTokenName: z.string().trim().max(128).describe("the whole name, case-insensitively"),
    Source: z.string().trim().max(64),
    GroupUidsOr: z.array(uid()).max(100),
  })
  .partial()
  .optional();

export const listGroupsInput = z.object({
  ...poolRef,
  ...pagingInput,
  Filter: groupFilter,
  SortField: z
    .enum(Object.keys(GROUP_SORTS) as [keyof typeof GROUP_SORTS])
    .describe("Precedence (default), Name, CreateTime or UpdateTime")
    .optional(),
  SortDirection: z.enum(["Asc", "Desc"]).describe("default Asc for Precedence and Name, Desc for times").optional(),
});
export const listGroupsForUserInput = listGroupsInput.extend({ UserUid: uid() });

export const userUids = z.array(uid()).min(1).max(100);

// ListUsers' request less what upstream's ListUsersInGroup does not have (sorting, response options).
const { SortField: _s, SortDirection: _d, ResponseValueMask: _m, ResponseValueNull: _n, ...inGroupFields } = listFields;
export const listUsersInGroupInput = z.object({ ...inGroupFields, GroupUid: uid() }).refine(...onePagingStyle);
