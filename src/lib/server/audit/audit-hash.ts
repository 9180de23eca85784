/**
 * The hash rules of the audit chain, shared by writing, verifying and the offline export check.
 *
 * Format 1 (the first chain): SHA-256 over prevHash and `JSON.stringify([tenantId, at, actorId, type, subjectId, data])`.
 * Format 2: SHA-256 over the RFC 8785 canonical JSON (npm `canonicalize`) of the envelope
 *   { v: 2, chain, seq, at (ISO 8601), type, data, prevHash, personalHash }.
 * The personal part is committed to by personalHash = SHA-256(salt bytes || canonical JSON of the part), so it can be
 * erased later without touching the envelope, and a random salt keeps an erased part from being guessed back.
 */
import { createHash, hash as oneShotHash, randomBytes } from 'node:crypto';
import canonicalize from 'canonicalize';

/** The hashed envelope of a format-2 entry. */
export interface AuditEnvelope {
  v: 2;
  /** Tenant id, or "" for the platform chain. */
  chain: string;
  seq: number;
  /** ISO 8601 with milliseconds, UTC. */
  at: string;
  type: string;
  data: Record<string, unknown>;
  prevHash: string;
  personalHash: string | null;
}

/** The fields of a format-1 entry that its hash covers. */
export interface V1Fields {
  tenantId: string | null;
  at: number;
  actorId: string | null;
  type: string;
  subjectId: string | null;
  data: unknown;
}

/** Type of the entry that records an erasure of personal parts. */
export const ERASURE_TYPE = 'person.erased';

/** RFC 8785 canonical JSON; throws for values JSON cannot hold (NaN, Infinity, lone surrogates, cycles). */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('Wert lässt sich nicht als kanonisches JSON schreiben.');
  return text;
}

/** SHA-256 as lowercase hex. */
export function sha256Hex(...parts: (string | Buffer)[]): string {
  // one-shot hashing is markedly cheaper than a Hash object (verification hashes every entry)
  if (parts.length === 1) return oneShotHash('sha256', parts[0] as string | Buffer, 'hex');
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** Hash of a format-1 entry (the rule of the first chain, kept so old segments stay verifiable). */
export function v1Hash(prevHash: string, e: V1Fields): string {
  return sha256Hex(prevHash, JSON.stringify([e.tenantId, e.at, e.actorId, e.type, e.subjectId, e.data]));
}

/** Hash of a format-2 envelope: SHA-256 of its canonical JSON. */
export function envelopeHash(envelope: AuditEnvelope): string {
  return sha256Hex(canonicalJson(envelope));
}

/**
 * The canonical JSON of an envelope whose `data` is already canonical JSON text (as stored in the database), built
 * without parsing: keys in RFC 8785 order (at, chain, data, personalHash, prevHash, seq, type, v). Equal to
 * `canonicalJson(envelope)` for canonical `dataJson`; used by the streaming verifier (1 M entries in seconds).
 */
export function envelopeCanonicalFromText(e: Omit<AuditEnvelope, 'data'> & { dataJson: string }): string {
  return `{"at":${JSON.stringify(e.at)},"chain":${JSON.stringify(e.chain)},"data":${e.dataJson},"personalHash":${
    e.personalHash === null ? 'null' : JSON.stringify(e.personalHash)
  },"prevHash":${JSON.stringify(e.prevHash)},"seq":${canonicalJson(e.seq)},"type":${JSON.stringify(e.type)},"v":2}`;
}

/** A new random salt for a personal part: 32 bytes, hex. */
export function newSalt(): string {
  return randomBytes(32).toString('hex');
}

/** personalHash = SHA-256(salt bytes || canonical JSON of the personal part); `personalJson` is that canonical text. */
export function personalHash(saltHex: string, personalJson: string): string {
  const salt = Buffer.from(saltHex, 'hex');
  const json = Buffer.from(personalJson, 'utf8');
  return sha256Hex(Buffer.concat([salt, json], salt.length + json.length));
}

/** SHA-256 over the canonical JSON of the ascending list of erased chain positions (data of an erasure entry). */
export function erasedSeqsHash(seqs: readonly number[]): string {
  return sha256Hex(canonicalJson([...seqs].sort((a, b) => a - b)));
}

/**
 * Makes `value` plain JSON data (drops undefined, turns Dates into strings) so that what is hashed is exactly what
 * is stored and read back.
 */
export function plainJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
