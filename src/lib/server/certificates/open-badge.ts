/**
 * The certificate as Open Badges 3.0 credential (W3C VC 2.0 data model) with a Data Integrity proof
 * (`eddsa-rdfc-2022`) made with the @digitalbazaar libraries, fully offline. The issuer is the did:key of
 * the ring's active key, with the district as issuer profile name. The holder appears by name and by a salted
 * SHA-256 hash of their e-mail address (OB 3.0 §B.1.3: a subject needs an `id` or an `identifier`), so a wallet or
 * employer who knows the address can check it while the file itself does not disclose it.
 */
import { createHash, randomBytes, sign } from 'node:crypto';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import { achievementObject } from './achievement-document.ts';
import type { CertificatePayload } from './certificate-payload.ts';
import { achievementDescription, certificateHeading } from './certificate-texts.ts';
import { keyDid } from './did-key.ts';
import { OB_CONTEXT_URL, OB_EXTENSIONS_CONTEXT_URL, offlineDocumentLoader, VC2_CONTEXT_URL } from './document-loader.ts';
import type { KeyRing, SigningKey } from './key-ring.ts';

/** An Open Badges 3.0 credential as JSON (with proof). */
export type OpenBadgeCredential = Record<string, unknown>;

/** Options of issueOpenBadge. */
export interface IssueOpenBadgeOptions {
  /** KIKO's public base URL, e.g. `https://kiko.musterland.de/` (issuer profile url, achievement ids). */
  issuerUrl: string;
  /** Public verify page of this certificate; used as credential id. */
  verifyUrl: string;
  /** The holder's e-mail address; the credential carries only its salted SHA-256 hash. */
  holderEmail: string;
  /** Salt of the identity hash (default: 16 random bytes, hex; fixed only in tests). */
  salt?: string;
  /** Proof creation time (default: now). */
  now?: Date;
}

/** JSON Schema of an OB 3.0 AchievementCredential (VC 2.0 form) published by 1EdTech, for `credentialSchema`. */
export const OB_ACHIEVEMENT_CREDENTIAL_SCHEMA =
  'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json';

/**
 * The IdentityObject of an e-mail address (OB 3.0 §B.1.3 IdentityObject, IdentityHash): `sha256$` and the hex SHA-256
 * of the address (trimmed, lower case) with the salt appended, both UTF-8.
 */
export function emailIdentity(email: string, salt: string): Record<string, unknown> {
  const hash = createHash('sha256').update(`${email.trim().toLowerCase()}${salt}`, 'utf8').digest('hex');
  return { type: 'IdentityObject', identityHash: `sha256$${hash}`, identityType: 'emailAddress', hashed: true, salt };
}

/** Builds the unsigned credential. */
function credentialOf(
  payload: CertificatePayload,
  issuerDid: string,
  { issuerUrl, verifyUrl, holderEmail, salt }: IssueOpenBadgeOptions,
): Record<string, unknown> {
  const base = issuerUrl.endsWith('/') ? issuerUrl : `${issuerUrl}/`;
  return {
    '@context': [VC2_CONTEXT_URL, OB_CONTEXT_URL, OB_EXTENSIONS_CONTEXT_URL],
    id: verifyUrl,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: `${certificateHeading(payload.kind)}: ${payload.achievement.title}`,
    description: achievementDescription(payload),
    issuer: { id: issuerDid, type: ['Profile'], name: payload.tenant.name, url: base },
    validFrom: payload.issuedAt,
    ...(payload.expiresAt ? { validUntil: payload.expiresAt } : {}),
    credentialSubject: {
      type: ['AchievementSubject'],
      name: payload.holder.name,
      identifier: [emailIdentity(holderEmail, salt ?? randomBytes(16).toString('hex'))],
      achievement: achievementObject(payload.kind, payload.achievement, base),
    },
    credentialSchema: [{ id: OB_ACHIEVEMENT_CREDENTIAL_SCHEMA, type: '1EdTechJsonSchemaValidator2019' }],
  };
}

/**
 * Issues an Open Badges 3.0 credential for the payload, signed by the ring's active key
 * (issuer `did:key:z6Mk…`, proof `DataIntegrityProof` / `eddsa-rdfc-2022`, assertionMethod).
 */
export async function issueOpenBadge(
  payload: CertificatePayload,
  ring: KeyRing,
  options: IssueOpenBadgeOptions,
): Promise<OpenBadgeCredential> {
  const d = await keyDid(ring.active);
  const privateKey = ring.active.privateKey;
  const signer = {
    id: d.verificationMethodId,
    algorithm: 'Ed25519',
    sign: async ({ data }: { data: Uint8Array }): Promise<Uint8Array> => new Uint8Array(sign(null, data, privateKey)),
  };
  const suite = new DataIntegrityProof({ signer, cryptosuite, date: options.now ?? new Date() });
  const documentLoader = offlineDocumentLoader([d]);
  return vc.issue({ credential: credentialOf(payload, d.did, options), suite, documentLoader });
}

/** Collects readable messages from a @digitalbazaar/vc result. */
function messages(result: vc.VerifyResult): string[] {
  const errors = [
    result.error?.message,
    ...(result.error?.errors ?? []).map((e) => e.message),
    ...(result.results ?? []).map((r) => r.error?.message),
  ];
  const unique = [...new Set(errors.filter((m): m is string => !!m))];
  return unique.length ? unique : ['Nachweis ungültig'];
}

/**
 * Verifies an Open Badge issued by KIKO: proof valid, signed by a key of the ring (retired keys included),
 * issuer = that key's DID, validFrom/validUntil respected (`now` defaults to the current time).
 * Returns `{verified, errors}`; never throws on bad input.
 */
export async function verifyOpenBadge(
  credential: unknown,
  ring: { keys: Array<Pick<SigningKey, 'id' | 'publicKey'>> },
  { now }: { now?: Date } = {},
): Promise<{ verified: boolean; errors: string[] }> {
  try {
    if (!credential || typeof credential !== 'object') return { verified: false, errors: ['Kein Nachweis-Objekt'] };
    const dids = await Promise.all(ring.keys.map(keyDid));
    const suite = new DataIntegrityProof({ cryptosuite });
    const result = await vc.verifyCredential({
      credential,
      suite,
      documentLoader: offlineDocumentLoader(dids),
      ...(now ? { now } : {}),
    });
    return result.verified ? { verified: true, errors: [] } : { verified: false, errors: messages(result) };
  } catch (error) {
    return { verified: false, errors: [error instanceof Error ? error.message : String(error)] };
  }
}
