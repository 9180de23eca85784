/**
 * Appends an event to its chain of the hash-chained audit log (format 2, see audit-hash.ts and
 * docs/decisions/008-audit-chain-v2.md). Runs inside the caller's transaction, so evidence and its audit event
 * commit together or not at all.
 *
 * What is written:
 *  - `audit_events`: the envelope fields (chain, chain_seq, at, type, data, prevHash, personalHash) and its hash.
 *    Actor and subject are NOT stored there (the row can never be changed, so it must hold nothing erasable).
 *  - `audit_personal`: { actorId, subjectId, ...personal } as canonical JSON with a random salt, found by the person it
 *    is about (subject, else actor) when that person's data is erased.
 *
 * Sequence and concurrency: the entry takes position last chain_seq + 1 of its chain, read in the caller's transaction.
 * The unique index (chain, chain_seq) refuses a second entry at the same position, so the chain can never fork:
 *  - two server processes: KIKO's write transactions start with BEGIN IMMEDIATE, so the second process waits for the
 *    first to commit (SQLITE_BUSY, retried by db/serialize-writes.ts) and then reads the new head; should it ever have
 *    read a stale head, its INSERT fails on the unique index instead of forking the chain;
 *  - within one transaction (e.g. two appends started with Promise.all) the second INSERT fails on the unique index.
 *  In both cases the failed statement is undone by SQLite while the transaction stays open, and this function reads
 *  the head again and retries (a few times); if it still conflicts it throws AuditSequenceConflictError and the
 *  caller's transaction rolls back as a whole (the caller may run it again).
 */
import { desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { auditEventTable, auditPersonalTable } from '../../../../db/schema/index.ts';
import { canonicalJson, envelopeHash, newSalt, personalHash, plainJson, type V1Fields, v1Hash } from './audit-hash.ts';

export interface AuditEventInput {
  /** Tenant whose chain gets the event; null for the platform chain. */
  tenantId: string | null;
  actorId: string | null;
  type: string;
  subjectId?: string | null;
  /** What happened, without personal data (it stays in the chain forever). */
  data: Record<string, unknown>;
  /** Personal details (free-text reasons, names, e-mail addresses): erasable, committed to by hash only. */
  personal?: Record<string, unknown>;
  at?: Date;
}

/** Where the event landed. */
export interface AppendedAuditEvent {
  chain: string;
  seq: number;
  hash: string;
}

/** The position could not be taken after several attempts; the caller's transaction should roll back. */
export class AuditSequenceConflictError extends Error {
  constructor(chain: string, options?: ErrorOptions) {
    super(`Audit-Protokoll „${chain || 'Plattform'}“: Position konnte wegen gleichzeitiger Einträge nicht vergeben werden.`, options);
    this.name = 'AuditSequenceConflictError';
  }
}

type Tx = Pick<Db, 'select' | 'insert'>;

/**
 * Keys that must never be hashed into the permanent envelope. Callers should pass them in `personal`; if one still
 * arrives in `data` it is moved to the personal part here (safety net for callers outside this module).
 */
export const PERSONAL_DATA_KEYS: readonly string[] = ['reason', 'name', 'displayName', 'email', 'userId', 'comment', 'note'];

/** Attempts at taking a position before giving up. */
const MAX_ATTEMPTS = 5;

/** Keeps the old name working for callers of the format-1 rule. */
export function auditHash(prevHash: string, e: V1Fields): string {
  return v1Hash(prevHash, e);
}

/** True when `e` (or a cause) is the unique index of chain positions refusing a duplicate. */
export function isSequenceConflict(e: unknown): boolean {
  for (let err = e as { message?: unknown; cause?: unknown } | undefined, depth = 0; err && depth < 5; depth++) {
    if (/UNIQUE constraint failed: audit_events\.chain, audit_events\.chain_seq/.test(String(err.message ?? ''))) return true;
    err = err.cause as typeof err;
  }
  return false;
}

/** Splits the input into the envelope's data and the personal part (null when there is nothing personal). */
export function splitPersonal(input: AuditEventInput): { data: Record<string, unknown>; personal: Record<string, unknown> | null } {
  const data: Record<string, unknown> = {};
  const moved: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(plainJson(input.data ?? {}))) {
    if (PERSONAL_DATA_KEYS.includes(k)) moved[k] = v;
    else data[k] = v;
  }
  const personal = plainJson({ ...moved, ...input.personal, actorId: input.actorId ?? null, subjectId: input.subjectId ?? null });
  const empty = Object.values(personal).every((v) => v === null);
  return { data, personal: empty ? null : personal };
}

/** Reads the head of a chain: last position and hash (0 and "" for an empty chain). */
export async function chainHead(tx: Tx, chain: string): Promise<{ seq: number; hash: string }> {
  const last = await tx
    .select({ seq: auditEventTable.chainSeq, hash: auditEventTable.hash })
    .from(auditEventTable)
    .where(eq(auditEventTable.chain, chain))
    .orderBy(desc(auditEventTable.chainSeq))
    .limit(1);
  return { seq: last[0]?.seq ?? 0, hash: last[0]?.hash ?? '' };
}

/**
 * Appends one format-2 entry in the caller's transaction and returns its position. The first format-2 entry of a
 * chain links to the last format-1 hash, so old and new segment form one chain.
 */
export async function appendAuditEvent(tx: Tx, input: AuditEventInput): Promise<AppendedAuditEvent> {
  const at = input.at ?? new Date();
  const chain = input.tenantId ?? '';
  const { data, personal } = splitPersonal(input);
  const dataJson = canonicalJson(data);
  const personalJson = personal ? canonicalJson(personal) : null;
  const salt = personal ? newSalt() : null;
  const pHash = salt && personalJson ? personalHash(salt, personalJson) : null;
  for (let attempt = 1; ; attempt++) {
    const head = await chainHead(tx, chain);
    const seq = head.seq + 1;
    const hash = envelopeHash({ v: 2, chain, seq, at: at.toISOString(), type: input.type, data, prevHash: head.hash, personalHash: pHash });
    let rowSeq: number;
    try {
      const inserted = await tx
        .insert(auditEventTable)
        .values({
          tenantId: input.tenantId,
          at,
          actorId: null,
          type: input.type,
          subjectId: null,
          // stored as the canonical text itself, so verification hashes it without re-serialising
          data: sql`${dataJson}`,
          prevHash: head.hash,
          hash,
          format: 2,
          chain,
          chainSeq: seq,
          personalHash: pHash,
        })
        .returning({ seq: auditEventTable.seq });
      rowSeq = inserted[0]?.seq as number;
    } catch (e) {
      if (!isSequenceConflict(e)) throw e;
      if (attempt >= MAX_ATTEMPTS) throw new AuditSequenceConflictError(chain, { cause: e });
      continue;
    }
    if (personal && salt && personalJson) {
      const personId = (personal.subjectId ?? personal.actorId ?? null) as string | null;
      await tx.insert(auditPersonalTable).values({ seq: rowSeq, chain, personId, salt, data: sql`${personalJson}` });
    }
    return { chain, seq, hash };
  }
}
