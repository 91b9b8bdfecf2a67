// The API representation of a user (upstream's User). The password hash never leaves this module's
// input. Fields about things idplane does not have yet are answered with their empty values.
// A user is "federated" while connection_uid names the connection it was created through.
import { formatTime } from "../core/time.js";
import type { ExternalIdentityView } from "../external-identities/view.js";
import { customAttributesView } from "./custom-attributes.js";
import type { UserRow } from "./queries.js";

/** ResponseValueMask / ResponseValueNull of GetUser and ListUsers. */
export interface ViewOptions {
  mask?: { Email?: boolean | undefined; PhoneNumber?: boolean | undefined } | undefined;
  nullUserMetadata?: boolean | undefined;
}

/** a***@example.com: the first character of the local part and the domain stay. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  return at <= 0 ? email && "***" : `${email[0]}***${email.slice(at)}`;
}

/** +86138****8000: up to six leading and the last four (two for short numbers) characters stay. */
export function maskPhone(phone: string): string {
  if (!phone) return "";
  const tail = phone.length > 8 ? 4 : 2;
  const head = Math.max(1, Math.min(6, phone.length - tail - 4));
  return `${phone.slice(0, head)}****${phone.slice(-tail)}`;
}

export function userView(row: UserRow, opts: ViewOptions = {}) {
  const email = row.email ?? "";
  const phone = row.phone_number ?? "";
  return {
    Uid: row.uid,
    Sub: row.uid,
    PreferredUsername: row.preferred_username ?? "",
    Email: opts.mask?.Email ? maskEmail(email) : email,
    EmailVerified: row.email_verified,
    PhoneNumber: opts.mask?.PhoneNumber ? maskPhone(phone) : phone,
    PhoneNumberVerified: row.phone_number_verified,
    Name: row.name,
    GivenName: row.given_name,
    FamilyName: row.family_name,
    MiddleName: row.middle_name,
    Nickname: row.nickname,
    Picture: row.picture,
    Profile: row.profile,
    Website: row.website,
    Gender: row.gender,
    Birthdate: row.birthdate,
    Zoneinfo: row.zoneinfo,
    Locale: row.locale,
    UserMetadata: opts.nullUserMetadata ? "" : row.user_metadata,
    CustomAttributes: customAttributesView(row.custom_attributes),
    UserState: row.user_state,
    // Written by sign-ins (src/users/sign-in.ts recordSignIn).
    NumLogins: row.num_logins,
    LatestLogin: row.latest_login_at ? formatTime(row.latest_login_at) : "",
    LatestLoginMethod: row.latest_login_method,
    LatestLoginConnectionName: row.latest_login_connection_name,
    LatestLoginConnectionProvider: row.latest_login_connection_provider,
    LatestLoginConnectionType: row.latest_login_connection_type,
    LatestBrowser: row.latest_browser,
    Connection: row.connection_uid ?? "",
    // Filled by the service from group_members (group-membership.ts): the row does not carry them.
    GroupUids: [] as string[],
    DepartmentUids: [] as string[],
    // Filled by withExternalIdentities (src/external-identities/view.ts), one query per page.
    ExternalIdentities: [] as ExternalIdentityView[],
    CreateTime: formatTime(row.created_at),
    UpdateTime: formatTime(row.updated_at),
  };
}

export type UserView = ReturnType<typeof userView>;
