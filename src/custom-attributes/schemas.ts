// The zod schemas of the custom-attribute actions: actions.ts builds the API from them and service.ts takes
// its input types from them, never from actions.ts (which imports the service).
import { z } from "zod";
import { uid } from "../core/schemas.js";
import { STANDARD_ATTRIBUTES } from "../user-pools/settings.js";
import { DATA_TYPES, MUTABILITIES } from "./tables.js";

// "sub" too: users carry it (the subject identifier), though no list of the pool's attributes names it.
export const RESERVED = new Set<string>([...STANDARD_ATTRIBUTES, "sub"]);

/** A letter, then letters, digits or '_': a name that reads the same as a claim, a column or a form field. */
export const attributeName = z
  .string()
  .trim()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, "1-64 letters, digits or '_', starting with a letter")
  .refine((n) => !RESERVED.has(n.toLowerCase()), "is the name of a standard attribute");

export const bound = z.number().int().min(-2_147_483_648).max(2_147_483_647);
export const poolRef = { UserPoolUid: uid() };

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
