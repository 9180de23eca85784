/**
 * Ed25519 signatures over the canonical certificate payload (node:crypto, no extra library).
 * The key ring itself (files, rotation) lives in key-ring.ts and is re-exported here.
 */
import { sign, verify } from 'node:crypto';
import { type CertificatePayload, canonicalPayload } from './certificate-payload.ts';
import { getKey, type KeyRing } from './key-ring.ts';

export { getKey, type KeyRing, KeyRingError, loadOrCreateKeyRing, rotateKey, type SigningKey } from './key-ring.ts';

const ED25519_SIGNATURE_BYTES = 64;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Signs the canonical payload with the ring's active key and returns the signature as base64url
 * (86 characters). Throws when `payload.keyId` is not the active key (the key id is part of what is signed)
 * or when the payload does not match the schema.
 */
export function signPayload(payload: CertificatePayload, ring: KeyRing): string {
  if (payload.keyId !== ring.active.id) {
    throw new Error(`Zertifikat nennt Schlüssel „${payload.keyId}“, signiert wird aber mit dem aktiven Schlüssel „${ring.active.id}“.`);
  }
  return sign(null, canonicalPayload(payload), ring.active.privateKey).toString('base64url');
}

/**
 * Returns true when `signature` is a valid signature of the payload by the ring key named in
 * `payload.keyId` (active or retired). Returns false — never throws — for tampered or schema-invalid
 * payloads, unknown key ids and malformed signatures.
 */
export function verifyPayload(payload: CertificatePayload, signature: string, ring: KeyRing): boolean {
  try {
    if (typeof signature !== 'string' || !BASE64URL.test(signature)) return false;
    const bytes = Buffer.from(signature, 'base64url');
    if (bytes.length !== ED25519_SIGNATURE_BYTES || bytes.toString('base64url') !== signature) return false;
    const key = getKey(ring, payload.keyId);
    if (!key) return false;
    return verify(null, canonicalPayload(payload), key.publicKey, bytes);
  } catch {
    return false;
  }
}
