// User pools: the tenant container every other resource lives in. Each function is one use case;
// writes own their transaction.
import { randomUUID } from "node:crypto";
import type { AppDeps } from "../deps.js";
import type { z } from "zod";
import { emptyIsNull, isEmpty, merged, patchOf, type PatchRules } from "../core/patch.js";
import type { createUserPoolInput, updateUserPoolInput } from "./actions.js";
import { onUniqueViolation } from "../db/errors.js";
import { enforceQuota } from "../db/quota.js";
import { errors } from "../core/errors.js";
import { offsetPage, type Page } from "../core/page.js";
import { poolNotFound as notFound } from "./parent.js";
import * as q from "./queries.js";
import type { UserPoolRow } from "./queries.js";
import { DEFAULT_PASSWORD_POLICY, userPoolView, type UserPoolView } from "./view.js";

type Deps = Pick<AppDeps, "db" | "config" | "clock">;

/** What the actions hand over, typed from their schemas: a new schema field needs a rule below. */
export type CreateUserPoolInput = z.output<typeof createUserPoolInput>;
export type UpdateUserPoolInput = Omit<z.output<typeof updateUserPoolInput>, "UserPoolUid">;

/** Each writable field's column: PasswordPolicy merges field by field, CustomScopes replaces, "" clears the URL. */
export const POOL_FIELDS: PatchRules<UpdateUserPoolInput, UserPoolRow> = {
  Name: "name",
  Description: "description",
  PasswordPolicy: merged("password_policy", DEFAULT_PASSWORD_POLICY),
  CustomScopes: "custom_scopes",
  ResetPasswordUrl: emptyIsNull("reset_password_url"),
  ResetTokenTtlSeconds: "reset_token_ttl_seconds",
};

const duplicateName = (name: string) => () => errors.duplicated(`UserPool ${name}`);

export async function createUserPool(deps: Deps, accountId: string, input: CreateUserPoolInput): Promise<UserPoolView> {
  const uid = randomUUID();
  const now = deps.clock.now();
  const row = await deps.db.transaction().execute(async (trx) => {
    await enforceQuota(trx, {
      name: "UserPoolsPerAccount",
      scope: accountId,
      limit: deps.config.quotas.userPoolsPerAccount,
      count: () => q.countUserPools(trx, accountId),
    });
    return onUniqueViolation(
      q.insertUserPool(trx, {
        account_id: accountId,
        uid,
        name: input.Name,
        description: "",
        enabled: true,
        password_policy: DEFAULT_PASSWORD_POLICY,
        custom_scopes: [],
        reset_password_url: null,
        reset_token_ttl_seconds: 7200,
        ...patchOf(input, {}, POOL_FIELDS),
        created_at: now,
        updated_at: now,
      }),
      "user_pools__name",
      duplicateName(input.Name),
    );
  });
  return userPoolView(row, deps.config.region);
}

export async function getUserPool(deps: Pick<Deps, "db" | "config">, accountId: string, uid: string): Promise<UserPoolView> {
  const row = await q.findUserPool(deps.db, accountId, uid);
  if (!row) throw notFound(uid);
  return userPoolView(row, deps.config.region);
}

export async function listUserPools(
  deps: Pick<Deps, "db" | "config">,
  accountId: string,
  input: { PageNumber: number; PageSize: number; Filter?: { Name?: string | undefined } | undefined },
): Promise<Page<UserPoolView>> {
  return offsetPage(q.userPoolListing(deps.db, accountId, input.Filter?.Name), input, (r) => userPoolView(r, deps.config.region));
}

/** Partial update by POOL_FIELDS; a call that changes nothing writes nothing (src/core/patch.ts). */
export async function updateUserPool(
  deps: Deps,
  accountId: string,
  uid: string,
  input: UpdateUserPoolInput,
): Promise<UserPoolView> {
  const row = await deps.db.transaction().execute(async (trx) => {
    const current = await q.findUserPoolForUpdate(trx, accountId, uid);
    if (!current) throw notFound(uid);
    const changes = patchOf(input, current, POOL_FIELDS);
    if (isEmpty(changes)) return current;
    const write = q.updateUserPool(trx, accountId, uid, { ...changes, updated_at: deps.clock.now() });
    return onUniqueViolation(write, "user_pools__name", duplicateName(input.Name ?? ""));
  });
  if (!row) throw notFound(uid);
  return userPoolView(row, deps.config.region);
}

export async function setUserPoolEnabled(deps: Deps, accountId: string, uid: string, enabled: boolean): Promise<void> {
  const row = await q.updateUserPool(deps.db, accountId, uid, { enabled, updated_at: deps.clock.now() });
  if (!row) throw notFound(uid);
}

/** Deletes the pool and, through ON DELETE CASCADE, everything in it, in one statement. */
export async function deleteUserPool(deps: Pick<Deps, "db">, accountId: string, uid: string): Promise<void> {
  const deleted = await deps.db.transaction().execute((trx) => q.deleteUserPool(trx, accountId, uid));
  if (!deleted) throw notFound(uid);
}
