// The API representation of a user (api.md §6). The password hash never leaves this module's input.
import { formatTime } from "../core/time.js";
import type { UserRow } from "./queries.js";

export function userView(row: UserRow) {
  return {
    Uid: row.uid,
    PreferredUsername: row.preferred_username ?? "",
    Email: row.email ?? "",
    EmailVerified: row.email_verified,
    PhoneNumber: row.phone_number ?? "",
    PhoneNumberVerified: row.phone_number_verified,
    Name: row.name,
    GivenName: row.given_name,
    FamilyName: row.family_name,
    MiddleName: row.middle_name,
    Nickname: row.nickname,
    UserMetadata: row.user_metadata,
    UserState: row.user_state,
    CreateTime: formatTime(row.created_at),
    UpdateTime: formatTime(row.updated_at),
  };
}

export type UserView = ReturnType<typeof userView>;

/** Opaque keyset cursor: the seq of the last row served, versioned so the format can change. */
const MAX_BIGINT = 9_223_372_036_854_775_807n;

export function encodeCursor(seq: string): string {
  return Buffer.from(`u1:${seq}`).toString("base64url");
}

/** The seq a cursor stands for, or undefined when the token is not one of ours. */
export function decodeCursor(token: string): string | undefined {
  const text = Buffer.from(token, "base64url").toString("utf8");
  const m = /^u1:([1-9][0-9]{0,18})$/.exec(text);
  // seq is a bigint column: 19 digits may still overflow it, which Postgres answers with an error.
  return m && BigInt(m[1]!) <= MAX_BIGINT ? m[1] : undefined;
}
