// How strong an IdP's signing certificate must be for idplane to trust assertions signed with its
// key: an RSA key of at least 2048 bits or an EC key on P-256, P-384 or P-521 (or Ed25519/Ed448),
// and the certificate itself signed with SHA-256 or stronger (no SHA-1, no MD5). A weak key makes
// every assertion of the connection forgeable; a weak signature on the certificate says the IdP's
// tooling is old enough to sign assertions the same way. Read with node:crypto (the key) and
// @peculiar/x509 (the signature algorithm, which node:crypto does not expose).
// @peculiar/x509 (through tsyringe) needs the Reflect metadata API before it loads.
import "reflect-metadata";
import type { X509Certificate } from "node:crypto";
import * as x509 from "@peculiar/x509";

export const MIN_RSA_BITS = 2048;
const STRONG_CURVES = new Set(["prime256v1", "secp384r1", "secp521r1"]);
const STRONG_HASHES = new Set(["SHA-256", "SHA-384", "SHA-512"]);
const HASHLESS = new Set(["Ed25519", "Ed448", "EdDSA"]);

/** Why the certificate's key is too weak, or undefined. */
function keyProblem(cert: X509Certificate): string | undefined {
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case "rsa":
    case "rsa-pss":
      return (details.modulusLength ?? 0) >= MIN_RSA_BITS
        ? undefined
        : `has a ${details.modulusLength ?? "?"}-bit RSA key; at least ${MIN_RSA_BITS} bits are required`;
    case "ec":
      return STRONG_CURVES.has(details.namedCurve ?? "")
        ? undefined
        : `has an EC key on ${details.namedCurve ?? "an unknown curve"}; P-256, P-384 or P-521 is required`;
    case "ed25519":
    case "ed448":
      return undefined;
    default:
      return `has a ${key.asymmetricKeyType ?? "unknown"} key; RSA (at least ${MIN_RSA_BITS} bits), EC (P-256 or larger) or EdDSA is required`;
  }
}

/** Why the certificate's own signature is too weak, or undefined. */
function signatureProblem(der: Buffer): string | undefined {
  let algorithm: { name: string; hash?: { name: string } };
  try {
    algorithm = new x509.X509Certificate(der).signatureAlgorithm as typeof algorithm;
  } catch {
    return "is signed with an algorithm idplane does not recognise";
  }
  if (HASHLESS.has(algorithm.name)) return undefined;
  const hash = algorithm.hash?.name ?? "";
  return STRONG_HASHES.has(hash)
    ? undefined
    : `is signed with ${hash || algorithm.name || "an unknown algorithm"}; SHA-256 or stronger is required (no SHA-1, no MD5)`;
}

/** Why a signing certificate is too weak to trust, or undefined. */
export function weakCertificate(cert: X509Certificate): string | undefined {
  return keyProblem(cert) ?? signatureProblem(cert.raw);
}
