// SAML connections. The metadata is read and checked before any transaction. The SP key pair is made
// when signing or encryption becomes enabled on a connection without one: only after the pool (on
// create) or the connection (on update) is known to exist, after the caller has paid for it on its
// rate limit, in the account's lane of the fair CPU queue, and never inside a transaction (a key
// takes a few hundred milliseconds; a transaction must not hold a connection and a row lock for it).
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { AppDeps } from "../deps.js";
import { patchOf, type PatchRules } from "../core/patch.js";
import { chargeKeyGeneration } from "../platform/rate-limits/charge.js";
import type { RateLimitKey } from "../platform/rate-limits/limiter.js";
import { parentPool } from "../user-pools/parent.js";
import { samlConnectionView } from "./federation-view.js";
import type { IdentityProviderRow } from "./queries.js";
import type { createSamlInput, updateSamlInput } from "./saml-actions.js";
import { readIdpMetadata } from "./saml-metadata.js";
import type { SecretRef } from "./secret.js";
import { FEDERATED_FIELDS, findConnection, insertConnection, updateConnection, type ConnectionRef } from "./service.js";
import { newSpKeyPairFor } from "./sp-keys.js";

type Deps = Pick<AppDeps, "db" | "config" | "clock" | "secretBox" | "hashQueue" | "rateLimiter">;
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

type SpKeys = Awaited<ReturnType<typeof newSpKeyPairFor>>;

/** Charges the caller, then makes the connection's key pair in the account's lane of the queue. */
async function paidSpKeys(deps: Deps, caller: RateLimitKey, ref: SecretRef): Promise<SpKeys> {
  await chargeKeyGeneration(deps, caller);
  return newSpKeyPairFor(deps.hashQueue, deps.secretBox, ref, `idplane SAML SP ${ref.user_pool_uid}`, deps.clock.now());
}

const wantsKeys = (input: UpdateSamlInput, row: IdentityProviderRow) =>
  ((input.EnabledSign ?? row.enabled_sign) || (input.EnabledEncryption ?? row.enabled_encryption)) && row.sp_certificate === null;

const viewOf = (deps: Deps) => (row: IdentityProviderRow) => samlConnectionView(row, deps.config.publicBaseUrl);

export async function createSamlConnection(deps: Deps, caller: RateLimitKey, poolUid: string, input: CreateSamlInput) {
  const accountId = caller.accountId;
  const metadata = metadataOf(input.IdpMetadata, deps.clock.now());
  const uid = randomUUID();
  let keys: SpKeys | undefined;
  if (input.EnabledSign || input.EnabledEncryption) {
    // A missing pool is NotFound before any key is made (insertConnection checks it again, locked).
    await parentPool(deps.db, accountId, poolUid, "read");
    keys = await paidSpKeys(deps, caller, { account_id: accountId, user_pool_uid: poolUid, uid });
  }
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

/** The connection changed under the update in a way that now needs a key none was made for. */
class KeysNeeded extends Error {}

export async function updateSamlConnection(deps: Deps, caller: RateLimitKey, ref: ConnectionRef, input: UpdateSamlInput) {
  const accountId = caller.accountId;
  const metadata = input.IdpMetadata === undefined ? {} : metadataOf(input.IdpMetadata, deps.clock.now());
  for (let attempt = 0; ; attempt++) {
    // Read (NotFound when missing) and make the key outside the transaction; the row lock below
    // decides whether it is still needed (a concurrent update may have made one: then it is dropped).
    const before = await findConnection(deps, accountId, ref, "SAML");
    const keys = wantsKeys(input, before) ? await paidSpKeys(deps, caller, before) : undefined;
    try {
      const row = await updateConnection(deps, accountId, ref, "SAML", (current) => {
        const changes = { ...patchOf(input, current, SAML_FIELDS), ...(input.IdpMetadata !== current.idp_metadata && metadata) };
        if (!wantsKeys(input, current)) return changes;
        if (!keys) throw new KeysNeeded();
        return { ...changes, ...keys };
      });
      return viewOf(deps)(row);
    } catch (err) {
      // Only when another update turned signing on and failed to make its key meanwhile: read again.
      if (!(err instanceof KeysNeeded) || attempt >= 2) throw err;
    }
  }
}
