/**
 * Appends an event to the tenant's hash-chained audit log: hash = SHA-256(prevHash + canonical event).
 * Runs inside the caller's transaction when given one, so evidence and its audit event commit together.
 */
import { createHash } from 'node:crypto';
import { desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { auditEventTable } from '../../../../db/schema/index.ts';

export interface AuditEventInput {
  tenantId: string | null;
  actorId: string | null;
  type: string;
  subjectId?: string | null;
  /** Non-personal facts of the event (ids of content, versions, counts). */
  data: Record<string, unknown>;
  /** Personal details beyond actor and subject (free-text reasons, names, e-mail addresses): erasable. */
  personal?: Record<string, unknown>;
  at?: Date;
}

type Tx = Pick<Db, 'select' | 'insert'>;

export function auditHash(
  prevHash: string,
  e: { tenantId: string | null; at: number; actorId: string | null; type: string; subjectId: string | null; data: unknown },
): string {
  const canonical = JSON.stringify([e.tenantId, e.at, e.actorId, e.type, e.subjectId, e.data]);
  return createHash('sha256').update(prevHash).update(canonical).digest('hex');
}

export async function appendAuditEvent(tx: Tx, input: AuditEventInput): Promise<void> {
  const at = input.at ?? new Date();
  const last = await tx
    .select({ hash: auditEventTable.hash })
    .from(auditEventTable)
    .where(input.tenantId ? eq(auditEventTable.tenantId, input.tenantId) : isNull(auditEventTable.tenantId))
    .orderBy(desc(auditEventTable.seq))
    .limit(1);
  const prevHash = last[0]?.hash ?? '';
  const event = {
    tenantId: input.tenantId,
    at: at.getTime(),
    actorId: input.actorId,
    type: input.type,
    subjectId: input.subjectId ?? null,
    data: input.data,
  };
  await tx.insert(auditEventTable).values({ ...event, at, prevHash, hash: auditHash(prevHash, event) });
}
