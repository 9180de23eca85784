/**
 * Erasure of a person's personal audit parts (GDPR Art. 17): every part of the person in one chain is cleared
 * (data → null) and marked with the chain position of a new "person.erased" entry. That entry's data holds the number of
 * cleared parts and the SHA-256 of their sorted positions, so verification can tell a lawful erasure from a
 * part that was cleared behind the log's back. Envelopes stay unchanged: the chain keeps verifying.
 */
import { and, asc, eq, isNotNull, lt } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { auditEventTable, auditPersonalTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from './append-audit-event.ts';
import { ERASURE_TYPE, erasedSeqsHash } from './audit-hash.ts';

type Tx = Pick<Db, 'select' | 'insert' | 'update'>;

export interface ErasureInput {
  /** Tenant id, or "" for the platform chain. */
  chain: string;
  /** The person whose parts are cleared. */
  personId: string;
  /** Who carries out the erasure (recorded in the erasure entry's own personal part). */
  actorId: string | null;
  at?: Date;
}

export interface ErasureResult {
  /** Chain position of the "person.erased" entry. */
  seq: number;
  /** Number of parts cleared. */
  erased: number;
}

/** Clears all personal parts of `personId` in `chain` inside the caller's transaction and records the erasure. */
export async function erasePersonalAudit(tx: Tx, input: ErasureInput): Promise<ErasureResult> {
  const open = and(
    eq(auditPersonalTable.chain, input.chain),
    eq(auditPersonalTable.personId, input.personId),
    isNotNull(auditPersonalTable.data),
  );
  const rows = await tx
    .select({ rowSeq: auditPersonalTable.seq, chainSeq: auditEventTable.chainSeq })
    .from(auditPersonalTable)
    .innerJoin(auditEventTable, eq(auditEventTable.seq, auditPersonalTable.seq))
    .where(open)
    .orderBy(asc(auditPersonalTable.seq));
  // chain positions (not row ids): what an exported log can check
  const seqs = rows.map((r) => r.chainSeq as number);
  // the erasure entry names no person: its subject is left out on purpose
  const entry = await appendAuditEvent(tx, {
    tenantId: input.chain === '' ? null : input.chain,
    actorId: input.actorId,
    type: ERASURE_TYPE,
    subjectId: null,
    data: { count: seqs.length, seqsHash: erasedSeqsHash(seqs) },
    ...(input.at ? { at: input.at } : {}),
  });
  const last = rows[rows.length - 1]?.rowSeq;
  if (last !== undefined) {
    // only the parts counted above (the erasure entry's own part comes later)
    await tx
      .update(auditPersonalTable)
      .set({ data: null, erasedBy: entry.seq })
      .where(and(open, lt(auditPersonalTable.seq, last + 1)));
  }
  return { seq: entry.seq, erased: seqs.length };
}
