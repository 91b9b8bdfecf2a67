// The custom-attribute actions of a user pool (upstream's CreateUserPoolCustomAttribute family);
// GetUserPool lists a pool's attributes in its CustomAttributes.
import { z } from "zod";
import { defineAction } from "../core/action.js";
import { messageResult, uid } from "../core/schemas.js";
import { STANDARD_ATTRIBUTES } from "../user-pools/settings.js";
import * as attributes from "./service.js";
import { DATA_TYPES, MUTABILITIES } from "./tables.js";

// "sub" too: users carry it (the subject identifier), though no list of the pool's attributes names it.
const RESERVED = new Set<string>([...STANDARD_ATTRIBUTES, "sub"]);

/** A letter, then letters, digits or '_': a name that reads the same as a claim, a column or a form field. */
const attributeName = z
  .string()
  .trim()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, "1-64 letters, digits or '_', starting with a letter")
  .refine((n) => !RESERVED.has(n.toLowerCase()), "is the name of a standard attribute");

const bound = z.number().int().min(-2_147_483_648).max(2_147_483_647);
const poolRef = { UserPoolUid: uid() };

export const createCustomAttributeInput = z.object({
  ...poolRef,
  Name: attributeName,
  DataType: z.enum(DATA_TYPES),
  Mutability: z.enum(MUTABILITIES),
  Minimum: bound.optional(),
  Maximum: bound.optional(),
});

export const updateCustomAttributeInput = z.object({
  ...poolRef,
  Uid: uid(),
  Name: attributeName.optional(),
  Mutability: z.enum(MUTABILITIES).optional(),
  Minimum: bound.optional(),
  Maximum: bound.optional(),
});

export const customAttributeOutput = z.object({
  Uid: z.string(),
  Name: z.string(),
  DataType: z.enum(DATA_TYPES),
  Mutability: z.enum(MUTABILITIES),
  Minimum: z.number().int(),
  Maximum: z.number().int(),
});

export const customAttributeActions = [
  defineAction({
    name: "CreateUserPoolCustomAttribute",
    access: "write",
    errors: ["NotFound", "Duplicated", "QuotaExceeded"],
    summary: "Adds a custom attribute to a user pool; Name is unique in the pool, case-insensitively.",
    input: createCustomAttributeInput,
    output: customAttributeOutput,
    handler: (input, ctx) => attributes.createCustomAttribute(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "UpdateUserPoolCustomAttribute",
    access: "write",
    errors: ["NotFound", "Duplicated"],
    summary: "Renames a custom attribute or changes its Mutability or bounds; its DataType stays.",
    input: updateCustomAttributeInput,
    output: customAttributeOutput,
    handler: (input, ctx) => attributes.updateCustomAttribute(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "DeleteUserPoolCustomAttribute",
    access: "write",
    errors: ["NotFound"],
    summary: "Removes a custom attribute from a user pool.",
    input: z.object({ ...poolRef, Uid: uid() }),
    output: messageResult,
    handler: async (input, ctx) => {
      await attributes.deleteCustomAttribute(ctx.deps, ctx.accountId, input.UserPoolUid, input.Uid);
      return { Message: `custom attribute ${input.Uid} deleted` };
    },
  }),
];
