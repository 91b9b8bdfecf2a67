// Directory sync actions: BatchUpsertDepartments and BatchSyncDepartmentMembers (one call, with
// DryRun), and sync sessions (Create, Upload..., Validate, Commit, Cancel, Get) with their jobs.
import { z } from "zod";
import { defineAction } from "../core/action.js";
import { timeString, uid } from "../core/schemas.js";
import { departmentOutput, externalId, poolRef, role, source } from "./schemas.js";
import * as sessions from "./sessions.js";
import * as run from "./sync-run.js";

/** Items per call: a page of an HR system's export, well inside the body limit. */
export const MAX_SYNC_ITEMS = 1000;

const syncItem = z.object({
  Action: z
    .enum(["UPSERT", "DELETE"])
    .describe("UPSERT (default): create or update by ExternalID; DELETE: delete the department and everything below it")
    .optional(),
  ExternalID: externalId,
  ExternalParentID: externalId.describe("the parent's ExternalID in the same Source; absent: the top level").optional(),
  Name: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .regex(/^[^\p{C}]+$/u, "no control characters")
    .describe("required to create or update")
    .optional(),
  Description: z.string().trim().max(2048).optional(),
  Precedence: z.number().int().min(-2_147_483_648).max(2_147_483_647).optional(),
});
const departments = z.array(syncItem).min(1).max(MAX_SYNC_ITEMS);

const itemResult = z.object({
  ExternalID: z.string(),
  DepartmentUid: z.string(),
  Operation: z.enum(["CREATE", "UPDATE", "DELETE", "NONE"]),
  Status: z.enum(["SUCCEEDED", "FAILED", "SKIPPED"]),
  Message: z.string(),
  Before: departmentOutput.optional(),
  After: departmentOutput.optional(),
});
const departmentsOutcome = z.object({
  Created: z.number().int(),
  Updated: z.number().int(),
  Deleted: z.number().int(),
  Skipped: z.number().int(),
  Errors: z.array(z.string()),
  Items: z.array(itemResult),
});

const memberDiff = z.object({
  Action: z.enum(["ADD", "REMOVE", "UPDATE"]),
  UserUid: z.string(),
  BeforeIsPrimary: z.boolean(),
  BeforeRole: z.string(),
  AfterIsPrimary: z.boolean(),
  AfterRole: z.string(),
});
const membersOutcome = z.object({
  Added: z.number().int(),
  Removed: z.number().int(),
  Unchanged: z.number().int(),
  Errors: z.array(z.string()),
  MappingResults: z.array(
    z.object({
      ExternalDepartmentID: z.string(),
      Status: z.enum(["SUCCEEDED", "FAILED"]),
      Message: z.string(),
      Added: z.number().int(),
      Removed: z.number().int(),
      Unchanged: z.number().int(),
      MemberDiffs: z.array(memberDiff),
    }),
  ),
});

const sessionRef = { ...poolRef, SessionId: uid() };
const sourced = { ...sessionRef, Source: source };
const jobOutput = z.object({
  JobId: z.string(),
  SessionId: z.string(),
  UserPoolUid: z.string(),
  Source: z.string(),
  Type: z.enum(["VALIDATE", "COMMIT"]),
  Status: z.enum(["SUCCEEDED", "FAILED"]),
  ErrorMessage: z.string(),
  StartedAt: timeString,
  FinishedAt: timeString,
  CreatedAt: timeString,
  UpdatedAt: timeString,
});
const uploaded = z.object({
  Received: z.number().int().describe("items of this call"),
  Total: z.number().int().describe("staged in the session so far"),
});

export const syncActions = [
  defineAction({
    name: "BatchUpsertDepartments",
    access: "write",
    errors: ["NotFound", "QuotaExceeded"],
    summary: `Creates, updates (moves, renames) or deletes up to ${MAX_SYNC_ITEMS} departments of a Source by ExternalID, parents before children, with a result per item; DryRun answers the same without changing anything.`,
    input: z.object({ ...poolRef, Source: source, DryRun: z.boolean().optional(), Departments: departments }),
    output: departmentsOutcome,
    handler: (input, ctx) => run.batchUpsertDepartments(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "BatchSyncDepartmentMembers",
    access: "write",
    errors: ["NotFound"],
    summary:
      "Sets the members of up to 1,000 departments of a Source (by ExternalDepartmentID) to exactly the ones given, with a result and a diff per mapping; DryRun answers the same without changing anything.",
    input: z.object({
      ...poolRef,
      Source: source,
      DryRun: z.boolean().optional(),
      Mappings: z
        .array(
          z.object({
            ExternalDepartmentID: externalId,
            Members: z
              .array(z.object({ UserUid: uid(), IsPrimary: z.boolean().optional(), Role: role.optional() }))
              .max(10_000)
              .optional(),
            UserUids: z.array(uid()).max(10_000).describe("members without IsPrimary or Role").optional(),
          }),
        )
        .min(1)
        .max(MAX_SYNC_ITEMS),
    }),
    output: membersOutcome,
    handler: (input, ctx) => run.batchSyncDepartmentMembers(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "CreateDepartmentSyncSession",
    access: "write",
    errors: ["NotFound"],
    summary: `Opens a sync session for a Source; it expires after ${sessions.SESSION_TTL_HOURS} hours.`,
    input: z.object({ ...poolRef, Source: source }),
    output: z.object({ SessionId: z.string(), ExpiresAt: timeString }),
    handler: (input, ctx) => sessions.createSession(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "UploadDepartmentSyncDepartments",
    access: "write",
    errors: ["NotFound", "QuotaExceeded"],
    summary: `Stages up to ${MAX_SYNC_ITEMS} of the Source's departments per call (a later upload of an ExternalID replaces the earlier one).`,
    input: z.object({ ...sourced, Departments: departments }),
    output: uploaded,
    handler: (input, ctx) => sessions.uploadDepartments(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "UploadDepartmentSyncMembers",
    access: "write",
    errors: ["NotFound", "QuotaExceeded"],
    summary: "Stages memberships: each item's users are members of DepartmentExternalID with its IsPrimary and Role.",
    input: z.object({
      ...sourced,
      Members: z
        .array(
          z.object({
            DepartmentExternalID: externalId,
            IsPrimary: z.boolean().optional(),
            Role: role.optional(),
            UserUids: z.array(uid()).min(1).max(10_000),
          }),
        )
        .min(1)
        .max(MAX_SYNC_ITEMS),
    }),
    output: uploaded,
    handler: (input, ctx) => sessions.uploadMembers(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "ValidateDepartmentSyncSession",
    access: "write",
    errors: ["NotFound"],
    summary: `The commit's plan (its work done and rolled back): what it creates, updates, deletes, and whether its deletions pass the threshold (${sessions.DELETE_THRESHOLD_PCT}% of the Source's departments).`,
    input: z.object(sourced),
    output: z.object({
      Plan: z.object({
        Status: z.enum(["READY", "NEEDS_REVIEW"]),
        NeedsReview: z.boolean(),
        ThresholdPct: z.number().int(),
        DeletePct: z.number(),
        DeleteAbsentCount: z.number().int(),
        SourceDeptTotal: z.number().int(),
        DeptCreated: z.number().int(),
        DeptUpdated: z.number().int(),
        DeptDeleted: z.number().int(),
        DeptSkipped: z.number().int(),
        DepartmentErrors: z.array(z.string()),
        MemberAdded: z.number().int(),
        MemberRemoved: z.number().int(),
        MemberUnchanged: z.number().int(),
        MemberErrors: z.array(z.string()),
      }),
      Status: z.string(),
      ValidateJobId: z.string(),
    }),
    handler: (input, ctx) => sessions.validateSession(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "CommitDepartmentSyncSession",
    access: "write",
    errors: ["NotFound", "QuotaExceeded"],
    summary:
      "Applies the session in one transaction (all or nothing); refused past the delete threshold unless AllowExceedDeleteThreshold (InvalidParameter.AllowExceedDeleteThreshold).",
    input: z.object({ ...sourced, AllowExceedDeleteThreshold: z.boolean().optional() }),
    output: z.object({ JobId: z.string(), Departments: departmentsOutcome, Members: membersOutcome }),
    handler: (input, ctx) => sessions.commitSession(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "CancelDepartmentSyncSession",
    access: "write",
    errors: ["NotFound"],
    summary: "Cancels an open session and drops what it staged.",
    input: z.object(sessionRef),
    output: z.object({ Status: z.string() }),
    handler: (input, ctx) => sessions.cancelSession(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "GetDepartmentSyncSession",
    access: "read",
    errors: ["NotFound"],
    summary: "A session's state (OPEN, VALIDATED, COMMITTED, CANCELLED, EXPIRED) and what it has staged.",
    input: z.object(sessionRef),
    output: z.object({
      SessionId: z.string(),
      UserPoolUid: z.string(),
      Source: z.string(),
      Status: z.string(),
      DeleteThresholdPctSnapshot: z.number().int(),
      ReceivedDepartments: z.number().int(),
      ReceivedMemberships: z.number().int(),
      ErrorMessage: z.string(),
      ExpiresAt: timeString,
      StartedAt: timeString,
      CreatedAt: timeString,
      UpdatedAt: timeString,
      CommittedAt: z.string().describe('"" until committed'),
    }),
    handler: (input, ctx) => sessions.getSession(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "GetDepartmentSyncJob",
    access: "read",
    errors: ["NotFound"],
    summary: "One validation or commit of a session.",
    input: z.object({ ...poolRef, JobId: uid() }),
    output: jobOutput,
    handler: (input, ctx) => sessions.getJob(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "ListDepartmentSyncJobs",
    access: "read",
    errors: ["NotFound"],
    summary: "The pool's newest validations and commits (Limit 1-200, default 50), optionally of one Source.",
    input: z.object({ ...poolRef, Source: z.string().trim().max(64).optional(), Limit: z.number().int().min(1).max(200).optional() }),
    output: z.object({ Jobs: z.array(jobOutput) }),
    handler: (input, ctx) => sessions.listJobs(ctx.deps, ctx.accountId, input),
  }),
];
