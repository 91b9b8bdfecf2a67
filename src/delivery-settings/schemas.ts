// The zod schemas of the delivery-settings actions: actions.ts builds the API from them and service.ts takes
// its input types from them, never from actions.ts (which imports the service).
import { z } from "zod";
import { uid } from "../core/schemas.js";

export const poolRef = { UserPoolUid: uid() };

/** Text shown to providers or end users: no control characters; min/max as upstream's SDK bounds them. */
export const smsText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\p{C}]*$/u, "no control characters");
/** A provider's template id: no spaces; "" clears it. */
export const templateId = z
  .string()
  .trim()
  .max(255)
  .regex(/^[^\s\p{C}]*$/u, "no spaces or control characters");

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
