// The OIDC standard claims a user carries besides its identifiers (OpenID Connect Core 1.0 §5.1),
// with upstream's field names: Picture, Profile and Website are URLs, Birthdate is a date, Zoneinfo
// an IANA time zone and Locale a BCP 47 tag. Each accepts "" (not set; clears it on update). Zones
// and locales are checked with the runtime's ICU data (Intl), not a hand-kept list.
import { z } from "zod";
import { MAX_URL_LENGTH, urlProblem, type UrlRule } from "../core/url.js";

/** A page or image about the user: http or https, no credentials (a fragment is harmless here). */
const PROFILE_URL: UrlRule = { http: "any", noWhitespace: true, fragment: true };

const profileUrl = z
  .string()
  .trim()
  .max(MAX_URL_LENGTH)
  .refine(
    (s) => s === "" || urlProblem(s, PROFILE_URL) === undefined,
    "must be an absolute http or https URL without credentials or whitespace",
  );

/** OIDC: YYYY-MM-DD, 0000-MM-DD when the year is withheld, or YYYY alone; a real calendar date. */
export function isBirthdate(s: string): boolean {
  if (/^[0-9]{4}$/.test(s)) return true;
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(s);
  if (!m) return false;
  // Year 0000 (withheld) is checked in a leap year, so 0000-02-29 stays valid.
  const year = m[1] === "0000" ? 2000 : Number(m[1]);
  const d = new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === year && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** An IANA zone name the runtime knows (Europe/Paris, UTC); never an offset such as +01:00. */
export function isTimeZone(s: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+/-]*$/.test(s)) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: s });
    return true;
  } catch {
    return false;
  }
}

/** A well-formed BCP 47 language tag (zh-CN, en, pt-BR); ICU's parser decides. */
export function isLocale(s: string): boolean {
  try {
    return Intl.getCanonicalLocales(s).length === 1;
  } catch {
    return false;
  }
}

export const profileFields = {
  Picture: profileUrl.describe("URL of the user's picture").optional(),
  Profile: profileUrl.describe("URL of the user's profile page").optional(),
  Website: profileUrl.describe("URL of the user's web site").optional(),
  Gender: z
    .string()
    .trim()
    .max(64)
    .regex(/^[^\p{C}]*$/u, "no control characters")
    .describe("free text; OIDC names female and male")
    .optional(),
  Birthdate: z
    .string()
    .trim()
    .refine((s) => s === "" || isBirthdate(s), "must be YYYY-MM-DD (0000-MM-DD without the year) or YYYY")
    .optional(),
  Zoneinfo: z
    .string()
    .trim()
    .max(64)
    .refine((s) => s === "" || isTimeZone(s), "must be an IANA time zone name such as Europe/Paris")
    .optional(),
  Locale: z
    .string()
    .trim()
    .max(35)
    .refine((s) => s === "" || isLocale(s), "must be a BCP 47 language tag such as zh-CN")
    .optional(),
};
