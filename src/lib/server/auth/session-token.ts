/**
 * Session tokens following the Lucia guide (lucia-auth.com, "Basic session implementation"):
 * token = `<id>.<secret>`; only SHA-256(secret) is stored; secrets have 160 bits of entropy
 * (OWASP ASVS 5.0 7.2.3 asks for at least 128).
 */
import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';

export interface SessionTokenParts {
  id: string;
  secret: string;
}

function randomString(bytes: number): string {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  return encodeBase32LowerCaseNoPadding(buf);
}

export function generateSessionToken(): { token: string; id: string; secretHash: Uint8Array } {
  const id = randomString(15); // 120 bits, 24 chars
  const secret = randomString(20); // 160 bits, 32 chars
  return { token: `${id}.${secret}`, id, secretHash: hashSecret(secret) };
}

export function hashSecret(secret: string): Uint8Array {
  return sha256(new TextEncoder().encode(secret));
}

/** Splits a cookie value into id and secret; null for anything malformed. */
export function parseSessionToken(token: string | undefined): SessionTokenParts | null {
  if (!token || token.length > 100) return null;
  const parts = token.split('.');
  if (parts.length !== 2) return null;
  const [id, secret] = parts as [string, string];
  if (!/^[a-z2-7]{24}$/.test(id) || !/^[a-z2-7]{32}$/.test(secret)) return null;
  return { id, secret };
}

/** Constant-time check of a presented secret against the stored hash. */
export function verifySecret(secret: string, storedHash: Uint8Array): boolean {
  const presented = hashSecret(secret);
  return presented.length === storedHash.length && constantTimeEqual(presented, storedHash);
}
