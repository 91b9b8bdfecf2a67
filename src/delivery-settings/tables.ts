// Kysely table types of the delivery-settings family (sql/014_pool_settings.sql): a pool's
// EmailService and SmsService; joined into the Database type in src/platform/db/schema.ts.
import type { Generated } from "kysely";
import type { BigintString, Timestamp } from "../platform/db/types.js";

export interface UserPoolEmailServicesTable {
  account_id: BigintString;
  user_pool_uid: string;
  enabled: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UserPoolSmsServicesTable {
  account_id: BigintString;
  user_pool_uid: string;
  enabled: Generated<boolean>;
  cn_usage_enabled: Generated<boolean>;
  row_usage_enabled: Generated<boolean>;
  sms_account_id: Generated<string>;
  sender_id: Generated<string>;
  signature_content: Generated<string>;
  template_id: Generated<string>;
  login_row_template_id: Generated<string>;
  password_reset_cn_template_id: Generated<string>;
  password_reset_row_template_id: Generated<string>;
  sign_up_cn_template_id: Generated<string>;
  sign_up_row_template_id: Generated<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DeliverySettingsTables {
  user_pool_email_services: UserPoolEmailServicesTable;
  user_pool_sms_services: UserPoolSmsServicesTable;
}
