// OAuth client credentials: each function is one use case; writes own their transaction. The seed's
// error conditions come out in the seed's order: reference (MissingParameter.CredentialId), lookup
// (NotFound), then the rules of rules.ts on the credential as it would end up.
import type { z } from "zod";
import type { AppDeps } from "../deps.js";
import type { Transaction } from "kysely";
import type { Database } from "../platform/db/schema.js";
import { offsetPage, type Page } from "../core/page.js";
import { errors } from "../core/errors.js";
import { emptyIsNull, patchOf, type PatchRules } from "../core/patch.js";
import { parentPool } from "../user-pools/parent.js";
import type { createCredentialInput, credentialRefInput, listCredentialsInput, updateCredentialInput } from "./schemas.js";
import * as q from "./queries.js";
import type { CredentialRow } from "./queries.js";
import { scopeTokens } from "./rules.js";
import { changeClient, createClient, removeClient, type NewClient } from "./store.js";
import { credentialView, type CredentialView } from "./view.js";

type Deps = Pick<AppDeps, "db" | "config" | "clock">;
type Db = Deps["db"] | Transaction<Database>;

/** What the actions hand over, typed from their schemas: a new schema field needs a rule below. */
export type CredentialRefInput = z.output<typeof credentialRefInput>;
export type CreateCredentialInput = z.output<typeof createCredentialInput>;
export type UpdateCredentialInput = z.output<typeof updateCredentialInput>;
export type ListCredentialsInput = z.output<typeof listCredentialsInput>;

type CredentialFields = Omit<UpdateCredentialInput, keyof CredentialRefInput | "ResetSecret">;

/** Each field's column. GrantType, Name, ServiceId and Scope are checked on the result (store.ts). */
export const CREDENTIAL_FIELDS: PatchRules<CredentialFields, CredentialRow> = {
  Name: "name",
  Description: "description",
  GrantType: "grant_type",
  Scope: { column: "scopes", to: scopeTokens },
  // 0 means "no service".
  ServiceId: { column: "service_id", to: (id) => id || null },
  LogoUri: emptyIsNull("logo_uri"),
  RedirectUri: { column: "redirect_uris", to: (uris) => [...new Set(uris)] },
};

function refOf(input: CredentialRefInput): q.CredentialRef {
  if (input.CredentialId !== undefined) return { credentialId: input.CredentialId };
  if (input.ClientApiIdentifier) return { clientApiIdentifier: input.ClientApiIdentifier };
  throw errors.missingParameter("CredentialId", "a CredentialId, or a ClientApiIdentifier when the id is not known, is required");
}

/** Finds the caller's credential (locked when in a write transaction) or throws NotFound. */
async function loadCredential(db: Db, accountId: string, input: CredentialRefInput, lock?: Transaction<Database>) {
  const ref = refOf(input);
  const row = lock ? await q.findCredentialForUpdate(lock, accountId, ref) : await q.findCredential(db, accountId, ref);
  if (!row) throw errors.notFound(`OAuthCredential ${"credentialId" in ref ? ref.credentialId : ref.clientApiIdentifier}`);
  // Both given: they must name the same credential, or the caller is about to change the wrong one.
  if (input.CredentialId !== undefined && input.ClientApiIdentifier && input.ClientApiIdentifier !== row.client_api_identifier) {
    throw errors.invalidParameter("ClientApiIdentifier", `ClientApiIdentifier does not belong to credential ${input.CredentialId}`);
  }
  return row;
}

export async function createCredential(deps: Deps, accountId: string, input: CreateCredentialInput) {
  const { UserPoolUid, ...fields } = input;
  // A credential made through this face is always a confidential web client: it has a secret.
  const { row, secret } = await createClient(deps, accountId, UserPoolUid, patchOf(fields, {}, CREDENTIAL_FIELDS) as NewClient);
  return { CredentialId: Number(row.credential_id), ClientApiIdentifier: row.client_api_identifier, ClientSecret: secret ?? "" };
}

export async function getCredential(deps: Pick<Deps, "db">, accountId: string, input: CredentialRefInput): Promise<CredentialView> {
  return credentialView(await loadCredential(deps.db, accountId, input));
}

const SORT_COLUMNS = { CreateTime: "created_at", UpdateTime: "updated_at", Name: "name", CredentialId: "credential_id" } as const;

export async function listCredentials(
  deps: Pick<Deps, "db">,
  accountId: string,
  input: ListCredentialsInput,
): Promise<Page<CredentialView>> {
  // Filtering by a pool the caller cannot see is NotFound, not an empty page: a typo should show.
  if (input.UserPoolUid !== undefined) await parentPool(deps.db, accountId, input.UserPoolUid, "read");
  // Names read best A to Z; times and ids newest first, unless the caller says otherwise.
  const direction = input.SortDirection ?? (input.SortField === "Name" ? "Asc" : "Desc");
  const listing = q.credentialListing(deps.db, accountId, {
    userPoolUid: input.UserPoolUid,
    grantType: input.GrantType,
    sort: SORT_COLUMNS[input.SortField],
    direction: direction === "Asc" ? "asc" : "desc",
  });
  return offsetPage(listing, input, credentialView);
}

/**
 * Partial update: omitted fields stay; the rules run on the credential as it would end up, after
 * the reference and lookup errors (store.ts). ResetSecret makes a new secret, shown this once.
 */
export async function updateCredential(deps: Deps, accountId: string, input: UpdateCredentialInput) {
  const { CredentialId, ClientApiIdentifier, ResetSecret, ...fields } = input;
  const { row, secret } = await changeClient(
    deps,
    accountId,
    (trx) => loadCredential(trx, accountId, { CredentialId, ClientApiIdentifier }, trx),
    (current) => ({ changes: patchOf(fields, current, CREDENTIAL_FIELDS), resetSecret: ResetSecret }),
  );
  return {
    CredentialId: Number(row.credential_id),
    SecretVersion: credentialView(row).SecretVersion,
    ...(secret !== undefined && { NewClientSecret: secret }),
  };
}

export async function deleteCredential(deps: Pick<Deps, "db">, accountId: string, input: CredentialRefInput) {
  const row = await removeClient(deps, accountId, (trx) => loadCredential(trx, accountId, input));
  return { CredentialId: Number(row.credential_id) };
}

// The data plane's check of a client id and secret lives with sign-in's client store; kept importable
// from here for the control plane's callers.
export { verifyClientSecret } from "./client-auth.js";
