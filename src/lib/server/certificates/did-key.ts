/**
 * did:key identifiers for the ring's Ed25519 keys, resolved locally (no resolver, no network).
 * The issuer of KIKO's Open Badges is the did:key of the signing key, so anyone can verify a badge
 * offline; KIKO itself only accepts DIDs of keys in its own ring.
 */
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import type { SigningKey } from './key-ring.ts';

/** A ring key as a DID with its verification method. */
export interface KeyDid {
  keyId: string;
  did: string;
  verificationMethodId: string;
  publicKeyMultibase: string;
}

const MULTIKEY_CONTEXT = 'https://w3id.org/security/multikey/v1';
const DID_CONTEXT = 'https://www.w3.org/ns/did/v1';

/** Returns the did:key (`did:key:z6Mk…`) of a ring key and its verification method id. */
export async function keyDid(key: Pick<SigningKey, 'id' | 'publicKey'>): Promise<KeyDid> {
  const jwk = key.publicKey.export({ format: 'jwk' });
  const { publicKeyMultibase } = await Ed25519Multikey.fromJwk({ jwk });
  const did = `did:key:${publicKeyMultibase}`;
  return { keyId: key.id, did, verificationMethodId: `${did}#${publicKeyMultibase}`, publicKeyMultibase };
}

/** The verification method document (Multikey) of a key DID. */
export function verificationMethodDocument(d: KeyDid): Record<string, unknown> {
  return {
    '@context': MULTIKEY_CONTEXT,
    id: d.verificationMethodId,
    type: 'Multikey',
    controller: d.did,
    publicKeyMultibase: d.publicKeyMultibase,
  };
}

/** The DID document of a key DID, as the did:key method defines it for Ed25519 Multikeys. */
export function didDocument(d: KeyDid): Record<string, unknown> {
  const { '@context': _context, ...method } = verificationMethodDocument(d);
  return {
    '@context': [DID_CONTEXT, MULTIKEY_CONTEXT],
    id: d.did,
    verificationMethod: [method],
    authentication: [d.verificationMethodId],
    assertionMethod: [d.verificationMethodId],
    capabilityDelegation: [d.verificationMethodId],
    capabilityInvocation: [d.verificationMethodId],
  };
}
