// User pools: the tenant container every other resource lives in. Each function is one use case;
// writes own their transaction.
import { randomUUID } from "node:crypto";
import type { AppDeps } from "../deps.js";
import type { z } from "zod";
import { emptyIsNull, isEmpty, merged, patchOf, type PatchRules } from "../core/patch.js";
import type { createUserPoolInput, listUserPoolsInput, updateUserPoolInput } from "./schemas.js";
import { onUniqueViolation } from "../platform/db/errors.js";
import { enforceQuota } from "../platform/db/quota.js";
import { errors } from "../core/errors.js";
import { offsetPageCounted, type Page } from "../core/page.js";
import { poolNotFound as notFound } from "./parent.js";
import * as q from "./queries.js";
import type { UserPoolRow } from "./queries.js";
import { activeDomains, listCustomAttributes, type CustomAttributeRow } from "./child-views.js";
import type { Db } from "../platform/db/types.js";
import {
  createdUserPoolView,
  DEFAULT_BRAND,
  DEFAULT_PASSWORD_POLICY,
  trn,
  userPoolListItem,
  userPoolView,
  type UserPoolListItem,
  type UserPoolView,
} from "./view.js";

type Deps = Pick<AppDeps, "db" | "config" | "clock">;

/** What the actions hand over, typed from their schemas: a new schema field needs a rule below. */
export type CreateUserPoolInput = z.output<typeof createUserPoolInput>;
export type UpdateUserPoolInput = Omit<z.output<typeof updateUserPoolInput>, "UserPoolUid">;
export type ListUserPoolsInput = z.output<typeof listUserPoolsInput>;

/**
 * Each writable field's column: PasswordPolicy and Brand merge field by field, lists replace, "" clears
 * the URL. The create-only fields (ProjectName, Tags, RequiredSignUpAttributes, SignInAttributes) are
 * set by createUserPool.
 */
export const POOL_FIELDS: PatchRules<UpdateUserPoolInput, UserPoolRow> = {
  Name: "name",
  Description: "description",
  PasswordPolicy: merged("password_policy", DEFAULT_PASSWORD_POLICY),
  CustomScopes: "custom_scopes",
  ResetPasswordUrl: emptyIsNull("reset_password_url"),
  ResetTokenTtlSeconds: "reset_token_ttl_seconds",
  AuthenticationMethodOrder: "authentication_method_order",
  Brand: merged("brand", DEFAULT_BRAND),
  SelfAccountRecoveryVerificationAttributes: "self_account_recovery_verification_attributes",
  PasswordSignInEnabled: "password_sign_in_enabled",
  EmailPasswordlessSignInEnabled: "email_passwordless_sign_in_enabled",
  SmsPasswordlessSignInEnabled: "sms_passwordless_sign_in_enabled",
  SelfSignUpEnabled: "self_sign_up_enabled",
  SignUpAutoVerificationEnabled: "sign_up_auto_verification_enabled",
  EmailAnonymousSignUpEnabled: "email_anonymous_sign_up_enabled",
  SmsAnonymousSignUpEnabled: "sms_anonymous_sign_up_enabled",
  UnconfirmedUserSignInEnabled: "unconfirmed_user_sign_in_enabled",
  SelfAccountRecoveryEnabled: "self_account_recovery_enabled",
};

/** Self-service recovery needs somewhere to send the code: checked on the pool as it will be. */
function checkRecovery(pool: {
  self_account_recovery_enabled?: boolean | undefined;
  self_account_recovery_verification_attributes?: string[] | undefined;
}): void {
  if (pool.self_account_recovery_enabled && pool.self_account_recovery_verification_attributes?.length === 0) {
    throw errors.invalidParameter(
      "SelfAccountRecoveryVerificationAttributes",
      "self account recovery needs at least one of email, phone_number to verify",
    );
  }
}

const duplicateName = (name: string) => () => errors.duplicated(`UserPool ${name}`);

export async function createUserPool(deps: Deps, accountId: string, input: CreateUserPoolInput) {
  const uid = randomUUID();
  const fields = {
    ...patchOf(input, {}, POOL_FIELDS),
    ...(input.ProjectName !== undefined ? { project_name: input.ProjectName } : {}),
    ...(input.RequiredSignUpAttributes !== undefined ? { required_sign_up_attributes: input.RequiredSignUpAttributes } : {}),
    ...(input.SignInAttributes !== undefined ? { sign_in_attributes: input.SignInAttributes } : {}),
  };
  checkRecovery({ self_account_recovery_verification_attributes: ["email"], ...fields });
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
        brand: DEFAULT_BRAND,
        tags: input.Tags ?? [],
        ...fields,
        created_at: now,
        updated_at: now,
      }),
      "user_pools__name",
      duplicateName(input.Name),
    );
  });
  return createdUserPoolView(row, deps.config);
}

/** The whole pool with its custom attributes, its endpoints on its ACTIVE custom domain if it has one. */
async function viewOf(db: Db, config: Deps["config"], row: UserPoolRow): Promise<UserPoolView> {
  const [attributes, domains] = await Promise.all([
    listCustomAttributes(db, row.account_id, row.uid),
    activeDomains(db, row.account_id, [row.uid]),
  ]);
  return userPoolView(row, config, attributes, domains.get(row.uid) ?? "");
}

export async function getUserPool(deps: Pick<Deps, "db" | "config">, accountId: string, uid: string): Promise<UserPoolView> {
  const found = await q.findWholeUserPool(deps.db, accountId, uid);
  if (!found) throw notFound(uid);
  // The row goes to the view as it came, with its two extra columns: a rest pattern copying its ~45
  // fields cost 8 µs a request (V8's slow generic copy, as in view.ts), and the view reads by name.
  const attributes = found.attributes_json.map((a) => ({
    ...a,
    created_at: new Date(a.created_at),
    updated_at: new Date(a.updated_at),
  })) as CustomAttributeRow[];
  return userPoolView(found, deps.config, attributes, found.active_domain ?? "");
}

const SORT_COLUMNS = { CreateTime: "created_at", UpdateTime: "updated_at", Name: "name" } as const;

/** The uid a Trn names when it is one of this account's pools in this region, else null (matches nothing). */
function uidOfTrn(config: Deps["config"], accountId: string, value: string): string | null {
  const prefix = trn(config.region, accountId, "userpool", "");
  return value.startsWith(prefix) && value.length > prefix.length ? value.slice(prefix.length) : null;
}

export async function listUserPools(
  deps: Pick<Deps, "db" | "config">,
  accountId: string,
  input: ListUserPoolsInput,
): Promise<Page<UserPoolListItem>> {
  const f = input.Filter ?? {};
  // Names read best A to Z; times newest first, unless the caller says otherwise.
  const direction = input.SortDirection ?? (input.SortField === "Name" ? "Asc" : "Desc");
  const listing = q.userPoolListing(
    deps.db,
    accountId,
    {
      name: f.Name,
      description: f.Description,
      uid: f.Uid,
      trnUid: f.Trn === undefined ? undefined : uidOfTrn(deps.config, accountId, f.Trn),
      projectName: input.ProjectName,
      tagFilters: [...(input.TagFilters ?? []), ...(f.TagFilters ?? [])],
    },
    { column: SORT_COLUMNS[input.SortField], direction: direction === "Asc" ? "asc" : "desc" },
  );
  // Page and count in one round trip: an account has few pools (its quota bounds them).
  return offsetPageCounted(listing, input, (r) => userPoolListItem(r, deps.config));
}

/** Partial update by POOL_FIELDS; a call that changes nothing writes nothing (src/core/patch.ts). */
export async function updateUserPool(deps: Deps, accountId: string, uid: string, input: UpdateUserPoolInput): Promise<UserPoolView> {
  const row = await deps.db.transaction().execute(async (trx) => {
    const current = await q.findUserPoolForUpdate(trx, accountId, uid);
    if (!current) throw notFound(uid);
    const changes = patchOf(input, current, POOL_FIELDS);
    if (isEmpty(changes)) return current;
    checkRecovery({ ...current, ...changes });
    const write = q.updateUserPool(trx, accountId, uid, { ...changes, updated_at: deps.clock.now() });
    return onUniqueViolation(write, "user_pools__name", duplicateName(input.Name ?? ""));
  });
  if (!row) throw notFound(uid);
  return viewOf(deps.db, deps.config, row);
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
