// Business rules of a user that need more than one field or the pool: at least one identifier, the
// password policy, uniqueness inside one batch, and unique-index violations turned into Duplicated.
import type { PasswordPolicy } from "../user-pools/tables.js";
import { constraintOf, isUniqueViolation } from "../platform/db/errors.js";
import { ApiError, errors } from "../core/errors.js";
import { fieldOf, type ItemFailure } from "./batch.js";
import { normalizeEmail } from "../core/email.js";
import { policyViolation } from "./password.js";
import type { UserFields } from "./schemas.js";

export type { UserFields } from "./schemas.js";
export type IdentifierField = "Email" | "PreferredUsername" | "PhoneNumber";

/** Duplicated, knowing which identifier and value collided (the batch result names the user holding it). */
export class DuplicatedUser extends ApiError {
  constructor(
    readonly field: IdentifierField,
    readonly value: string,
  ) {
    super("Duplicated", `resource User ${field} ${JSON.stringify(value)} already exists`);
  }
}

const IDENTIFIER_REQUIRED = "a user needs at least one of PreferredUsername, Email or PhoneNumber";

/**
 * The error of each item of a create, or undefined when it may be inserted. An item that repeats
 * an identifier of an earlier native item of the same batch is Duplicated; the earlier one goes ahead.
 */
export function validateNewUser(
  items: (UserFields | ApiError)[],
  policy: PasswordPolicy,
  federated: (item: UserFields) => boolean = () => false,
): (ItemFailure | undefined)[] {
  const seen = { Email: new Set<string>(), PreferredUsername: new Set<string>(), PhoneNumber: new Set<string>() };
  return items.map((item) => {
    if (item instanceof ApiError) return { error: item, field: fieldOf(item, "Users") };
    if (!item.PreferredUsername && !item.Email && !item.PhoneNumber) {
      return { error: errors.missingParameter("PreferredUsername", IDENTIFIER_REQUIRED), field: "PreferredUsername" };
    }
    if (item.Password !== undefined) {
      const weak = policyViolation(item.Password, policy);
      if (weak) return { error: errors.invalidParameter("Password", weak), field: "Password" };
    }
    // A federated user's identifiers are its provider's claims, unique among native users only.
    if (federated(item)) return undefined;
    const keys = {
      Email: item.Email && normalizeEmail(item.Email),
      PreferredUsername: item.PreferredUsername?.toLowerCase(),
      PhoneNumber: item.PhoneNumber,
    };
    for (const field of ["Email", "PreferredUsername", "PhoneNumber"] as const) {
      const key = keys[field];
      if (key && seen[field].has(key)) return { error: new DuplicatedUser(field, item[field]!), field };
    }
    for (const field of ["Email", "PreferredUsername", "PhoneNumber"] as const) if (keys[field]) seen[field].add(keys[field]!);
    return undefined;
  });
}

const INDEX_FIELD: Record<string, IdentifierField> = {
  users__email: "Email",
  users__preferred_username: "PreferredUsername",
  users__phone_number: "PhoneNumber",
};

/** Runs a write; a violation of one of the users' unique indexes becomes Duplicated naming the field. */
export async function translateUniqueViolation<T>(work: Promise<T>, values: Record<string, string | null>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    const field = isUniqueViolation(err) ? INDEX_FIELD[constraintOf(err) ?? ""] : undefined;
    if (field) throw new DuplicatedUser(field, values[field] ?? "");
    throw err;
  }
}
