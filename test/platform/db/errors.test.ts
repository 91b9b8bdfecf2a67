// The database-error fallback (src/platform/db/errors.ts): a violation no service attributed to a field still
// maps to its catalog code, and its message names no constraint (schema detail, not for clients).
import { describe, expect, it } from "vitest";
import { translateDbError } from "../../../src/platform/db/errors.js";

describe("translateDbError", () => {
  it.each([
    ["23505", "Duplicated", { constraint_name: "users__email" }],
    ["23503", "NotFound", { constraint: "users__user_pool_fk" }],
  ])("%s becomes %s without the constraint's name", (code, expected, extra) => {
    const err = translateDbError({ code, ...extra });
    expect(err?.code).toBe(expected);
    expect(err?.message).not.toMatch(/users__/);
  });
});
