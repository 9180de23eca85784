/**
 * Writes a signed checkpoint of a chain's current head into audit_checkpoints. A checkpoint given to an outside party
 * (data protection officer, auditor) later proves that the log was not cut short or rewritten before that point.
 */
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { auditCheckpointTable, auditEventTable } from '../../../../db/schema/index.ts';
import type { KeyRing } from '../certificates/signing-keys.ts';
import { resolveAuditChain } from './audit-chain-ref.ts';
import { type AuditCheckpoint, signCheckpoint } from './audit-checkpoint.ts';

/** Maps a stored checkpoint row to the exchanged form. */
export function checkpointFromRow(r: typeof auditCheckpointTable.$inferSelect): AuditCheckpoint {
  return {
    chain: r.chain,
    seq: r.chainSeq,
    hash: r.hash,
    at: r.at.toISOString(),
    keyId: r.keyId,
    publicKey: r.publicKey,
    signature: r.signature,
  };
}

/**
 * Signs the head of the chain of `tenantSlugOrChain` (tenant slug or id, "" = platform) with the ring's active key and
 * stores it. When the head already has a checkpoint, that one is returned (one checkpoint per position).
 */
export async function writeCheckpoint(db: Db, tenantSlugOrChain: string, ring: KeyRing, now: Date = new Date()): Promise<AuditCheckpoint> {
  const { chain } = await resolveAuditChain(db, tenantSlugOrChain);
  return db.transaction(async (tx) => {
    const head = await tx
      .select({ seq: auditEventTable.chainSeq, hash: auditEventTable.hash })
      .from(auditEventTable)
      .where(eq(auditEventTable.chain, chain))
      .orderBy(desc(auditEventTable.chainSeq))
      .limit(1);
    const seq = head[0]?.seq ?? 0;
    const hash = head[0]?.hash ?? '';
    const existing = await tx
      .select()
      .from(auditCheckpointTable)
      .where(and(eq(auditCheckpointTable.chain, chain), eq(auditCheckpointTable.chainSeq, seq)))
      .limit(1);
    if (existing[0]) return checkpointFromRow(existing[0]);
    const cp = await signCheckpoint({ chain, seq, hash, at: now.toISOString() }, ring);
    await tx.insert(auditCheckpointTable).values({
      chain,
      chainSeq: seq,
      hash,
      at: now,
      keyId: cp.keyId,
      publicKey: cp.publicKey,
      signature: cp.signature,
    });
    return cp;
  });
}

/** Stored checkpoints of a chain, oldest first. */
export async function listCheckpoints(db: Db, chain: string): Promise<AuditCheckpoint[]> {
  const rows = await db
    .select()
    .from(auditCheckpointTable)
    .where(eq(auditCheckpointTable.chain, chain))
    .orderBy(auditCheckpointTable.chainSeq);
  return rows.map(checkpointFromRow);
}
