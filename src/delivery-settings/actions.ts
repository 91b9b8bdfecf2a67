// A pool's delivery settings, upstream's EmailService and SmsService actions (issue 14 item 4).
// The email switch governs idplane's own mail (password reset); the SMS settings are stored and
// returned only: idplane sends no SMS.
import { z } from "zod";
import { defineAction } from "../core/action.js";
import { messageResult, uid } from "../core/schemas.js";
import * as settings from "./service.js";

const poolRef = { UserPoolUid: uid() };

/** Text shown to providers or end users: no control characters; min/max as upstream's SDK bounds them. */
const smsText = (max: number) => z.string().trim().min(1).max(max).regex(/^[^\p{C}]*$/u, "no control characters");
/** A provider's template id: no spaces; "" clears it. */
const templateId = z.string().trim().max(255).regex(/^[^\s\p{C}]*$/u, "no spaces or control characters");

export const smsSettingsInput = {
  Enabled: z.boolean().describe("needs SmsAccountId").optional(),
  CnUsageEnabled: z.boolean().describe("messages to mainland China numbers; needs SignatureContent").optional(),
  RowUsageEnabled: z.boolean().describe("messages to the rest of the world; needs SenderId").optional(),
  SmsAccountId: smsText(254).optional(),
  SenderId: smsText(254).optional(),
  SignatureContent: smsText(254).optional(),
  TemplateId: templateId.optional(),
  LoginRowTemplateId: templateId.optional(),
  PasswordResetCnTemplateId: templateId.optional(),
  PasswordResetRowTemplateId: templateId.optional(),
  SignUpCnTemplateId: templateId.optional(),
  SignUpRowTemplateId: templateId.optional(),
};
export const updateSmsServiceInput = z.object({ ...poolRef, ...smsSettingsInput });

export const emailServiceOutput = z.object({ UserPoolUid: z.string(), Enabled: z.boolean() });
export const smsServiceOutput = z.object({
  UserPoolUid: z.string(),
  Enabled: z.boolean(),
  CnUsageEnabled: z.boolean(),
  RowUsageEnabled: z.boolean(),
  SmsAccountId: z.string(),
  SenderId: z.string(),
  SignatureContent: z.string(),
  TemplateId: z.string(),
  LoginRowTemplateId: z.string(),
  PasswordResetCnTemplateId: z.string(),
  PasswordResetRowTemplateId: z.string(),
  SignUpCnTemplateId: z.string(),
  SignUpRowTemplateId: z.string(),
});

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
