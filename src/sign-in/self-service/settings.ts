// The pool settings the self-service pages follow, read on each request (a changed switch acts on
// the next page, on every instance): the switches, the attribute lists, the password policy, the
// method order, and whether the pool may send mail (UpsertEmailService).
import { emailEnabled } from "../../delivery-settings/service.js";
import { poolCustomAttributes } from "../../users/custom-attributes.js";
import type { Db } from "../../platform/db/types.js";
import type { PasswordPolicy } from "../../user-pools/tables.js";
import { DEFAULT_PASSWORD_POLICY } from "../../user-pools/view.js";

export interface SelfServiceSettings {
  poolName: string;
  passwordPolicy: PasswordPolicy;
  signInAttributes: string[];
  requiredSignUpAttributes: string[];
  /** The custom attributes RequiredSignUpAttributes names (`custom:<Name>`) that the pool has, as defined. */
  signUpCustomAttributes: string[];
  /** The methods the login page offers, in AuthenticationMethodOrder, switched-off ones left out; never SMS. */
  methods: ("PASSWORD" | "EMAIL_PASSWORDLESS")[];
  selfSignUp: boolean;
  autoVerification: boolean;
  recovery: boolean;
  /** Recovery by email: SelfAccountRecoveryVerificationAttributes names email. */
  recoveryByEmail: boolean;
  emailPasswordless: boolean;
  mail: boolean;
}

const DEFAULT_ORDER = ["PASSWORD", "EMAIL_PASSWORDLESS", "SMS_PASSWORDLESS"];

export async function selfServiceSettings(db: Db, accountId: string, poolUid: string): Promise<SelfServiceSettings | undefined> {
  const [row, mail] = await Promise.all([
    db
      .selectFrom("user_pools")
      .select([
        "name",
        "password_policy",
        "sign_in_attributes",
        "required_sign_up_attributes",
        "authentication_method_order",
        "password_sign_in_enabled",
        "email_passwordless_sign_in_enabled",
        "self_sign_up_enabled",
        "sign_up_auto_verification_enabled",
        "self_account_recovery_enabled",
        "self_account_recovery_verification_attributes",
      ])
      .where("account_id", "=", accountId)
      .where("uid", "=", poolUid)
      .executeTakeFirst(),
    emailEnabled(db, accountId, poolUid),
  ]);
  if (!row) return undefined;
  const wanted = row.required_sign_up_attributes.filter((a) => a.startsWith("custom:")).map((a) => a.slice(7).toLowerCase());
  const defined = wanted.length ? await poolCustomAttributes(db, accountId, poolUid) : [];
  // A listed method comes in its place; one left out of a non-empty list follows in the default order.
  const order = [...row.authentication_method_order, ...DEFAULT_ORDER.filter((m) => !row.authentication_method_order.includes(m))];
  const on = { PASSWORD: row.password_sign_in_enabled, EMAIL_PASSWORDLESS: row.email_passwordless_sign_in_enabled && mail };
  return {
    poolName: row.name,
    passwordPolicy: { ...DEFAULT_PASSWORD_POLICY, ...row.password_policy },
    signInAttributes: row.sign_in_attributes,
    requiredSignUpAttributes: row.required_sign_up_attributes,
    signUpCustomAttributes: defined.filter((d) => wanted.includes(d.Name.toLowerCase())).map((d) => d.Name),
    methods: order.filter((m): m is "PASSWORD" | "EMAIL_PASSWORDLESS" => m in on && on[m as keyof typeof on]),
    selfSignUp: row.self_sign_up_enabled,
    autoVerification: row.sign_up_auto_verification_enabled,
    recovery: row.self_account_recovery_enabled,
    recoveryByEmail: row.self_account_recovery_verification_attributes.includes("email"),
    emailPasswordless: row.email_passwordless_sign_in_enabled,
    mail,
  };
}
