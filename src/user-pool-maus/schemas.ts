// GetUserPoolMaus' request and answer.
import { z } from "zod";
import { uid } from "../core/schemas.js";

export const getUserPoolMausInput = z.object({
  Month: z
    .string()
    .trim()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "a month as YYYY-MM")
    .optional(),
  UserPoolUids: z.array(uid()).max(100).optional(),
});

export const getUserPoolMausOutput = z.object({
  Month: z.string(),
  UserPoolMaus: z.array(z.object({ UserPoolUid: z.string(), Mau: z.number().int() })),
});
