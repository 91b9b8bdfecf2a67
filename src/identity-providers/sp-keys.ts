// A SAML connection's service-provider key pair: made when EnabledSign or EnabledEncryption is first
// set, kept after (an IdP configured with the certificate keeps working when a flag is toggled). The
// self-signed certificate is public (returned as Certificate, placed in SpMetadata); the PKCS#8
// private key is sealed under the master key with associated data naming the row, like a client
// secret, and declared for `keys rotate-master` (sealed.ts).
// Making a key pair is the costliest thing a caller can ask of this family (an RSA-2048 key is a few
// hundred milliseconds of CPU): WebCrypto's generateKey runs on the libuv threadpool (the event loop
// stays free), and callers run it through the fair queue in the account's lane (newSpKeyPairFor), so
// one tenant's burst of key pairs cannot hold the threadpool against another tenant's password hash.
// @peculiar/x509 (through tsyringe) needs the Reflect metadata API before it loads.
import "reflect-metadata";
import { randomBytes, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import type { SecretBox } from "../platform/crypto/secret-box.js";
import type { HashQueue } from "../users/hash-queue.js";
import type { SecretRef } from "./secret.js";

const ALGORITHM = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
const VALID_YEARS = 10;

export const spKeyAad = (ref: SecretRef) => `identity_provider_sp_key:${ref.account_id}:${ref.user_pool_uid}:${ref.uid}`;

export function sealSpPrivateKey(box: SecretBox, ref: SecretRef, pem: string) {
  const sealed = box.seal(pem, spKeyAad(ref));
  return { sp_private_key_sealed: sealed.blob, sp_private_key_key_id: sealed.keyId };
}

export function openSpPrivateKey(
  box: SecretBox,
  row: SecretRef & { sp_private_key_sealed: Uint8Array | null; sp_private_key_key_id: string | null },
) {
  return row.sp_private_key_sealed && row.sp_private_key_key_id
    ? box.open({ keyId: row.sp_private_key_key_id, blob: row.sp_private_key_sealed }, spKeyAad(row))
    : undefined;
}

/** A fresh RSA-2048 key pair and its self-signed certificate for `commonName`, valid from `now`. */
export async function newSpKeyPair(box: SecretBox, ref: SecretRef, commonName: string, now: Date) {
  const crypto = webcrypto as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1] & typeof webcrypto;
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + VALID_YEARS);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomBytes(16)
        .toString("hex")
        .replace(/^[89a-f]/, "1"),
      name: [{ CN: [commonName.slice(0, 64)] }],
      notBefore: now,
      notAfter,
      signingAlgorithm: ALGORITHM,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      ],
    },
    crypto,
  );
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey)).toString("base64");
  const pem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join("\n")}\n-----END PRIVATE KEY-----\n`;
  return { sp_certificate: cert.toString("pem"), ...sealSpPrivateKey(box, ref, pem) };
}

/** newSpKeyPair in the account's lane of the fair queue shared with password hashing. */
export function newSpKeyPairFor(queue: HashQueue, box: SecretBox, ref: SecretRef, commonName: string, now: Date) {
  return queue.run(ref.account_id, () => newSpKeyPair(box, ref, commonName, now));
}
