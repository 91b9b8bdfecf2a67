// From a provider's claims to what idplane keeps: the user's attributes (a connection's
// AttributeMappings, or the OpenID standard claims when it has none), the claims its
// ClaimsPropagationConfig lets through to idplane's tokens, and the bounded copy of the provider's
// profile shown as ExternalProviderUserMetadata. Pure functions: users.ts applies them.
import { USER_ATTRIBUTES } from "../../identity-providers/upstream-schemas.js";
import type { AttributeMapping, ClaimsPropagationConfig } from "../../identity-providers/tables.js";
import { newUserInput } from "../../users/schemas.js";

/** What ExternalProviderUserMetadata keeps of a provider's profile at most (JSON text). */
export const METADATA_LIMIT_BYTES = 16 * 1024;

/** A claim by name, or by dotted path into nested objects (`address.country`); a name with a dot is tried whole first. */
export function claimAt(claims: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  let value: unknown = claims;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object" || Array.isArray(value) || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** The OpenID Connect standard claims (Core §5.1) and the user attribute each fills, used when a connection maps nothing. */
const STANDARD_MAPPINGS: [string, string][] = [
  ["email", "Email"],
  ["email_verified", "EmailVerified"],
  ["name", "Name"],
  ["given_name", "GivenName"],
  ["family_name", "FamilyName"],
  ["middle_name", "MiddleName"],
  ["nickname", "Nickname"],
  ["preferred_username", "PreferredUsername"],
  ["phone_number", "PhoneNumber"],
  ["phone_number_verified", "PhoneNumberVerified"],
  ["picture", "Picture"],
  ["profile", "Profile"],
  ["website", "Website"],
  ["gender", "Gender"],
  ["birthdate", "Birthdate"],
  ["zoneinfo", "Zoneinfo"],
  ["locale", "Locale"],
];

const asBoolean = (v: unknown): boolean | undefined =>
  v === true || v === "true" ? true : v === false || v === "false" ? false : undefined;
const asText = (v: unknown): string | undefined =>
  typeof v === "string" ? v : typeof v === "number" && Number.isFinite(v) ? String(v) : undefined;

/**
 * The user attributes the claims give. Each value goes through CreateUser's own schema for its
 * field: a value the pool would refuse (an address that is not one, a phone number not in E.164)
 * is left out rather than failing the sign-in. Attributes the provider did not give are absent.
 */
export function mappedAttributes(mappings: AttributeMapping[], claims: Record<string, unknown>): Record<string, string | boolean> {
  const rules: { target: string; value: unknown }[] = mappings.length
    ? mappings.map((m) => ({
        target: m.TargetAttributeName,
        value: m.MappingType === "CONSTANT" ? m.AdditionalConfig : claimAt(claims, m.SourceAttributeName),
      }))
    : STANDARD_MAPPINGS.map(([source, target]) => ({ target, value: claims[source] }));
  const shape = newUserInput.shape as Record<string, { safeParse(v: unknown): { success: boolean; data?: unknown } }>;
  const out: Record<string, string | boolean> = {};
  for (const { target, value } of rules) {
    const kind = USER_ATTRIBUTES.get(target);
    const schema = shape[target];
    if (!kind || !schema) continue;
    const typed = kind === "boolean" ? asBoolean(value) : asText(value);
    if (typed === undefined) continue;
    const parsed = schema.safeParse(typed);
    if (parsed.success && parsed.data !== undefined && parsed.data !== "") out[target] = parsed.data as string | boolean;
  }
  // Verified only alongside an address or number from the same answer.
  if (out.Email === undefined) delete out.EmailVerified;
  if (out.PhoneNumber === undefined) delete out.PhoneNumberVerified;
  return out;
}

export type Propagation = { ok: true; claims: Record<string, unknown> } | { ok: false; missing: string };

const JSON_CLAIM_LIMIT = 4096;

function typed(type: ClaimsPropagationConfig["ClaimRules"][number]["ClaimType"], v: unknown): unknown {
  switch (type) {
    case "STRING":
      return asText(v) ?? (typeof v === "boolean" ? String(v) : undefined);
    case "NUMBER": {
      const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN;
      return Number.isFinite(n) ? n : undefined;
    }
    case "BOOLEAN":
      return asBoolean(v);
    case "JSON":
      return v !== undefined && JSON.stringify(v).length <= JSON_CLAIM_LIMIT ? v : undefined;
  }
}

/**
 * The claims ClaimsPropagationConfig lets through, by target name. DISABLED lets none through; a
 * RULES rule whose source is missing or not of its ClaimType is skipped, unless Required: then
 * the sign-in is refused (`missing` names the source claim, for the log).
 */
export function propagatedClaims(config: ClaimsPropagationConfig | undefined, claims: Record<string, unknown>): Propagation {
  if (!config || config.Mode !== "RULES") return { ok: true, claims: {} };
  const out: Record<string, unknown> = {};
  for (const rule of config.ClaimRules) {
    const value = typed(rule.ClaimType, claimAt(claims, rule.SourceClaimPath));
    if (value === undefined) {
      if (rule.Required) return { ok: false, missing: rule.SourceClaimPath };
      continue;
    }
    out[rule.TargetClaim] = value;
  }
  return { ok: true, claims: out };
}

/**
 * The provider's profile as JSON text within METADATA_LIMIT_BYTES: whole when it fits, else its
 * top-level text, number and boolean claims (each text cut to 256 characters), else "".
 */
export function boundedMetadata(claims: Record<string, unknown>): string {
  const whole = JSON.stringify(claims);
  if (Buffer.byteLength(whole) <= METADATA_LIMIT_BYTES) return whole;
  const scalars: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(claims)) {
    if (typeof v === "string") scalars[k] = v.slice(0, 256);
    else if (typeof v === "number" || typeof v === "boolean") scalars[k] = v;
  }
  const reduced = JSON.stringify(scalars);
  return Buffer.byteLength(reduced) <= METADATA_LIMIT_BYTES ? reduced : "";
}
