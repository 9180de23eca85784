/**
 * Writes facts to the learning record (db/schema/evidence.ts). Always inside the caller's transaction, so the fact,
 * its projection rows and its audit entry commit together or not at all. A fact with an idempotency key is written
 * once: a double submit or a retried import returns `false` the second time and the caller skips its projection.
 */
import { and, eq, gte, sql } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { type CompletionWay, coverageMonthTable, type LearningEventType, learningEventTable } from '../../../../db/schema/index.ts';
import { endOfDayBerlin } from '../../shared/dates.ts';

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
type Writer = Pick<Db, 'insert' | 'delete'>;

export interface Fact {
  tenantId: string;
  type: LearningEventType;
  userId?: string | null;
  orgUnitId?: string | null;
  subject?: string | null;
  ref?: string | null;
  version?: string | null;
  how?: CompletionWay | null;
  data?: Record<string, unknown>;
  /** When the fact took effect. */
  effectiveAt: Date;
  /** When it is recorded (default: now, or the effective time if that is later: nothing is recorded before it happens). */
  recordedAt?: Date;
  actorId: string | null;
  idemKey?: string | null;
}

/** Appends one fact; false when a fact with the same idempotency key is already recorded. */
export async function appendFact(tx: Writer, fact: Fact): Promise<boolean> {
  const rows = await appendFacts(tx, [fact]);
  return rows > 0;
}

/** Appends many facts in one statement (seeding, imports, the snapshot); returns how many were new. */
export async function appendFacts(tx: Writer, facts: readonly Fact[]): Promise<number> {
  if (facts.length === 0) return 0;
  const inserted = await factInsert(tx, facts).returning({ seq: learningEventTable.seq });
  if (inserted.length > 0) await forgetStoredMonths(tx, facts);
  return inserted.length;
}

/** The end of the month before `now` (Europe/Berlin): stored month figures exist only up to there. */
function endOfLastMonth(now: Date): Date {
  const [y, m] = now.toISOString().slice(0, 7).split('-').map(Number) as [number, number];
  return endOfDayBerlin(new Date(Date.UTC(y, m - 1, 0)).toISOString().slice(0, 10));
}

/**
 * A fact that took effect in a past month (attendance recorded later, a backdated move) changes the figures of that
 * month and every later one: the stored month figures it reaches (coverage_months, a cache) are dropped and computed
 * again when asked for. Facts of the current month — nearly all — cost nothing here.
 */
async function forgetStoredMonths(tx: Writer, facts: readonly Fact[]): Promise<void> {
  const limit = endOfLastMonth(new Date()).getTime() + 86_400_000;
  const earliest = new Map<string, Date>();
  for (const f of facts)
    if (f.effectiveAt.getTime() < limit && !(earliest.get(f.tenantId) && (earliest.get(f.tenantId) as Date) <= f.effectiveAt))
      earliest.set(f.tenantId, f.effectiveAt);
  for (const [tenantId, from] of earliest)
    await tx.delete(coverageMonthTable).where(and(eq(coverageMonthTable.tenantId, tenantId), gte(coverageMonthTable.monthEnd, from)));
}

/**
 * The insert statement of facts, not yet run: for a caller that writes a fact together with its projection row in
 * one `db.batch` (a single write under the lock, e.g. a quiz answer). Only for facts that take effect now: a backdated
 * fact goes through `appendFacts`, which also drops the stored month figures it changes. A fact whose idempotency key is
 * already recorded is skipped; add `.returning()` to learn which rows are new.
 */
export function factInsert(tx: Writer, facts: readonly Fact[]) {
  const now = new Date();
  return tx
    .insert(learningEventTable)
    .values(
      facts.map((f) => ({
        tenantId: f.tenantId,
        type: f.type,
        userId: f.userId ?? null,
        orgUnitId: f.orgUnitId ?? null,
        subject: f.subject ?? null,
        ref: f.ref ?? null,
        version: f.version ?? null,
        how: f.how ?? null,
        data: f.data ?? {},
        effectiveAt: f.effectiveAt,
        recordedAt: f.recordedAt ?? (f.effectiveAt > now ? f.effectiveAt : now),
        actorId: f.actorId,
        idemKey: f.idemKey ?? null,
      })),
    )
    .onConflictDoNothing();
}

/**
 * Appends many facts of one district as ONE INSERT … SELECT over a JSON parameter (staff imports, closing an org
 * unit): the same rows as appendFacts, without a bound parameter per column. Returns how many were new.
 */
export async function appendFactsBulk(
  tx: Pick<Db, 'run'> & Writer,
  tenantId: string,
  facts: readonly Omit<Fact, 'tenantId'>[],
): Promise<number> {
  if (facts.length === 0) return 0;
  const now = Date.now();
  const rows = facts.map((f) => [
    f.userId ?? null,
    f.orgUnitId ?? null,
    f.type,
    f.subject ?? null,
    f.ref ?? null,
    f.version ?? null,
    f.how ?? null,
    JSON.stringify(f.data ?? {}),
    f.effectiveAt.getTime(),
    (f.recordedAt ?? (f.effectiveAt.getTime() > now ? f.effectiveAt : new Date(now))).getTime(),
    f.actorId,
    f.idemKey ?? null,
  ]);
  const r = await tx.run(sql`INSERT INTO ${learningEventTable}
      (tenant_id, user_id, org_unit_id, type, subject, ref, version, how, data, effective_at, recorded_at, actor_id, idem_key)
    SELECT ${tenantId}, value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, value->>8, value->>9,
           value->>10, value->>11
      FROM json_each(${JSON.stringify(rows)}) WHERE true
    ON CONFLICT DO NOTHING`);
  const inserted = Number((r as { rowsAffected?: number }).rowsAffected ?? 0);
  if (inserted > 0)
    await forgetStoredMonths(
      tx,
      facts.map((f) => ({ ...f, tenantId })),
    );
  return inserted;
}
