// SAML connections. The metadata is read and checked before any transaction; the SP key pair is made
// inside the update's transaction only when signing or encryption becomes enabled on a connection
// without one (the row lock keeps two concurrent updates from making two).
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { AppDeps } from "../deps.js";
import { patchOf, type PatchRules } from "../core/patch.js";
import { samlConnectionView } from "./federation-view.js";
import type { IdentityProviderRow } from "./queries.js";
import type { createSamlInput, updateSamlInput } from "./saml-schemas.js";
import { readIdpMetadata } from "./saml-metadata.js";
import type { SecretRef } from "./secret.js";
import { FEDERATED_FIELDS, insertConnection, updateConnection, type ConnectionRef } from "./service.js";
import { newSpKeyPair } from "./sp-keys.js";

type Deps = Pick<AppDeps, "db" | "config" | "clock" | "secretBox">;
export type CreateSamlInput = Omit<z.output<typeof createSamlInput>, "UserPoolUid">;
export type UpdateSamlInput = Omit<z.output<typeof updateSamlInput>, "UserPoolUid" | "ConnectionUid">;

/** IdpMetadata is the service's (read, then stored with what was read). */
const SAML_FIELDS: PatchRules<UpdateSamlInput, IdentityProviderRow> = {
  ...FEDERATED_FIELDS,
  IdpMetadata: null,
  IdAttribute: "id_attribute",
  AttributeMapping: "attribute_mapping",
  EnabledSign: "enabled_sign",
  EnabledEncryption: "enabled_encryption",
};

const CREATE_FIELDS: PatchRules<CreateSamlInput, IdentityProviderRow> = { ...SAML_FIELDS, Provider: "provider" };

const metadataOf = (xml: string, now: Date) => ({ idp_metadata: xml, saml_idp: readIdpMetadata(xml, now) });

/** A key pair when signing or encryption is on and the connection has none yet. */
async function spKeysIfNeeded(deps: Deps, ref: SecretRef, wanted: boolean, existing: string | null) {
  return wanted && existing === null ? newSpKeyPair(deps.secretBox, ref, `idplane SAML SP ${ref.user_pool_uid}`, deps.clock.now()) : {};
}

const viewOf = (deps: Deps) => (row: IdentityProviderRow) => samlConnectionView(row, deps.config.publicBaseUrl);

export async function createSamlConnection(deps: Deps, accountId: string, poolUid: string, input: CreateSamlInput) {
  const metadata = metadataOf(input.IdpMetadata, deps.clock.now());
  const uid = randomUUID();
  const keys = await spKeysIfNeeded(deps, { account_id: accountId, user_pool_uid: poolUid, uid }, Boolean(input.EnabledSign || input.EnabledEncryption), null);
  const row = await insertConnection(deps, accountId, poolUid, {
    uid,
    connection_type: "SAML",
    name: input.Name,
    ...patchOf(input, {}, CREATE_FIELDS),
    ...metadata,
    ...keys,
  });
  return viewOf(deps)(row);
}

export async function updateSamlConnection(deps: Deps, accountId: string, ref: ConnectionRef, input: UpdateSamlInput) {
  const metadata = input.IdpMetadata === undefined ? {} : metadataOf(input.IdpMetadata, deps.clock.now());
  const row = await updateConnection(deps, accountId, ref, "SAML", async (current) => {
    const wanted = (input.EnabledSign ?? current.enabled_sign) || (input.EnabledEncryption ?? current.enabled_encryption);
    const changes = { ...patchOf(input, current, SAML_FIELDS), ...(input.IdpMetadata !== current.idp_metadata && metadata) };
    return { ...changes, ...(await spKeysIfNeeded(deps, current, wanted, current.sp_certificate)) };
  });
  return viewOf(deps)(row);
}
