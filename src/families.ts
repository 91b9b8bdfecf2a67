// The families' declarations for the jobs that cross them, assembled in one place as the action
// registry is (src/control-plane/registry.ts): a new family with a sealed column or purgeable rows adds its
// declaration here, and test/platform/db/declarations.test.ts fails while a sealed column is undeclared.
import { accessKeySecrets } from "./access-keys/sealed.js";
import type { PurgeRule, SealedSource } from "./platform/db/declarations.js";
import { identityProviderSecrets, spPrivateKeySecrets } from "./identity-providers/sealed.js";
import { mailPurges } from "./platform/mail/purge.js";
import { passwordResetPurges } from "./password-reset/purge.js";
import { claimPurges } from "./user-pool-domains/claims.js";
import { rateLimitPurges } from "./platform/rate-limits/purge.js";
import { signInThrottlePurges } from "./users/purge.js";
import { sealedSigningKeys, signingKeyPurges } from "./sign-in/keys.js";
import { signInArtifactPurges } from "./sign-in/adapter.js";
import { selfServicePurges } from "./sign-in/self-service/purge.js";

export const sealedSources: SealedSource[] = [
  accessKeySecrets,
  identityProviderSecrets,
  spPrivateKeySecrets,
  sealedSigningKeys,
] as SealedSource[];

export const purgeRules: PurgeRule[] = [
  ...passwordResetPurges,
  ...mailPurges,
  ...rateLimitPurges,
  ...claimPurges,
  ...signInThrottlePurges,
  ...signingKeyPurges,
  ...signInArtifactPurges,
  ...selfServicePurges,
];
