import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { auditEventTable } from '../../db/schema/index.ts';
import { appendAuditEvent } from '../../src/lib/server/audit/append-audit-event.ts';
import { verifyAuditChain } from '../../src/lib/server/audit/verify-audit-chain.ts';
import { makeTenant } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.cleanup());

describe('verifyAuditChain', () => {
  test('returns an intact chain per tenant even when tenants interleave', async () => {
    const a = await makeTenant(t.db);
    const b = await makeTenant(t.db);
    for (let i = 0; i < 5; i++)
      await Promise.all([
        t.db.transaction((tx) => appendAuditEvent(tx, { tenantId: a.id, actorId: 'x', type: 'lesson.completed', data: { i } })),
        t.db.transaction((tx) => appendAuditEvent(tx, { tenantId: b.id, actorId: 'y', type: 'lesson.completed', data: { i } })),
      ]);
    expect(await verifyAuditChain(t.db, a.id)).toEqual({ events: 5, brokenAt: null });
    expect(await verifyAuditChain(t.db, b.id)).toEqual({ events: 5, brokenAt: null });
  });

  test('returns the first altered event when a stored event is changed afterwards', async () => {
    const a = await makeTenant(t.db);
    for (let i = 0; i < 4; i++)
      await t.db.transaction((tx) => appendAuditEvent(tx, { tenantId: a.id, actorId: 'x', type: 'quiz.submitted', data: { score: i } }));
    const rows = await t.db.select().from(auditEventTable).where(eq(auditEventTable.tenantId, a.id));
    const third = rows[2];
    await t.db
      .update(auditEventTable)
      .set({ data: sql`json('{"score":10}')` })
      .where(eq(auditEventTable.seq, third?.seq as number));
    expect((await verifyAuditChain(t.db, a.id)).brokenAt).toBe(third?.seq);
  });
});
