import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import canonicalize from 'canonicalize';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDb } from '../../db/client.ts';
import { auditEventTable, auditPersonalTable } from '../../db/schema/index.ts';
import { appendAuditEvent, isSequenceConflict } from '../../src/lib/server/audit/append-audit-event.ts';
import { type AuditCheckpoint, trustedKeysOf } from '../../src/lib/server/audit/audit-checkpoint.ts';
import { erasedSeqsHash, v1Hash } from '../../src/lib/server/audit/audit-hash.ts';
import { erasePersonalAudit } from '../../src/lib/server/audit/erase-personal-audit.ts';
import { verifyAuditChain } from '../../src/lib/server/audit/verify-audit-chain.ts';
import { writeCheckpoint } from '../../src/lib/server/audit/write-checkpoint.ts';
import { appendMany, dropAuditTriggers, testRing } from '../setup/audit.ts';
import { makeTenant } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.cleanup());

const rowsOf = (chain: string) =>
  t.db.select().from(auditEventTable).where(eq(auditEventTable.chain, chain)).orderBy(asc(auditEventTable.chainSeq));

describe('appendAuditEvent (format 2)', () => {
  test('returns an intact chain per tenant even when tenants interleave', async () => {
    const a = await makeTenant(t.db);
    const b = await makeTenant(t.db);
    for (let i = 0; i < 5; i++)
      await Promise.all([
        t.db.transaction((tx) => appendAuditEvent(tx, { tenantId: a.id, actorId: 'x', type: 'lesson.completed', data: { i } })),
        t.db.transaction((tx) => appendAuditEvent(tx, { tenantId: b.id, actorId: 'y', type: 'lesson.completed', data: { i } })),
      ]);
    expect(await verifyAuditChain(t.db, a.id)).toMatchObject({ entries: 5, ok: true, firstBroken: null });
    expect(await verifyAuditChain(t.db, b.id)).toMatchObject({ entries: 5, ok: true, firstBroken: null });
    expect((await rowsOf(a.id)).map((r) => r.chainSeq)).toEqual([1, 2, 3, 4, 5]);
  });

  test('keeps people out of the envelope: actor, subject and reasons go to the salted personal part', async () => {
    const a = await makeTenant(t.db);
    await t.db.transaction((tx) =>
      appendAuditEvent(tx, {
        tenantId: a.id,
        actorId: 'admin-1',
        subjectId: 'learner-1',
        type: 'certificate.revoked',
        data: { certificateId: 'C1', reason: 'Name falsch geschrieben', email: 'a@b.example' },
      }),
    );
    const [row] = await rowsOf(a.id);
    expect(row).toMatchObject({ format: 2, chainSeq: 1, actorId: null, subjectId: null, data: { certificateId: 'C1' } });
    const [part] = await t.db
      .select()
      .from(auditPersonalTable)
      .where(eq(auditPersonalTable.seq, row?.seq as number));
    expect(part).toMatchObject({
      personId: 'learner-1',
      data: { actorId: 'admin-1', subjectId: 'learner-1', reason: 'Name falsch geschrieben', email: 'a@b.example' },
    });
    // independent recomputation with the RFC 8785 package and the documented rules
    const salted = createHash('sha256')
      .update(Buffer.from(part?.salt as string, 'hex'))
      .update(canonicalize(part?.data) as string)
      .digest('hex');
    expect(row?.personalHash).toBe(salted);
    const envelope = {
      v: 2,
      chain: a.id,
      seq: 1,
      at: row?.at.toISOString(),
      type: 'certificate.revoked',
      data: row?.data,
      prevHash: '',
      personalHash: salted,
    };
    expect(row?.hash).toBe(
      createHash('sha256')
        .update(canonicalize(envelope) as string)
        .digest('hex'),
    );
  });

  test('returns consecutive positions when one transaction appends several events at once', async () => {
    const a = await makeTenant(t.db);
    const landed = await t.db.transaction((tx) =>
      Promise.all([1, 2, 3, 4].map((i) => appendAuditEvent(tx, { tenantId: a.id, actorId: 'x', type: 'lesson.completed', data: { i } }))),
    );
    expect(landed.map((l) => l.seq).sort()).toEqual([1, 2, 3, 4]);
    expect(await verifyAuditChain(t.db, a.id)).toMatchObject({ entries: 4, ok: true });
  });

  test('refuses a second entry at a taken position (the unique index behind the no-fork guarantee)', async () => {
    const a = await makeTenant(t.db);
    await appendMany(t.db, a.id, 1);
    const err = await t.client
      .execute({
        sql: "INSERT INTO audit_events (tenant_id, at, type, data, prev_hash, hash, format, chain, chain_seq) VALUES (?, 0, 'x', '{}', '', 'h', 2, ?, 1)",
        args: [a.id, a.id],
      })
      .catch((e: unknown) => e);
    expect(isSequenceConflict(err)).toBe(true);
  });

  test('lands both writers in order when two connections to one file append at the same time', async () => {
    const a = await makeTenant(t.db);
    const second = await openDb({ url: t.url });
    try {
      const write = (db: typeof t.db, who: string) =>
        Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            db.transaction((tx) => appendAuditEvent(tx, { tenantId: a.id, actorId: who, type: 'x', data: { who, i } })),
          ),
        );
      await Promise.all([write(t.db, 'A'), write(second.db, 'B')]);
    } finally {
      second.close();
    }
    const rows = await rowsOf(a.id);
    expect(rows.map((r) => r.chainSeq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(await verifyAuditChain(t.db, a.id)).toMatchObject({ entries: 40, ok: true });
  });

  test('lands both writers in order when two server processes append to one file at the same time', async () => {
    const a = await makeTenant(t.db);
    const worker = `
      const { openDb } = await import(${JSON.stringify(pathToFileURL(join(process.cwd(), 'db/client.ts')).href)});
      const { appendAuditEvent } = await import(${JSON.stringify(pathToFileURL(join(process.cwd(), 'src/lib/server/audit/append-audit-event.ts')).href)});
      const { db, close } = await openDb({ url: process.env.URL });
      for (let i = 0; i < 25; i++)
        await db.transaction((tx) => appendAuditEvent(tx, { tenantId: process.env.TENANT, actorId: process.env.WHO, type: 'x', data: { who: process.env.WHO, i } }));
      close();`;
    const run = (who: string) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', worker], {
          env: { ...process.env, URL: t.url, TENANT: a.id, WHO: who },
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        child.on('exit', resolve);
      });
    expect(await Promise.all([run('A'), run('B')])).toEqual([0, 0]);
    const rows = await rowsOf(a.id);
    expect(rows.map((r) => r.chainSeq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const byWriter = (w: string) => rows.filter((r) => (r.data as { who: string }).who === w).map((r) => (r.data as { i: number }).i);
    expect(byWriter('A')).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(byWriter('B')).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(await verifyAuditChain(t.db, a.id)).toMatchObject({ entries: 50, ok: true });
  }, 60_000);

  test('refuses to change or delete entries while the triggers are in place', async () => {
    const a = await makeTenant(t.db);
    await appendMany(t.db, a.id, 2);
    await expect(t.client.execute({ sql: "UPDATE audit_events SET type = 'y' WHERE chain = ?", args: [a.id] })).rejects.toThrow(
      /append-only/,
    );
    await expect(t.client.execute({ sql: 'DELETE FROM audit_events WHERE chain = ?', args: [a.id] })).rejects.toThrow(/append-only/);
    await expect(t.client.execute({ sql: "UPDATE audit_personal SET data = '{}' WHERE chain = ?", args: [a.id] })).rejects.toThrow(
      /only be erased/,
    );
  });
});

describe('verifyAuditChain with v1 segment', () => {
  test('returns ok for format-1 entries continued by format 2, the first v2 entry linking to the last v1 hash', async () => {
    const a = await makeTenant(t.db);
    let prev = '';
    for (let i = 1; i <= 3; i++) {
      const e = { tenantId: a.id, at: Date.UTC(2026, 0, i), actorId: 'u', type: 'lesson.completed', subjectId: 'u', data: { i } };
      const hash = v1Hash(prev, e);
      await t.client.execute({
        sql: 'INSERT INTO audit_events (tenant_id, at, actor_id, type, subject_id, data, prev_hash, hash, format, chain, chain_seq) VALUES (?,?,?,?,?,?,?,?,1,?,?)',
        args: [a.id, e.at, e.actorId, e.type, e.subjectId, JSON.stringify(e.data), prev, hash, a.id, i],
      });
      prev = hash;
    }
    const appended = await t.db.transaction((tx) => appendAuditEvent(tx, { tenantId: a.id, actorId: 'u', type: 'x', data: {} }));
    expect(appended.seq).toBe(4);
    const rows = await rowsOf(a.id);
    expect(rows[3]).toMatchObject({ format: 2, prevHash: prev });
    expect(await verifyAuditChain(t.db, a.id)).toMatchObject({ entries: 4, ok: true, firstBroken: null });
    // the v1 segment keeps its own rule: a changed v1 row is found
    await t.client.execute('DROP TRIGGER IF EXISTS audit_events_no_update');
    await t.client.execute({ sql: `UPDATE audit_events SET data = '{"i":9}' WHERE chain = ? AND chain_seq = 2`, args: [a.id] });
    expect((await verifyAuditChain(t.db, a.id)).firstBroken).toMatchObject({ seq: 2, reason: expect.stringContaining('verändert') });
  });
});

describe('tamper detection in the database', () => {
  beforeAll(async () => {
    await dropAuditTriggers(t);
  });

  async function chainOf(n: number): Promise<string> {
    const a = await makeTenant(t.db);
    await appendMany(t.db, a.id, n);
    expect((await verifyAuditChain(t.db, a.id)).ok).toBe(true);
    return a.id;
  }
  const exec = (sql: string, ...args: (string | number | null)[]) => t.client.execute({ sql, args });

  test('returns the edited entry when stored data is changed', async () => {
    const chain = await chainOf(6);
    await exec(`UPDATE audit_events SET data = '{"i":3,"score":6}' WHERE chain = ? AND chain_seq = 4`, chain);
    expect((await verifyAuditChain(t.db, chain)).firstBroken).toMatchObject({ seq: 4, reason: expect.stringContaining('verändert') });
  });

  test('returns the edited entry when a personal part is changed', async () => {
    const chain = await chainOf(6);
    await exec(
      `UPDATE audit_personal SET data = '{"actorId":"p-9","subjectId":"p-9"}' WHERE seq = (SELECT seq FROM audit_events WHERE chain = ? AND chain_seq = 2)`,
      chain,
    );
    expect((await verifyAuditChain(t.db, chain)).firstBroken).toMatchObject({
      seq: 2,
      reason: expect.stringContaining('persönlichen Angaben'),
    });
  });

  test('returns the gap when an entry is deleted', async () => {
    const chain = await chainOf(6);
    await exec('DELETE FROM audit_personal WHERE seq = (SELECT seq FROM audit_events WHERE chain = ? AND chain_seq = 3)', chain);
    await exec('DELETE FROM audit_events WHERE chain = ? AND chain_seq = 3', chain);
    expect((await verifyAuditChain(t.db, chain)).firstBroken).toMatchObject({ seq: 3, reason: expect.stringContaining('fehlt') });
  });

  test('returns the entry after an insertion, even when later positions are renumbered', async () => {
    const chain = await chainOf(5);
    // make room at position 3 (descending, so the unique index never sees a duplicate) and insert a forged entry
    for (let s = 5; s >= 3; s--)
      await exec('UPDATE audit_events SET chain_seq = chain_seq + 1 WHERE chain = ? AND chain_seq = ?', chain, s);
    const [two] = (await rowsOf(chain)).filter((r) => r.chainSeq === 2);
    await t.db.transaction(async (tx) => {
      // a well-formed entry at position 3 that links to entry 2
      await tx.insert(auditEventTable).values({
        ...(two as typeof auditEventTable.$inferInsert),
        seq: undefined,
        chainSeq: 3,
        prevHash: two?.hash as string,
        hash: 'forged',
        personalHash: null,
      });
    });
    const r = await verifyAuditChain(t.db, chain);
    expect(r.ok).toBe(false);
    expect(r.firstBroken?.seq).toBe(3);
  });

  test('returns the first moved entry when two entries swap places', async () => {
    const chain = await chainOf(5);
    await exec('UPDATE audit_events SET chain_seq = -1 WHERE chain = ? AND chain_seq = 2', chain);
    await exec('UPDATE audit_events SET chain_seq = 2 WHERE chain = ? AND chain_seq = 3', chain);
    await exec('UPDATE audit_events SET chain_seq = 3 WHERE chain = ? AND chain_seq = -1', chain);
    expect((await verifyAuditChain(t.db, chain)).firstBroken).toMatchObject({ seq: 2 });
  });

  test('returns the missing tail when the log is cut short after a signed checkpoint', async () => {
    const chain = await chainOf(6);
    const ring = testRing(t, 'truncate');
    await writeCheckpoint(t.db, chain, ring);
    await exec('DELETE FROM audit_personal WHERE seq IN (SELECT seq FROM audit_events WHERE chain = ? AND chain_seq > 4)', chain);
    await exec('DELETE FROM audit_events WHERE chain = ? AND chain_seq > 4', chain);
    const r = await verifyAuditChain(t.db, chain, { trustedKeys: trustedKeysOf(ring) });
    expect(r.firstBroken).toMatchObject({ seq: 5, reason: expect.stringContaining('verkürzt') });
  });

  test('returns the rewritten entry when the tail differs from a checkpoint kept outside the database', async () => {
    const chain = await chainOf(4);
    const ring = testRing(t, 'file');
    const kept: AuditCheckpoint = await writeCheckpoint(t.db, chain, ring);
    await exec('DELETE FROM audit_checkpoints WHERE chain = ?', chain);
    // the attacker rewrites entry 4 consistently (new hash), so only the outside checkpoint can tell
    await exec(`UPDATE audit_events SET hash = 'rewritten' WHERE chain = ? AND chain_seq = 4`, chain);
    const r = await verifyAuditChain(t.db, chain, { checkpoint: kept });
    expect(r.firstBroken?.seq).toBe(4);
    await exec('DELETE FROM audit_personal WHERE seq = (SELECT seq FROM audit_events WHERE chain = ? AND chain_seq = 4)', chain);
    await exec('DELETE FROM audit_events WHERE chain = ? AND chain_seq = 4', chain);
    expect((await verifyAuditChain(t.db, chain, { checkpoint: kept })).firstBroken).toMatchObject({
      seq: 4,
      reason: expect.stringContaining('verkürzt'),
    });
  });

  test('returns the checkpoint when its signature or statement is tampered with', async () => {
    const chain = await chainOf(3);
    const ring = testRing(t, 'sig');
    await writeCheckpoint(t.db, chain, ring);
    expect((await verifyAuditChain(t.db, chain, { trustedKeys: trustedKeysOf(ring) })).ok).toBe(true);
    await exec(`UPDATE audit_checkpoints SET at = at + 1000 WHERE chain = ?`, chain);
    expect((await verifyAuditChain(t.db, chain)).firstBroken?.reason).toContain('Signatur ungültig');
  });

  test('returns an untrusted checkpoint signed by a key outside the ring', async () => {
    const chain = await chainOf(3);
    await writeCheckpoint(t.db, chain, testRing(t, 'intruder'));
    const r = await verifyAuditChain(t.db, chain, { trustedKeys: trustedKeysOf(testRing(t, 'district')) });
    expect(r.firstBroken?.reason).toContain('unbekannten Schlüssel');
  });
});

describe('erasePersonalAudit', () => {
  test('returns an intact chain after erasing a person, with an erasure entry covering every cleared part', async () => {
    const a = await makeTenant(t.db);
    await appendMany(t.db, a.id, 8);
    const r = await t.db.transaction((tx) => erasePersonalAudit(tx, { chain: a.id, personId: 'p-1', actorId: 'dsb-1' }));
    expect(r).toEqual({ seq: 9, erased: 4 });
    const parts = await t.db
      .select({ chainSeq: auditEventTable.chainSeq, data: auditPersonalTable.data, erasedBy: auditPersonalTable.erasedBy })
      .from(auditPersonalTable)
      .innerJoin(auditEventTable, eq(auditEventTable.seq, auditPersonalTable.seq))
      .where(and(eq(auditPersonalTable.chain, a.id), eq(auditPersonalTable.personId, 'p-1')));
    expect(parts.map((p) => p.data)).toEqual([null, null, null, null]);
    expect(parts.every((p) => p.erasedBy === 9)).toBe(true);
    const rows = await rowsOf(a.id);
    expect(rows[8]).toMatchObject({ type: 'person.erased', data: { count: 4, seqsHash: erasedSeqsHash([1, 3, 5, 7]) } });
    expect(JSON.stringify(rows[8])).not.toContain('p-1');
    expect(await verifyAuditChain(t.db, a.id)).toMatchObject({ entries: 9, ok: true });
    // p-2 untouched
    const other = await t.db
      .select()
      .from(auditPersonalTable)
      .where(and(eq(auditPersonalTable.chain, a.id), eq(auditPersonalTable.personId, 'p-2')));
    expect(other.every((p) => p.data !== null)).toBe(true);
  });

  test('returns the part when it was cleared without an erasure entry covering it', async () => {
    const a = await makeTenant(t.db);
    await appendMany(t.db, a.id, 4);
    // allowed by the trigger (erased_by set), but entry 3 is no erasure entry
    await t.client.execute({
      sql: 'UPDATE audit_personal SET data = NULL, erased_by = 3 WHERE seq = (SELECT seq FROM audit_events WHERE chain = ? AND chain_seq = 2)',
      args: [a.id],
    });
    expect((await verifyAuditChain(t.db, a.id)).firstBroken).toMatchObject({ seq: 2, reason: expect.stringContaining('Löschvermerk') });
    await t.client.execute({
      sql: 'UPDATE audit_personal SET data = NULL, erased_by = NULL WHERE seq = (SELECT seq FROM audit_events WHERE chain = ? AND chain_seq = 1)',
      args: [a.id],
    });
    expect((await verifyAuditChain(t.db, a.id)).firstBroken).toMatchObject({
      seq: 1,
      reason: expect.stringContaining('ohne Löschvermerk'),
    });
  });

  test('returns the erasure entry when a part is cleared and claimed by an existing erasure it was not part of', async () => {
    const a = await makeTenant(t.db);
    await appendMany(t.db, a.id, 4);
    const r = await t.db.transaction((tx) => erasePersonalAudit(tx, { chain: a.id, personId: 'p-1', actorId: 'dsb-1' }));
    await t.client.execute({
      sql: 'UPDATE audit_personal SET data = NULL, erased_by = ? WHERE seq = (SELECT seq FROM audit_events WHERE chain = ? AND chain_seq = 2)',
      args: [r.seq, a.id],
    });
    expect((await verifyAuditChain(t.db, a.id)).firstBroken).toMatchObject({ seq: r.seq, reason: expect.stringContaining('Löschvermerk') });
  });
});
