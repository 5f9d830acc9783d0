import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/** Encrypts short secrets (TOTP secrets, private signing keys) for storage. */
export interface SecretBox {
  /**
   * Encrypts `plaintext`. `context` (e.g. the user id) is authenticated but not stored: a sealed
   * value only opens with the same context, so it cannot be copied onto another row.
   */
  seal(plaintext: string, context?: string): string;
  /** Decrypts a sealed value; throws when it was altered, sealed with another key or context. */
  open(sealed: string, context?: string): string;
  /** True when no key was configured and the public development key is in use. */
  readonly usesDevelopmentKey: boolean;
}

/**
 * The key used when none is configured. It is public (it is written right here), so secrets
 * sealed with it are only obscured, not protected: fine on a developer's machine, never in
 * production, where the configuration must supply a key.
 */
export const DEVELOPMENT_KEY_SEED = "shopmesh local development secret box key (public, not secret)";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A SecretBox using AES-256-GCM with a random 96-bit nonce per value. Sealed values read
 * `v1.<key id>.<nonce>.<tag>.<ciphertext>` (base64url parts); the key id (a hash prefix of the
 * key) tells a wrong key apart from corrupted data.
 *
 * @param keyBase64 a 32-byte key in base64 or base64url (`openssl rand -base64 32`); when undefined
 *   or empty, a key derived from DEVELOPMENT_KEY_SEED (see there: for local use only).
 */
export function createSecretBox(keyBase64: string | undefined): SecretBox {
  const usesDevelopmentKey = keyBase64 === undefined || keyBase64.trim() === "";
  const key = usesDevelopmentKey
    ? createHash("sha256").update(DEVELOPMENT_KEY_SEED).digest()
    : Buffer.from(keyBase64.trim(), "base64");
  if (key.length !== 32) {
    throw new Error(`the secret box key must be 32 bytes in base64 (got ${key.length} bytes)`);
  }
  const keyId = createHash("sha256").update(key).digest("base64url").slice(0, 8);

  return {
    usesDevelopmentKey,
    seal(plaintext, context = "") {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(context, "utf8"));
      const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [
        VERSION,
        keyId,
        iv.toString("base64url"),
        tag.toString("base64url"),
        ciphertext.toString("base64url"),
      ].join(".");
    },
    open(sealed, context = "") {
      const parts = sealed.split(".");
      if (parts.length !== 5 || parts[0] !== VERSION) throw new Error("not a sealed secret");
      const [, id, iv, tag, ciphertext] = parts as [string, string, string, string, string];
      if (id !== keyId) throw new Error(`sealed with another key (key id ${id}, this key ${keyId})`);
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"), {
          authTagLength: TAG_BYTES,
        });
        decipher.setAAD(Buffer.from(context, "utf8"));
        decipher.setAuthTag(Buffer.from(tag, "base64url"));
        return Buffer.concat([
          decipher.update(Buffer.from(ciphertext, "base64url")),
          decipher.final(),
        ]).toString("utf8");
      } catch {
        throw new Error("the sealed secret was altered or belongs to another context");
      }
    },
  };
}
