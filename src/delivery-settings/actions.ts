// A pool's delivery settings, upstream's EmailService and SmsService actions (issue 14 item 4).
// The email switch governs idplane's own mail (password reset); the SMS settings are stored and
// returned only: idplane sends no SMS.
import { z } from "zod";
import { defineAction } from "../core/action.js";
import { messageResult } from "../core/schemas.js";
import * as settings from "./service.js";
import { poolRef, updateSmsServiceInput, emailServiceOutput, smsServiceOutput } from "./schemas.js";

export const deliverySettingsActions = [
  defineAction({
    name: "GetEmailService",
    access: "read",
    errors: ["NotFound"],
    summary: "Whether the pool sends email (password reset links); Enabled is true until UpsertEmailService turns it off.",
    input: z.object(poolRef),
    output: emailServiceOutput,
    handler: (input, ctx) => settings.getEmailService(ctx.deps, ctx.accountId, input.UserPoolUid),
  }),
  defineAction({
    name: "UpsertEmailService",
    access: "write",
    errors: ["NotFound"],
    summary:
      "Turns the pool's email on or off (omitted Enabled keeps what is stored). Off: ResetPassword issues no token and sends no mail, " +
      "and reset mails still queued for the pool are dropped.",
    input: z.object({ ...poolRef, Enabled: z.boolean().optional() }),
    output: emailServiceOutput,
    handler: (input, ctx) => settings.upsertEmailService(ctx.deps, ctx.accountId, input.UserPoolUid, input.Enabled),
  }),
  defineAction({
    name: "DeleteEmailService",
    access: "write",
    errors: ["NotFound"],
    summary: "Removes the pool's email setting: the pool is back to the default (email on). NotFound when there is none.",
    input: z.object(poolRef),
    output: messageResult,
    handler: async (input, ctx) => {
      await settings.deleteEmailService(ctx.deps, ctx.accountId, input.UserPoolUid);
      return { Message: `email service of user pool ${input.UserPoolUid} deleted` };
    },
  }),
  defineAction({
    name: "GetSmsService",
    access: "read",
    errors: ["NotFound"],
    summary: "The pool's SMS settings (configuration only: idplane sends no SMS); the defaults (off, empty) until UpdateSmsService.",
    input: z.object(poolRef),
    output: smsServiceOutput,
    handler: (input, ctx) => settings.getSmsService(ctx.deps, ctx.accountId, input.UserPoolUid),
  }),
  defineAction({
    name: "UpdateSmsService",
    access: "write",
    errors: ["NotFound"],
    summary:
      "Changes the given SMS settings; omitted fields stay. Enabled needs SmsAccountId, CnUsageEnabled SignatureContent, RowUsageEnabled SenderId " +
      "(on the settings as they will be). Stored only: idplane sends no SMS.",
    input: updateSmsServiceInput,
    output: smsServiceOutput,
    handler: ({ UserPoolUid, ...fields }, ctx) => settings.updateSmsService(ctx.deps, ctx.accountId, UserPoolUid, fields),
  }),
];
