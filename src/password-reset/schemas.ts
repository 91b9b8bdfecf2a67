// The password reset actions' requests (seed 001); their answers are upstream's {Message}.
import { z } from "zod";
import { emailOrEmpty, uid } from "../core/schemas.js";

export const resetPasswordInput = z.object({
  UserPoolUid: uid(),
  UserUid: z.string().trim().max(128).optional(),
  // An empty Email counts as absent, so "neither given" is MissingParameter.Email as the seed says.
  Email: emailOrEmpty.optional(),
});

export const completePasswordResetInput = z.object({
  UserPoolUid: uid(),
  Token: z.string().trim().min(1).max(512),
  NewPassword: z.string().min(1).max(1024),
});
