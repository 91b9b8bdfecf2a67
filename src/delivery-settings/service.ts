// A pool's delivery settings: the email switch (read by password reset before it issues a token)
// and the SMS settings (stored only). Writes take the pool "share" (it stays until commit, other
// children go on), then their own row (src/user-pools/parent.ts).
import type { Transaction } from "kysely";
import type { z } from "zod";
import type { Database } from "../platform/db/schema.js";
import type { AppDeps } from "../deps.js";
import { errors } from "../core/errors.js";
import { isEmpty, patchOf, type PatchRules } from "../core/patch.js";
import type { Db } from "../platform/db/types.js";
import { dropQueuedMail } from "../platform/mail/outbox.js";
import { parentPool } from "../user-pools/parent.js";
import type { smsServiceOutput, updateSmsServiceInput } from "./schemas.js";
import * as q from "./queries.js";
import type { SmsServiceRow } from "./queries.js";

type Deps = Pick<AppDeps, "db" | "clock">;
export type SmsSettings = Omit<z.output<typeof updateSmsServiceInput>, "UserPoolUid">;

/** A pool without a stored setting sends mail: that is what idplane did before the setting existed. */
export const EMAIL_ENABLED_BY_DEFAULT = true;

/** Whether the pool may send mail. */
export async function emailEnabled(db: Db, accountId: string, poolUid: string): Promise<boolean> {
  return (await q.findEmailEnabled(db, { accountId, poolUid })) ?? EMAIL_ENABLED_BY_DEFAULT;
}

/** As emailEnabled, holding the setting until commit: an UpsertEmailService waits for the caller's transaction. */
export async function emailEnabledLocked(trx: Transaction<Database>, accountId: string, poolUid: string): Promise<boolean> {
  return (await q.findEmailEnabledForShare(trx, { accountId, poolUid })) ?? EMAIL_ENABLED_BY_DEFAULT;
}

export async function getEmailService(deps: Pick<Deps, "db">, accountId: string, poolUid: string) {
  await parentPool(deps.db, accountId, poolUid, "read");
  return { UserPoolUid: poolUid, Enabled: await emailEnabled(deps.db, accountId, poolUid) };
}

export async function upsertEmailService(deps: Deps, accountId: string, poolUid: string, enabled: boolean | undefined) {
  const stored = await deps.db.transaction().execute(async (trx) => {
    await parentPool(trx, accountId, poolUid, "share");
    const now = deps.clock.now();
    const value = await q.upsertEmailService(trx, { accountId, poolUid }, enabled, EMAIL_ENABLED_BY_DEFAULT, now);
    if (!value) await dropQueuedMail(trx, accountId, poolUid, "the user pool's email service was turned off before this message was sent");
    return value;
  });
  return { UserPoolUid: poolUid, Enabled: stored };
}

export async function deleteEmailService(deps: Pick<Deps, "db">, accountId: string, poolUid: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await parentPool(trx, accountId, poolUid, "share");
    if (!(await q.deleteEmailService(trx, { accountId, poolUid }))) throw errors.notFound(`EmailService of UserPool ${poolUid}`);
  });
}

/** Each SMS field's column (all plain: the rules between them are checked on the merged row). */
const SMS_FIELDS = {
  Enabled: "enabled",
  CnUsageEnabled: "cn_usage_enabled",
  RowUsageEnabled: "row_usage_enabled",
  SmsAccountId: "sms_account_id",
  SenderId: "sender_id",
  SignatureContent: "signature_content",
  TemplateId: "template_id",
  LoginRowTemplateId: "login_row_template_id",
  PasswordResetCnTemplateId: "password_reset_cn_template_id",
  PasswordResetRowTemplateId: "password_reset_row_template_id",
  SignUpCnTemplateId: "sign_up_cn_template_id",
  SignUpRowTemplateId: "sign_up_row_template_id",
} as const satisfies PatchRules<SmsSettings, SmsServiceRow>;

type SmsView = z.input<typeof smsServiceOutput>;

const SMS_DEFAULTS = { enabled: false, cn_usage_enabled: false, row_usage_enabled: false } as const;

function smsView(poolUid: string, row: Partial<SmsServiceRow> | undefined): SmsView {
  const fields = Object.entries(SMS_FIELDS).map(([field, column]) => [
    field,
    row?.[column] ?? (SMS_DEFAULTS as Record<string, boolean>)[column] ?? "",
  ]);
  return { UserPoolUid: poolUid, ...Object.fromEntries(fields) } as SmsView;
}

/** A switch that is on needs what it would send with. */
const SMS_NEEDS = [
  ["Enabled", "enabled", "SmsAccountId", "sms_account_id"],
  ["CnUsageEnabled", "cn_usage_enabled", "SignatureContent", "signature_content"],
  ["RowUsageEnabled", "row_usage_enabled", "SenderId", "sender_id"],
] as const;

function checkSms(row: SmsServiceRow): void {
  for (const [field, column, needed, neededColumn] of SMS_NEEDS) {
    if (row[column] && !row[neededColumn])
      throw errors.invalidParameter(field, `${field} needs ${needed}: set it in the same call or before`);
  }
}

export async function getSmsService(deps: Pick<Deps, "db">, accountId: string, poolUid: string): Promise<SmsView> {
  await parentPool(deps.db, accountId, poolUid, "read");
  return smsView(poolUid, await q.findSmsService(deps.db, { accountId, poolUid }));
}

export async function updateSmsService(deps: Deps, accountId: string, poolUid: string, input: SmsSettings): Promise<SmsView> {
  const k = { accountId, poolUid };
  const row = await deps.db.transaction().execute(async (trx) => {
    await parentPool(trx, accountId, poolUid, "share");
    const now = deps.clock.now();
    const current = await q.lockSmsService(trx, k, now);
    const changes = patchOf(input, current, SMS_FIELDS);
    if (isEmpty(changes)) return current;
    checkSms({ ...current, ...changes });
    return q.updateSmsService(trx, k, { ...changes, updated_at: now });
  });
  return smsView(poolUid, row);
}
