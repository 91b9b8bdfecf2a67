// The password reset actions (seed 001, docs/spec/api.md §6 "Password reset").
import * as reset from "./service.js";
import { messageResult } from "../core/schemas.js";
import { completePasswordResetInput, resetPasswordInput } from "./schemas.js";
import { defineAction } from "../core/action.js";
import { chargePasswordHashing } from "../platform/rate-limits/charge.js";

/** Upstream's answer shape stays {Message}; this text is how a caller tells that nothing was sent. */
export const EMAIL_OFF_MESSAGE = "the user pool's email service is disabled: no password reset email was sent and no token was issued";

export const passwordResetActions = [
  defineAction({
    name: "ResetPassword",
    access: "write",
    errors: ["NotFound"],
    summary:
      "Starts a password reset for one user, named by UserUid or Email: issues a single-use token (the earlier one stops working) " +
      "and queues an email with the link <ResetPasswordUrl>?token=... Nothing about the user changes until the token is used. " +
      "When the pool's email service is off (UpsertEmailService), no token is issued and no mail sent, and Message says so.",
    input: resetPasswordInput,
    output: messageResult,
    handler: async (input, ctx) => {
      const r = await reset.startPasswordReset(ctx.deps, ctx.accountId, input.UserPoolUid, { UserUid: input.UserUid, Email: input.Email });
      return {
        Message: r.mailed ? `a password reset email was queued for user ${r.userUid}` : `${EMAIL_OFF_MESSAGE} for user ${r.userUid}`,
      };
    },
  }),
  defineAction({
    name: "CompletePasswordReset",
    access: "write",
    errors: ["NotFound"],
    summary: "Sets a new password with a reset token. A token works once; success revokes the user's other outstanding tokens.",
    input: completePasswordResetInput,
    output: messageResult,
    handler: async (input, ctx) => {
      // Charged before the token is looked at: guessing tokens costs what hashing would.
      await chargePasswordHashing(ctx.deps, ctx.principal, 1);
      const userUid = await reset.completePasswordReset(ctx.deps, ctx.accountId, input.UserPoolUid, input.Token, input.NewPassword);
      return { Message: `the password of user ${userUid} was reset` };
    },
  }),
];
