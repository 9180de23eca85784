/**
 * Signed checkpoints of an audit chain: Ed25519 over the canonical JSON of { chain, seq, hash, at }, made with the
 * active key of the chain's key ring (the district's certificate keys, see certificates/signing-keys.ts). The key is
 * named by its did:key verification method and carried as raw public key (base64url), so an exported log can be
 * checked offline; whether the key is really the district's is a trust decision of the verifier (ring or list).
 */
import { createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { keyDid } from '../certificates/did-key.ts';
import type { KeyRing, SigningKey } from '../certificates/signing-keys.ts';
import { canonicalJson } from './audit-hash.ts';

/** What a checkpoint states: the chain's head at a moment. */
export interface CheckpointStatement {
  chain: string;
  /** Last chain position covered (0 for an empty chain). */
  seq: number;
  /** Hash of that entry ("" for an empty chain). */
  hash: string;
  /** ISO 8601. */
  at: string;
}

/** A signed checkpoint as stored, exported and given to `--checkpoint FILE`. */
export interface AuditCheckpoint extends CheckpointStatement {
  /** did:key verification method of the signing key. */
  keyId: string;
  /** Raw Ed25519 public key, base64url (the JWK `x`). */
  publicKey: string;
  /** Ed25519 signature over canonicalJson(statement), base64url. */
  signature: string;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The bytes a checkpoint signature covers. */
export function checkpointMessage(s: CheckpointStatement): Buffer {
  return Buffer.from(canonicalJson({ chain: s.chain, seq: s.seq, hash: s.hash, at: s.at }));
}

/** Raw public key of a key object, base64url. */
export function rawPublicKey(key: KeyObject): string {
  return String(key.export({ format: 'jwk' }).x);
}

/** A public key object from its raw base64url form; null when malformed. */
export function publicKeyFromRaw(raw: string): KeyObject | null {
  try {
    if (!BASE64URL.test(raw) || Buffer.from(raw, 'base64url').length !== 32) return null;
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw }, format: 'jwk' });
  } catch {
    return null;
  }
}

/** The did:key verification method id of a raw public key. */
export async function keyIdOf(publicKey: KeyObject): Promise<string> {
  const key: SigningKey = { id: '', created: '', retired: null, publicKey, privateKey: null };
  return (await keyDid(key)).verificationMethodId;
}

/** Signs a statement with the ring's active key. */
export async function signCheckpoint(statement: CheckpointStatement, ring: KeyRing): Promise<AuditCheckpoint> {
  const signature = sign(null, checkpointMessage(statement), ring.active.privateKey).toString('base64url');
  return {
    chain: statement.chain,
    seq: statement.seq,
    hash: statement.hash,
    at: statement.at,
    keyId: await keyIdOf(ring.active.publicKey),
    publicKey: rawPublicKey(ring.active.publicKey),
    signature,
  };
}

/**
 * True when the signature is valid for the stated public key and the key id is that key's did:key. Never throws.
 * Does not decide whether the key is trusted (see trustedKeysOf).
 */
export async function checkpointSignatureValid(cp: AuditCheckpoint): Promise<boolean> {
  try {
    const key = publicKeyFromRaw(cp.publicKey);
    if (!key || typeof cp.signature !== 'string' || !BASE64URL.test(cp.signature)) return false;
    const sig = Buffer.from(cp.signature, 'base64url');
    if (sig.length !== 64 || !verify(null, checkpointMessage(cp), key, sig)) return false;
    return cp.keyId === (await keyIdOf(key));
  } catch {
    return false;
  }
}

/** Raw public keys of every key of a ring (active and retired): the keys whose checkpoints a verifier trusts. */
export function trustedKeysOf(ring: KeyRing): Set<string> {
  return new Set(ring.keys.map((k) => rawPublicKey(k.publicKey)));
}

/** Parses a checkpoint from JSON (a `--checkpoint FILE`, an export line); null when it is not one. */
export function parseCheckpoint(value: unknown): AuditCheckpoint | null {
  const v = value as Record<string, unknown> | null;
  if (!v || typeof v !== 'object') return null;
  const strings = ['chain', 'hash', 'at', 'keyId', 'publicKey', 'signature'] as const;
  if (strings.some((k) => typeof v[k] !== 'string') || !Number.isSafeInteger(v.seq) || (v.seq as number) < 0) return null;
  return {
    chain: v.chain as string,
    seq: v.seq as number,
    hash: v.hash as string,
    at: v.at as string,
    keyId: v.keyId as string,
    publicKey: v.publicKey as string,
    signature: v.signature as string,
  };
}
