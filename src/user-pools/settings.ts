// The schema pieces of a pool's upstream settings: the attributes a pool has (for sign-up, sign-in
// and recovery lists), the sign-in methods AuthenticationMethodOrder ranks, Brand, and Tags and tag
// filters by Volcengine's tag rules. Only the shapes live here; the service checks lists against the pool.
import { z } from "zod";
import { urlString } from "../core/schemas.js";

/**
 * The standard user attributes idplane stores, in OIDC Core §5.1 spelling (the claim names a data
 * plane would issue). A custom attribute may not take one of these names.
 */
export const STANDARD_ATTRIBUTES = [
  "email",
  "phone_number",
  "preferred_username",
  "name",
  "given_name",
  "family_name",
  "middle_name",
  "nickname",
  "picture",
  "profile",
  "website",
  "gender",
  "birthdate",
  "zoneinfo",
  "locale",
] as const;

/** Attributes that identify one user, so a sign-in form can ask for them. */
export const SIGN_IN_ATTRIBUTES = ["email", "phone_number", "preferred_username"] as const;

/** Attributes a code can be sent to and verified (users carry EmailVerified and PhoneNumberVerified). */
export const RECOVERY_ATTRIBUTES = ["email", "phone_number"] as const;

/** The sign-in methods the pool's *SignInEnabled switches turn on, which AuthenticationMethodOrder ranks. */
export const AUTHENTICATION_METHODS = ["PASSWORD", "EMAIL_PASSWORDLESS", "SMS_PASSWORDLESS"] as const;

const noRepeats = <T>(a: T[]) => new Set(a).size === a.length;

/** A list of attribute names, each at most once; which names a pool accepts is checked by the service. */
export const attributeList = z
  .array(z.string().trim().min(1).max(128))
  .max(STANDARD_ATTRIBUTES.length + 50)
  .refine(noRepeats, "attributes must not repeat");

export const authenticationMethodOrder = z
  .array(z.enum(AUTHENTICATION_METHODS))
  .max(AUTHENTICATION_METHODS.length)
  .refine(noRepeats, "methods must not repeat");

export const brandInput = z
  .object({
    Name: z.string().trim().max(128),
    // A logo is shown to end users on sign-in pages: https only (http for loopback while developing).
    LogoUri: urlString(
      { http: "loopback", noWhitespace: true, fragment: true },
      'must be an absolute https URL (http only on localhost, 127.0.0.1 or [::1]) or ""',
    ).or(z.literal("")),
  })
  .partial();

// Volcengine's tag rules (e.g. its TagResources references): a key is 1-128 characters, a value
// 0-256, both letters of any language, digits, spaces and _ . : / = + - @, neither starting or ending
// with a space; keys starting with volc: or sys: in any case are reserved; at most 50 tags, keys unique.
const TAG_CHARS = /^[\p{L}\p{M}\p{N} _.:/=+\-@]*$/u;
const noEdgeSpace = (s: string) => s === s.trim();
export const MAX_TAGS = 50;

export const tagKey = z
  .string()
  .min(1)
  .max(128)
  .regex(TAG_CHARS, "letters, digits, spaces and _ . : / = + - @ only")
  .refine(noEdgeSpace, "must not start or end with a space")
  .refine((k) => !/^(volc|sys):/i.test(k), "keys starting with volc: or sys: are reserved");

export const tagValue = z
  .string()
  .max(256)
  .regex(TAG_CHARS, "letters, digits, spaces and _ . : / = + - @ only")
  .refine(noEdgeSpace, "must not start or end with a space");

export const tagsInput = z
  .array(z.object({ Key: tagKey, Value: tagValue.default("") }))
  .max(MAX_TAGS)
  .refine((tags) => noRepeats(tags.map((t) => t.Key)), "tag keys must not repeat");

export const tagOutput = z.object({ Key: z.string(), Value: z.string() });

/** A pool matches a filter when it has the Key and, if Values is not empty, one of the Values. */
export const tagFilters = z.array(z.object({ Key: tagKey, Values: z.array(tagValue).max(MAX_TAGS).optional() })).max(MAX_TAGS);

export type TagFilter = z.output<typeof tagFilters>[number];
