/** Checks a tenant's hash chain: every event's hash must match its content and its predecessor. */
import { asc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { auditEventTable } from '../../../../db/schema/index.ts';
import { auditHash } from './append-audit-event.ts';

export interface ChainCheck {
  events: number;
  /** Sequence number of the first event that does not fit, or null when the chain is intact. */
  brokenAt: number | null;
}

export async function verifyAuditChain(db: Db, tenantId: string | null): Promise<ChainCheck> {
  const rows = await db
    .select()
    .from(auditEventTable)
    .where(tenantId ? eq(auditEventTable.tenantId, tenantId) : isNull(auditEventTable.tenantId))
    .orderBy(asc(auditEventTable.seq));
  let prev = '';
  for (const r of rows) {
    const expected = auditHash(prev, {
      tenantId: r.tenantId,
      at: r.at.getTime(),
      actorId: r.actorId,
      type: r.type,
      subjectId: r.subjectId,
      data: r.data,
    });
    if (r.prevHash !== prev || r.hash !== expected) return { events: rows.length, brokenAt: r.seq };
    prev = r.hash;
  }
  return { events: rows.length, brokenAt: null };
}
