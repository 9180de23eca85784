/** Append-only, hash-chained audit log of evidence events (per tenant chain). */
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

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
    /** Format of the entry: 1 = the first chain (JSON array hashed), 2 = canonical envelope with an erasable personal part. */
    format: integer('format').notNull().default(1),
    /** Chain the entry belongs to: the tenant id, or "" for the platform chain. */
    chain: text('chain').notNull().default(''),
    /** Position in its chain: 1, 2, 3, … without gaps; the database keeps (chain, chain_seq) unique. */
    chainSeq: integer('chain_seq'),
    /** Format 2: SHA-256 of the salted canonical personal part (audit_personal), or null when there is none. */
    personalHash: text('personal_hash'),
  },
  // reading one tenant's chain in order (verification, evidence export) and finding its last hash
  (t) => [
    index('audit_events_tenant_seq_idx').on(t.tenantId, t.seq),
    // the sequence constraint: two writers appending at once cannot both take the same position (the second retries)
    uniqueIndex('audit_events_chain_seq_idx').on(t.chain, t.chainSeq),
  ],
);

/**
 * The personal part of an audit entry (who, about whom, free-text reasons), kept apart from the hashed envelope.
 * The envelope commits to it by hash, so erasing a person clears `data` here and the chain still verifies.
 */
export const auditPersonalTable = sqliteTable(
  'audit_personal',
  {
    seq: integer('seq')
      .primaryKey()
      .references(() => auditEventTable.seq),
    chain: text('chain').notNull(),
    /** Person the part is about (erasure finds their parts by it). */
    personId: text('person_id'),
    /** Random salt: an erased part cannot be guessed back from its hash. */
    salt: text('salt').notNull(),
    /** The personal fields; null once erased. */
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>(),
    /** Chain position of the erasure entry that cleared this part. */
    erasedBy: integer('erased_by'),
  },
  // erasure: parts of one person
  (t) => [index('audit_personal_person_idx').on(t.chain, t.personId)],
);

/** Signed checkpoints: the district's key signs the chain head, so an exported log can be checked offline. */
export const auditCheckpointTable = sqliteTable(
  'audit_checkpoints',
  {
    chain: text('chain').notNull(),
    chainSeq: integer('chain_seq').notNull(),
    hash: text('hash').notNull(),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    /** Key id (did:key#…) and base64url Ed25519 signature over the canonical checkpoint. */
    keyId: text('key_id').notNull(),
    publicKey: text('public_key').notNull(),
    signature: text('signature').notNull(),
  },
  (t) => [primaryKey({ columns: [t.chain, t.chainSeq] })],
);
