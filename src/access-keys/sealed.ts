// The access keys' sealed column, declared for `keys rotate-master` (src/platform/db/declarations.ts).
import type { SealedSource } from "../platform/db/declarations.js";
import { countSecretsNotUnder, lockSecretsSealedUnder, updateAccessKeySecret, type SealedAccessKey } from "./queries.js";
import { openSecret, sealSecret } from "./service.js";

export const accessKeySecrets: SealedSource<SealedAccessKey> = {
  table: "access_keys",
  column: "secret_sealed",
  lock: lockSecretsSealedUnder,
  label: (r) => r.access_key_id,
  reseal: (trx, box, r) => updateAccessKeySecret(trx, r.access_key_id, sealSecret(box, r.access_key_id, openSecret(box, r))),
  countNotUnder: countSecretsNotUnder,
};
