/**
 * Verifies one chain of the audit log in the database, streaming it in pages of chain positions inside one read
 * transaction (read-chain-pages.ts; 1 M entries in under 10 s, see bench/audit-verify.ts). The checks are those of
 * chain-verifier.ts; stored checkpoints of the chain and an optional checkpoint from a file (kept by an outside
 * party) are checked against the entries.
 */
import type { Db } from '../../../../db/client.ts';
import type { AuditCheckpoint } from './audit-checkpoint.ts';
import { envelopeCanonicalFromText } from './audit-hash.ts';
import { type AuditVerification, type ChainEntry, ChainVerifier, type PersonalPart } from './chain-verifier.ts';
import { openChainPages, type StoredEntryRow } from './read-chain-pages.ts';
import { listCheckpoints } from './write-checkpoint.ts';

export type { AuditVerification, BrokenEntry } from './chain-verifier.ts';

export interface VerifyAuditChainOptions {
  /** A checkpoint kept outside the database (`--checkpoint FILE`). */
  checkpoint?: AuditCheckpoint | undefined;
  /** Raw public keys (base64url) whose checkpoints are trusted, e.g. trustedKeysOf(ring); undefined: any valid signature. */
  trustedKeys?: Set<string> | undefined;
  /** Entries per page (default 5,000). */
  pageSize?: number;
  /** Called after each page with entries read and the chain's length. */
  onProgress?: (done: number, total: number) => void;
}

/** Maps a stored row to a chain entry. */
function toEntry(r: StoredEntryRow, chain: string): ChainEntry {
  const [seq, format, tenantId, at, actorId, type, subjectId, dataJson, prevHash, hash, personalHash] = r;
  if (format === 1) return { format: 1, seq, tenantId, at, actorId, type, subjectId, data: JSON.parse(dataJson), prevHash, hash };
  const salt = r[12];
  const personal: PersonalPart | null = salt === null ? null : { chain: String(r[11]), salt, json: r[13], erasedBy: r[14] };
  return {
    format: 2,
    seq,
    chain,
    type,
    prevHash,
    personalHash,
    canonical: envelopeCanonicalFromText({ v: 2, chain, seq, at: new Date(at).toISOString(), type, dataJson, prevHash, personalHash }),
    data: () => JSON.parse(dataJson) as Record<string, unknown>,
    hash,
    personal,
  };
}

/** Verifies the chain `chain` (tenant id, "" = platform). */
export async function verifyAuditChain(db: Db, chain: string, opts: VerifyAuditChainOptions = {}): Promise<AuditVerification> {
  const verifier = new ChainVerifier(chain, { trustedKeys: opts.trustedKeys });
  // checkpoints before the snapshot: one written later might name an entry the snapshot does not hold yet
  for (const cp of await listCheckpoints(db, chain)) await verifier.checkpoint(cp);
  if (opts.checkpoint) await verifier.checkpoint(opts.checkpoint);
  const reader = await openChainPages(db, chain, opts.pageSize);
  try {
    const total = opts.onProgress ? await reader.count() : 0;
    let done = 0;
    for await (const rows of reader.pages()) {
      for (const r of rows) verifier.add(toEntry(r, chain));
      done += rows.length;
      opts.onProgress?.(done, total);
    }
  } finally {
    reader.close();
  }
  return verifier.finish();
}
