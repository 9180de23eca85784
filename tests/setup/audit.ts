/** Helpers for the audit chain tests: fill a chain, drop the append-only triggers to tamper like an attacker. */
import { join } from 'node:path';
import type { Db } from '../../db/client.ts';
import { appendAuditEvent } from '../../src/lib/server/audit/append-audit-event.ts';
import type { KeyRing } from '../../src/lib/server/certificates/signing-keys.ts';
import { loadOrCreateKeyRing } from '../../src/lib/server/certificates/signing-keys.ts';
import type { TestDb } from './test-db.ts';

/** Appends `n` events to the tenant's chain, alternating two people, some with a free-text reason. */
export async function appendMany(db: Db, tenantId: string | null, n: number, people: string[] = ['p-1', 'p-2']): Promise<void> {
  for (let i = 0; i < n; i++) {
    const person = people[i % people.length] as string;
    await db.transaction((tx) =>
      appendAuditEvent(tx, {
        tenantId,
        actorId: person,
        subjectId: person,
        type: i % 3 === 0 ? 'quiz.submitted' : 'lesson.completed',
        data: { i, score: i % 7 },
        ...(i % 4 === 0 ? { personal: { reason: `Grund ${i} für ${person}` } } : {}),
        at: new Date(Date.UTC(2026, 10, 1, 8, 0, i)),
      }),
    );
  }
}

/** Drops the triggers that keep the audit tables append-only (tampering as someone with file access could). */
export async function dropAuditTriggers(t: TestDb): Promise<void> {
  for (const name of [
    'audit_events_no_update',
    'audit_events_no_delete',
    'audit_personal_no_delete',
    'audit_personal_erase_only',
    'audit_checkpoints_no_update',
    'audit_checkpoints_no_delete',
  ])
    await t.client.execute(`DROP TRIGGER IF EXISTS ${name}`);
}

/** A key ring for a test chain in the test's folder. */
export function testRing(t: TestDb, name: string): KeyRing {
  return loadOrCreateKeyRing({ dir: join(t.dir, 'keys', name) });
}
