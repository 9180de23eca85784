/**
 * Verifies one chain of the audit log in the database, streaming it in pages of chain positions inside one read
 * transaction (a consistent snapshot, constant memory; 1 M entries in a few seconds, see bench/audit-verify.ts).
 * The checks are those of chain-verifier.ts; stored checkpoints of the chain and an optional checkpoint from a file
 * (kept by an outside party) are checked against the entries.
 */
import type { Client, InValue } from '@libsql/client';
import type { Db } from '../../../../db/client.ts';
import { type AuditCheckpoint, parseCheckpoint } from './audit-checkpoint.ts';
import { envelopeCanonicalFromText } from './audit-hash.ts';
import { type AuditVerification, type ChainEntry, ChainVerifier, type PersonalPart } from './chain-verifier.ts';

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

/**
 * One page of entries. Each row comes back as ONE json_array text column: @libsql/client builds a row object per
 * column with getters, which at 15 columns cost more than all checks; JSON.parse of one text per row is native and
 * gives back every text (including `data`, a JSON string inside the array) exactly as stored.
 */
const PAGE_SQL = `SELECT json_array(e.chain_seq, e.format, e.tenant_id, e.at, e.actor_id, e.type, e.subject_id, e.data, e.prev_hash,
  e.hash, e.personal_hash, p.chain, p.salt, p.data, p.erased_by)
  FROM audit_events e LEFT JOIN audit_personal p ON p.seq = e.seq
  WHERE e.chain = ? AND e.chain_seq > ? ORDER BY e.chain_seq LIMIT ?`;

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** Maps a page row (column order of PAGE_SQL) to a chain entry. */
function toEntry(r: unknown[], chain: string): ChainEntry {
  const seq = Number(r[0]);
  const at = Number(r[3]);
  const type = String(r[5]);
  const dataJson = String(r[7]);
  const prevHash = String(r[8]);
  const hash = String(r[9]);
  if (Number(r[1]) === 1) {
    return {
      format: 1,
      seq,
      tenantId: str(r[2]),
      at,
      actorId: str(r[4]),
      type,
      subjectId: str(r[6]),
      data: JSON.parse(dataJson),
      prevHash,
      hash,
    };
  }
  const personalHash = str(r[10]);
  const personal: PersonalPart | null =
    r[12] === null || r[12] === undefined
      ? null
      : { chain: String(r[11]), salt: String(r[12]), json: str(r[13]), erasedBy: r[14] === null ? null : Number(r[14]) };
  const atIso = new Date(at).toISOString();
  return {
    format: 2,
    seq,
    chain,
    type,
    prevHash,
    personalHash,
    canonical: envelopeCanonicalFromText({ v: 2, chain, seq, at: atIso, type, dataJson, prevHash, personalHash }),
    data: () => JSON.parse(dataJson) as Record<string, unknown>,
    hash,
    personal,
  };
}

/** Verifies the chain `chain` (tenant id, "" = platform). */
export async function verifyAuditChain(db: Db, chain: string, opts: VerifyAuditChainOptions = {}): Promise<AuditVerification> {
  const pageSize = opts.pageSize ?? 5000;
  const verifier = new ChainVerifier(chain, { trustedKeys: opts.trustedKeys });
  // raw client: drizzle's row mapping would cost more than the checks themselves at 1 M entries
  const tx = await (db as Db & { $client: Client }).$client.transaction('read');
  try {
    const cps = await tx.execute({
      sql: 'SELECT chain, chain_seq, hash, at, key_id, public_key, signature FROM audit_checkpoints WHERE chain = ? ORDER BY chain_seq',
      args: [chain],
    });
    for (const r of cps.rows) {
      const cp = parseCheckpoint({
        chain: r[0],
        seq: Number(r[1]),
        hash: r[2],
        at: new Date(Number(r[3])).toISOString(),
        keyId: r[4],
        publicKey: r[5],
        signature: r[6],
      });
      if (cp) await verifier.checkpoint(cp);
    }
    if (opts.checkpoint) await verifier.checkpoint(opts.checkpoint);
    const total = opts.onProgress
      ? Number((await tx.execute({ sql: 'SELECT count(*) FROM audit_events WHERE chain = ?', args: [chain] })).rows[0]?.[0] ?? 0)
      : 0;
    let after = 0;
    let done = 0;
    for (;;) {
      const args: InValue[] = [chain, after, pageSize];
      const page = await tx.execute({ sql: PAGE_SQL, args });
      let last = after;
      for (const row of page.rows) {
        const r = JSON.parse(String(row[0])) as unknown[];
        last = Number(r[0]);
        verifier.add(toEntry(r, chain));
      }
      done += page.rows.length;
      opts.onProgress?.(done, total);
      if (page.rows.length < pageSize) break;
      after = last;
    }
  } finally {
    tx.close();
  }
  return verifier.finish();
}
