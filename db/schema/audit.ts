/** Append-only, hash-chained audit log of evidence events (per tenant chain). */
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const auditEventTable = sqliteTable(
  'audit_events',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    /** Null for platform-level events (operator actions). */
    tenantId: text('tenant_id'),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    actorId: text('actor_id'),
    /** Event type, e.g. "user.login", "lesson.completed", "quiz.submitted", "certificate.issued". */
    type: text('type').notNull(),
    subjectId: text('subject_id'),
    data: text('data', { mode: 'json' }).notNull(),
    /** Hash of the previous event of the same tenant chain ("" for the first). */
    prevHash: text('prev_hash').notNull(),
    /** SHA-256 over prevHash and the canonical event. */
    hash: text('hash').notNull(),
  },
  // reading one tenant's chain in order (verification, evidence export) and finding its last hash
  (t) => [index('audit_events_tenant_seq_idx').on(t.tenantId, t.seq)],
);
