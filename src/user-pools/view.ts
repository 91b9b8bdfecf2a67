// The API representation of a user pool (api.md §6), built from a row.
import type { PasswordPolicy } from "./tables.js";
import { formatTime } from "../core/time.js";
import type { UserPoolRow } from "./queries.js";

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  MinLength: 8,
  RequireUppercase: false,
  RequireLowercase: false,
  RequireDigits: false,
  RequireSymbols: false,
};

export function trn(region: string, accountId: string, kind: string, uid: string): string {
  return `trn:id:${region}:${accountId}:${kind}/${uid}`;
}

export function userPoolView(row: UserPoolRow, region: string) {
  return {
    Uid: row.uid,
    Trn: trn(region, row.account_id, "userpool", row.uid),
    Name: row.name,
    Description: row.description,
    Enabled: row.enabled,
    PasswordPolicy: { ...DEFAULT_PASSWORD_POLICY, ...row.password_policy },
    CustomScopes: row.custom_scopes,
    ResetPasswordUrl: row.reset_password_url ?? "",
    ResetTokenTtlSeconds: row.reset_token_ttl_seconds,
    TotalUsers: row.total_users,
    TotalClients: row.total_clients,
    TotalConnections: row.total_connections,
    CreateTime: formatTime(row.created_at),
    UpdateTime: formatTime(row.updated_at),
  };
}

export type UserPoolView = ReturnType<typeof userPoolView>;
