// Encryption at rest for secrets the service must read back in plain form (access-key secrets, to
// verify HMACs; identity-provider client secrets, to call the provider). AES-256-GCM under the master
// key, with associated data that binds each ciphertext to the row it belongs to, and a key id so the
// master key can be rotated: old keys stay readable until every row is re-encrypted.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

export interface Sealed {
  /** Key id of the master key that sealed it. */
  keyId: string;
  /** iv (12) || tag (16) || ciphertext. */
  blob: Uint8Array;
}

export class SecretBoxError extends Error {}

/** Short public fingerprint of a key: first 16 hex chars of its SHA-256. Safe to store and log. */
export function keyIdOf(key: Uint8Array): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 16);
}

export class SecretBox {
  readonly currentKeyId: string;
  private readonly keys = new Map<string, Buffer>();

  /** @param current base64 master key that seals; @param previous base64 keys that may still open */
  constructor(current: string, previous: string[] = []) {
    const currentKey = Buffer.from(current, "base64");
    if (currentKey.length !== 32) throw new SecretBoxError("master key must be 32 bytes");
    this.currentKeyId = keyIdOf(currentKey);
    this.keys.set(this.currentKeyId, currentKey);
    for (const p of previous) {
      const k = Buffer.from(p, "base64");
      if (k.length !== 32) throw new SecretBoxError("previous master key must be 32 bytes");
      this.keys.set(keyIdOf(k), k);
    }
  }

  seal(plaintext: string, associatedData: string): Sealed {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.keys.get(this.currentKeyId)!, iv);
    cipher.setAAD(Buffer.from(associatedData, "utf8"));
    const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return { keyId: this.currentKeyId, blob: Buffer.concat([iv, cipher.getAuthTag(), ct]) };
  }

  open(sealed: Sealed, associatedData: string): string {
    const key = this.keys.get(sealed.keyId);
    if (!key) throw new SecretBoxError(`no master key with id ${sealed.keyId} is configured`);
    const blob = Buffer.from(sealed.blob);
    if (blob.length < 28) throw new SecretBoxError("sealed secret is truncated");
    const decipher = createDecipheriv("aes-256-gcm", key, blob.subarray(0, 12));
    decipher.setAAD(Buffer.from(associatedData, "utf8"));
    decipher.setAuthTag(blob.subarray(12, 28));
    try {
      return Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]).toString("utf8");
    } catch {
      throw new SecretBoxError("sealed secret does not open (wrong key or associated data)");
    }
  }

  /** True when a sealed value was made with an older key and should be re-sealed. */
  isStale(sealed: Pick<Sealed, "keyId">): boolean {
    return sealed.keyId !== this.currentKeyId;
  }
}

export function generateMasterKey(): string {
  return randomBytes(32).toString("base64");
}
