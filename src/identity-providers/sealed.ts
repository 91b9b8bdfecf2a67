// The connections' sealed values, declared for `keys rotate-master` (src/platform/db/declarations.ts): the
// client secret (OAuth and OIDC) and the SAML service provider's private key.
import type { SecretBox } from "../platform/crypto/secret-box.js";
import type { SealedSource } from "../platform/db/declarations.js";
import { countSecretsNotUnder, lockSecretsSealedUnder, SEALED_COLUMNS, storeResealedSecret, type SealedSecretRow } from "./queries.js";
import { clientSecretAad, type SecretRef } from "./secret.js";
import { spKeyAad } from "./sp-keys.js";

function sealedSource(
  columns: (typeof SEALED_COLUMNS)[keyof typeof SEALED_COLUMNS],
  aadOf: (r: SecretRef) => string,
): SealedSource<SealedSecretRow> {
  return {
    table: "identity_providers",
    column: columns.blob,
    lock: (trx, keyIds, after, limit) => lockSecretsSealedUnder(trx, columns, keyIds, after && [after.account_id, after.uid], limit),
    label: (r) => `${r.account_id}/${r.user_pool_uid}/${r.uid}`,
    async reseal(trx, box: SecretBox, r) {
      if (!r.blob || !r.keyId) return;
      const plain = box.open({ keyId: r.keyId, blob: r.blob }, aadOf(r));
      const sealed = box.seal(plain, aadOf(r));
      await storeResealedSecret(trx, columns, r, { blob: sealed.blob, keyId: sealed.keyId });
    },
    countNotUnder: (db, keyId) => countSecretsNotUnder(db, columns, keyId),
  };
}

export const identityProviderSecrets = sealedSource(SEALED_COLUMNS.clientSecret, clientSecretAad);
export const spPrivateKeySecrets = sealedSource(SEALED_COLUMNS.spPrivateKey, spKeyAad);
