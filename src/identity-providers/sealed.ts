// The OAuth connections' sealed client secret, declared for `keys rotate-master` (src/db/declarations.ts).
import type { SealedSource } from "../db/declarations.js";
import { countSecretsNotUnder, lockSecretsSealedUnder, storeResealedSecret, type SealedSecretRow } from "./queries.js";
import { openClientSecret, sealClientSecret } from "./secret.js";

export const identityProviderSecrets: SealedSource<SealedSecretRow> = {
  table: "identity_providers",
  column: "client_secret_sealed",
  lock: (trx, keyIds, after, limit) => lockSecretsSealedUnder(trx, keyIds, after && [after.account_id, after.uid], limit),
  label: (r) => `${r.account_id}/${r.user_pool_uid}/${r.uid}`,
  async reseal(trx, box, r) {
    const plain = openClientSecret(box, r);
    if (plain !== undefined) await storeResealedSecret(trx, r, sealClientSecret(box, r, plain));
  },
  countNotUnder: countSecretsNotUnder,
};
