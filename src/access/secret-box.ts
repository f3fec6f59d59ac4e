// Secrets the app must read back (two-factor seeds), sealed at rest with AES-256-GCM under a key
// derived from SECRET_KEY, so a copy of the database alone does not give them away.

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SecretBox {
  /** `v1.<base64url(iv | tag | ciphertext)>` */
  seal(plain: string): string;
  /** The plain text, or null when the text was not sealed by this key for this purpose. */
  open(sealed: string): string | null;
}

/**
 * A box for one purpose: the purpose is bound into both the derived key and the authenticated
 * data, so a value sealed for one use never opens as another.
 */
export function secretBox(secretKey: string, purpose: string): SecretBox {
  if (secretKey.length === 0) throw new Error('secretBox needs a non-empty secret key');
  const key = Buffer.from(hkdfSync('sha256', secretKey, 'selfcare secret box', purpose, 32));
  const aad = Buffer.from(`${VERSION}:${purpose}`, 'utf8');
  return {
    seal(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(aad);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    open(sealed) {
      const [version, payload] = sealed.split('.', 2);
      if (version !== VERSION || !payload) return null;
      const raw = Buffer.from(payload, 'base64url');
      if (raw.length < IV_BYTES + TAG_BYTES) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
        decipher.setAAD(aad);
        decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        return null;
      }
    },
  };
}
