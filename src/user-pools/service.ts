// User pools: the tenant container every other resource lives in. Each function is one use case;
// writes own their transaction.
import { randomUUID } from "node:crypto";
import type { AppDeps } from "../deps.js";
import type { PasswordPolicy } from "./tables.js";
import { onUniqueViolation } from "../db/errors.js";
import { enforceQuota } from "../db/quota.js";
import { errors } from "../core/errors.js";
import { offsetPage, type Page } from "../core/page.js";
import { poolNotFound as notFound } from "./parent.js";
import * as q from "./queries.js";
import { DEFAULT_PASSWORD_POLICY, userPoolView, type UserPoolView } from "./view.js";

type Deps = Pick<AppDeps, "db" | "config" | "clock">;

export interface UserPoolFields {
  Name: string;
  Description?: string | undefined;
  PasswordPolicy?: Partial<PasswordPolicy> | undefined;
  CustomScopes?: string[] | undefined;
  ResetPasswordUrl?: string | undefined;
  ResetTokenTtlSeconds?: number | undefined;
}

const duplicateName = (name: string) => () => errors.duplicated(`UserPool ${name}`);

export async function createUserPool(deps: Deps, accountId: string, input: UserPoolFields): Promise<UserPoolView> {
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
        description: input.Description ?? "",
        enabled: true,
        password_policy: { ...DEFAULT_PASSWORD_POLICY, ...input.PasswordPolicy },
        custom_scopes: input.CustomScopes ?? [],
        reset_password_url: input.ResetPasswordUrl ?? null,
        reset_token_ttl_seconds: input.ResetTokenTtlSeconds ?? 7200,
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

/** Partial update: omitted fields stay; PasswordPolicy merges field by field; CustomScopes replaces. */
export async function updateUserPool(
  deps: Deps,
  accountId: string,
  uid: string,
  input: Partial<UserPoolFields>,
): Promise<UserPoolView> {
  const row = await deps.db.transaction().execute(async (trx) => {
    const current = await q.findUserPoolForUpdate(trx, accountId, uid);
    if (!current) throw notFound(uid);
    const changes = {
      ...(input.Name !== undefined && { name: input.Name }),
      ...(input.Description !== undefined && { description: input.Description }),
      ...(input.PasswordPolicy !== undefined && { password_policy: { ...DEFAULT_PASSWORD_POLICY, ...current.password_policy, ...input.PasswordPolicy } }),
      ...(input.CustomScopes !== undefined && { custom_scopes: input.CustomScopes }),
      ...(input.ResetPasswordUrl !== undefined && { reset_password_url: input.ResetPasswordUrl === "" ? null : input.ResetPasswordUrl }),
      ...(input.ResetTokenTtlSeconds !== undefined && { reset_token_ttl_seconds: input.ResetTokenTtlSeconds }),
    };
    return onUniqueViolation(q.updateUserPool(trx, accountId, uid, changes), "user_pools__name", duplicateName(input.Name ?? ""));
  });
  if (!row) throw notFound(uid);
  return userPoolView(row, deps.config.region);
}

export async function setUserPoolEnabled(deps: Deps, accountId: string, uid: string, enabled: boolean): Promise<void> {
  const row = await q.updateUserPool(deps.db, accountId, uid, { enabled });
  if (!row) throw notFound(uid);
}

/** Deletes the pool and, through ON DELETE CASCADE, everything in it, in one statement. */
export async function deleteUserPool(deps: Pick<Deps, "db">, accountId: string, uid: string): Promise<void> {
  const deleted = await deps.db.transaction().execute((trx) => q.deleteUserPool(trx, accountId, uid));
  if (!deleted) throw notFound(uid);
}
