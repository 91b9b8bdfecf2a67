// The client secret of a connection, sealed at rest under the master key (AES-256-GCM, see
// src/platform/crypto/secret-box.ts). The associated data names the row, so a ciphertext copied onto another
// connection (or another account's) does not open. The plain secret leaves this module only towards
// the identity provider itself; the API shows a mask.
import type { SecretBox, Sealed } from "../platform/crypto/secret-box.js";

/** What the API returns in place of a stored secret. */
export const SECRET_MASK = "******" as const;

export interface SecretRef {
  account_id: string;
  user_pool_uid: string;
  uid: string;
}

export function clientSecretAad(ref: SecretRef): string {
  return `identity_provider:${ref.account_id}:${ref.user_pool_uid}:${ref.uid}`;
}

export function sealClientSecret(box: SecretBox, ref: SecretRef, plain: string) {
  const sealed = box.seal(plain, clientSecretAad(ref));
  return { client_secret_sealed: sealed.blob, client_secret_key_id: sealed.keyId };
}

export function sealedOf(row: { client_secret_sealed: Uint8Array | null; client_secret_key_id: string | null }): Sealed | undefined {
  return row.client_secret_sealed && row.client_secret_key_id
    ? { keyId: row.client_secret_key_id, blob: row.client_secret_sealed }
    : undefined;
}

/** The plain secret for talking to the provider (token exchange); undefined when none is set. */
export function openClientSecret(
  box: SecretBox,
  row: SecretRef & { client_secret_sealed: Uint8Array | null; client_secret_key_id: string | null },
): string | undefined {
  const sealed = sealedOf(row);
  return sealed && box.open(sealed, clientSecretAad(row));
}

export function maskedSecret(row: { client_secret_sealed: Uint8Array | null }): typeof SECRET_MASK | "" {
  return row.client_secret_sealed ? SECRET_MASK : "";
}
