-- Per-pool delivery settings (issue 14 item 4): upstream's EmailService and SmsService of a user pool.
-- A pool without a row has the defaults (email on, SMS off); DeleteEmailService removes the row.
-- Both go with their pool (ON DELETE CASCADE). Tags (item 5) live in user_pools.tags (sql/009).

create table user_pool_email_services (
  account_id     bigint      not null,
  user_pool_uid  text        not null,
  -- false: the pool sends no mail (ResetPassword issues no token and says so).
  enabled        boolean     not null,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  constraint user_pool_email_services__pkey primary key (account_id, user_pool_uid),
  constraint user_pool_email_services__user_pool_uid foreign key (account_id, user_pool_uid)
    references user_pools (account_id, uid) on delete cascade
);

-- Configuration only: idplane sends no SMS. Lengths as upstream's SDK bounds them.
create table user_pool_sms_services (
  account_id                     bigint      not null,
  user_pool_uid                  text        not null,
  enabled                        boolean     not null default false,
  cn_usage_enabled               boolean     not null default false,
  row_usage_enabled              boolean     not null default false,
  sms_account_id                 text        not null default '',
  sender_id                      text        not null default '',
  signature_content              text        not null default '',
  template_id                    text        not null default '',
  login_row_template_id          text        not null default '',
  password_reset_cn_template_id  text        not null default '',
  password_reset_row_template_id text        not null default '',
  sign_up_cn_template_id         text        not null default '',
  sign_up_row_template_id        text        not null default '',
  created_at                     timestamptz not null default now(),
  updated_at                     timestamptz not null default now(),
  constraint user_pool_sms_services__pkey primary key (account_id, user_pool_uid),
  constraint user_pool_sms_services__user_pool_uid foreign key (account_id, user_pool_uid)
    references user_pools (account_id, uid) on delete cascade
);
