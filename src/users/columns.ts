// The columns a user's fields write: USER_PATCH for an update (the plain fields; the service handles
// identifiers, flags, custom attributes and the password), NEW_USER_FIELDS for a create, complete
// over CreateUser's schema so a field added there without a rule is a type error.
import { emptyIsNull, patchOf, type PatchRules } from "../core/patch.js";
import type { UserRow } from "./queries.js";
import type { UserFields } from "./rules.js";
import type { NewUserFields } from "./schemas.js";
import type { UserState } from "./tables.js";

/** The columns the plain fields write; identifiers, their verified flags, custom attributes and the password are handled below. */
export const USER_PATCH: PatchRules<UserFields, UserRow> = {
  PreferredUsername: null,
  Email: null,
  EmailVerified: null,
  PhoneNumber: null,
  PhoneNumberVerified: null,
  Name: "name",
  GivenName: "given_name",
  FamilyName: "family_name",
  MiddleName: "middle_name",
  Nickname: "nickname",
  Picture: "picture",
  Profile: "profile",
  Website: "website",
  Gender: "gender",
  Birthdate: "birthdate",
  Zoneinfo: "zoneinfo",
  Locale: "locale",
  UserMetadata: "user_metadata",
  CustomAttributesToUpsert: null,
  UserState: null,
  Password: null,
};

/** What a new user starts with, before its fields apply. */
const NEW_USER_DEFAULTS = {
  preferred_username: null as string | null,
  email: null as string | null,
  email_verified: false,
  phone_number: null as string | null,
  phone_number_verified: false,
  name: "",
  given_name: "",
  family_name: "",
  middle_name: "",
  nickname: "",
  picture: "",
  profile: "",
  website: "",
  gender: "",
  birthdate: "",
  zoneinfo: "",
  locale: "",
  user_metadata: "{}",
  user_state: "ACTIVE" as UserState,
};

/**
 * Create's columns: every field of CreateUser's schema has a rule, so a field added there without
 * one is a type error (test/control-plane/typed-inputs.test.ts) rather than a parameter accepted and dropped.
 */
export const NEW_USER_FIELDS: PatchRules<NewUserFields, UserRow> = {
  ...USER_PATCH,
  PreferredUsername: emptyIsNull("preferred_username"),
  Email: emptyIsNull("email"),
  PhoneNumber: emptyIsNull("phone_number"),
  EmailVerified: "email_verified",
  PhoneNumberVerified: "phone_number_verified",
  UserState: "user_state",
  // createUsers handles these: checked against the pool's definitions, hashed, linked (linking.ts).
  CustomAttributesToUpsert: null,
  Password: null,
  ExternalProviderUserIdentifier: null,
};

export const toRow = (f: NewUserFields) => ({
  ...NEW_USER_DEFAULTS,
  ...(patchOf(f, {}, NEW_USER_FIELDS) as Partial<typeof NEW_USER_DEFAULTS>),
});
