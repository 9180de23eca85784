/**
 * Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): after a successful login the
 * browser gets a signed cookie bound to that account. A browser that presents it is a device the owner has used,
 * so a lock of the account caused by someone else's guesses does not keep the owner out.
 * https://owasp.org/www-community/Slow_Down_Online_Guessing_Attacks_with_Device_Cookies
 *
 * Value: `<nonce>.<HMAC-SHA256(secret, email + nonce)>`, both base64url. The secret lives in the key directory
 * (`login-device.key`, created on first use, mode 0600), never in the database.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Lifetime of a device cookie. */
export const DEVICE_COOKIE_MAX_AGE_SECONDS = 180 * 24 * 3600;

/** Cookie name per account, so several people sharing a browser each keep their own. */
export function deviceCookieName(email: string): string {
  const tag = createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 16);
  return `kiko_geraet_${tag}`;
}

function mac(secret: Uint8Array, email: string, nonce: string): Buffer {
  return createHmac('sha256', secret).update(`${email.trim().toLowerCase()}\n${nonce}`).digest();
}

/** A new device token for the account. */
export function createDeviceToken(email: string, secret: Uint8Array): string {
  const nonce = randomBytes(16).toString('base64url');
  return `${nonce}.${mac(secret, email, nonce).toString('base64url')}`;
}

/** The token's nonce when it was signed for this account with this secret; null otherwise. */
export function verifyDeviceToken(token: string | undefined, email: string, secret: Uint8Array): string | null {
  if (!token || token.length > 100) return null;
  const [nonce, signature, extra] = token.split('.');
  if (!nonce || !signature || extra !== undefined || !/^[\w-]{22}$/.test(nonce)) return null;
  const presented = Buffer.from(signature, 'base64url');
  const expected = mac(secret, email, nonce);
  return presented.length === expected.length && timingSafeEqual(presented, expected) ? nonce : null;
}

const secrets = new Map<string, Buffer>();

/** The device-cookie secret of this installation (read once per process, created on first use). */
export function deviceSecret(keyDir: string): Buffer {
  const cached = secrets.get(keyDir);
  if (cached) return cached;
  const file = join(keyDir, 'login-device.key');
  let secret: Buffer;
  try {
    secret = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
  } catch {
    mkdirSync(keyDir, { recursive: true, mode: 0o700 });
    try {
      // 'wx': when two server processes start at once, only one writes; the other reads its secret
      writeFileSync(file, randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 });
      chmodSync(file, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    secret = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
  }
  if (secret.length < 32) throw new Error(`Die Datei ${file} enthält kein gültiges Geheimnis (mindestens 32 Byte).`);
  secrets.set(keyDir, secret);
  return secret;
}
