// Upstream's UserPoolClient use cases over the clients the OAuth credential family stores: each
// translates its fields to columns and hands them to the shared store (src/oauth-credentials/store.ts),
// which owns the transaction, the quota, the secret and the rules. A client is named by its pool and
// its Uid (the OAuth client_id); another pool's or another account's client is NotFound.
import type { Transaction } from "kysely";
import type { z } from "zod";
import { errors } from "../core/errors.js";
import { offsetPage, type Page } from "../core/page.js";
import { emptyIsNull, patchOf, type PatchRules } from "../core/patch.js";
import type { Database } from "../platform/db/schema.js";
import type { Db } from "../platform/db/types.js";
import type { AppDeps } from "../deps.js";
import * as q from "../oauth-credentials/queries.js";
import type { CredentialRow } from "../oauth-credentials/queries.js";
import { STANDARD_SCOPES } from "../oauth-credentials/rules.js";
import { changeClient, createClient, removeClient } from "../oauth-credentials/store.js";
import { parentPool } from "../user-pools/parent.js";
import type { createUserPoolClientInput, listUserPoolClientsInput, updateUserPoolClientInput } from "./schemas.js";
import { userPoolClientListItem, userPoolClientView, type UserPoolClientListItem, type UserPoolClientView } from "./view.js";

type Deps = Pick<AppDeps, "db" | "config" | "clock">;

/** What the actions hand over, typed from their schemas: a new schema field needs a rule below. */
export type CreateUserPoolClientInput = z.output<typeof createUserPoolClientInput>;
export type UpdateUserPoolClientInput = z.output<typeof updateUserPoolClientInput>;
export type ListUserPoolClientsInput = z.output<typeof listUserPoolClientsInput>;
type ClientFields = Omit<UpdateUserPoolClientInput, "UserPoolUid" | "ClientUid" | "ResetSecret">;
type RefreshTokenInput = NonNullable<ClientFields["RefreshToken"]>;

export interface ClientRef {
  UserPoolUid: string;
  ClientUid: string;
}

const unique = (list: string[]) => [...new Set(list)];

/** Each field's column; IdToken and RefreshToken are objects over several columns (below). */
export const CLIENT_FIELDS: PatchRules<ClientFields, CredentialRow> = {
  Name: "name",
  Description: "description",
  LogoUri: emptyIsNull("logo_uri"),
  // The OAuthCredential face's RedirectUri: one list, whichever face writes it.
  AllowedCallbackUrls: { column: "redirect_uris", to: unique },
  AllowedLogoutUrls: { column: "allowed_logout_urls", to: unique },
  AllowedWebOrigins: { column: "allowed_web_origins", to: unique },
  AllowedCors: { column: "allowed_cors", to: unique },
  IdToken: null,
  RefreshToken: null,
  DevelopmentModeEnabled: "development_mode_enabled",
  DismissLoginPageEnabled: "dismiss_login_page_enabled",
  SkipConsentEnabled: "skip_consent_enabled",
  DeviceFlowEnabled: "device_flow_enabled",
};

const ID_TOKEN_FIELDS: PatchRules<NonNullable<ClientFields["IdToken"]>, CredentialRow> = { LifeTimeSeconds: "id_token_lifetime_seconds" };
const REFRESH_TOKEN_FIELDS: PatchRules<RefreshTokenInput, CredentialRow> = {
  Rotation: "refresh_token_rotation",
  HasIdleLifetime: "refresh_token_has_idle_lifetime",
  IdleLifetimeSeconds: "refresh_token_idle_lifetime_seconds",
  HasCombinedLifetime: "refresh_token_has_combined_lifetime",
  CombinedLifetimeSeconds: "refresh_token_combined_lifetime_seconds",
};

function columnsOf(fields: Partial<ClientFields>, current: Partial<CredentialRow>) {
  return {
    ...patchOf(fields, current, CLIENT_FIELDS),
    ...patchOf(fields.IdToken ?? {}, current, ID_TOKEN_FIELDS),
    ...patchOf(fields.RefreshToken ?? {}, current, REFRESH_TOKEN_FIELDS),
  };
}

/** The caller's client in the named pool (locked for a write), or NotFound: for the pool when it is the pool that is missing. */
async function findClient(db: Db, accountId: string, ref: ClientRef, lock?: Transaction<Database>): Promise<CredentialRow> {
  const key = { clientApiIdentifier: ref.ClientUid, userPoolUid: ref.UserPoolUid };
  const row = lock ? await q.findCredentialForUpdate(lock, accountId, key) : await q.findCredential(db, accountId, key);
  if (row) return row;
  await parentPool(db, accountId, ref.UserPoolUid, "read");
  throw errors.notFound(`UserPoolClient ${ref.ClientUid}`);
}

export async function createUserPoolClient(deps: Deps, accountId: string, input: CreateUserPoolClientInput): Promise<UserPoolClientView> {
  const { UserPoolUid, ClientType, ...fields } = input;
  const { row, secret } = await createClient(deps, accountId, UserPoolUid, {
    client_type: ClientType,
    // Upstream's clients have no grant type or scopes; as OAuth credentials they are
    // authorization-code clients that may ask for every standard scope (narrowed through that face).
    grant_type: "authorization_code",
    scopes: [...STANDARD_SCOPES],
    ...columnsOf(fields, {}),
  });
  return userPoolClientView(row, deps.config, secret ?? "");
}

export async function getUserPoolClient(deps: Pick<Deps, "db" | "config">, accountId: string, ref: ClientRef): Promise<UserPoolClientView> {
  return userPoolClientView(await findClient(deps.db, accountId, ref), deps.config);
}

const SORT_COLUMNS = { CreateTime: "created_at", UpdateTime: "updated_at", Name: "name" } as const;

export async function listUserPoolClients(
  deps: Pick<Deps, "db">,
  accountId: string,
  input: ListUserPoolClientsInput,
): Promise<Page<UserPoolClientListItem>> {
  // An unknown pool is NotFound, not an empty list: the caller most likely has a wrong uid.
  await parentPool(deps.db, accountId, input.UserPoolUid, "read");
  const direction = input.SortDirection ?? (input.SortField === "Name" ? "Asc" : "Desc");
  const listing = q.clientListing(deps.db, accountId, {
    userPoolUid: input.UserPoolUid,
    clientTypes: input.Filter?.ClientTypes,
    name: input.Filter?.Name,
    description: input.Filter?.Description,
    sort: SORT_COLUMNS[input.SortField],
    direction: direction === "Asc" ? "asc" : "desc",
  });
  return offsetPage(listing, input, userPoolClientListItem);
}

/** Partial update: omitted fields stay, lists are replaced whole, IdToken and RefreshToken merge field by field. */
export async function updateUserPoolClient(deps: Deps, accountId: string, input: UpdateUserPoolClientInput): Promise<UserPoolClientView> {
  const { UserPoolUid, ClientUid, ResetSecret, ...fields } = input;
  const { row, secret } = await changeClient(
    deps,
    accountId,
    (trx) => findClient(trx, accountId, { UserPoolUid, ClientUid }, trx),
    (current) => ({ changes: columnsOf(fields, current), resetSecret: ResetSecret }),
  );
  return userPoolClientView(row, deps.config, secret);
}

export async function deleteUserPoolClient(deps: Pick<Deps, "db">, accountId: string, ref: ClientRef): Promise<void> {
  await removeClient(deps, accountId, (trx) => findClient(trx, accountId, ref));
}
