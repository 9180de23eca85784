import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { auditKeyRing, PLATFORM_KEY_DIR } from '../../src/lib/server/audit/audit-chain-ref.ts';
import { trustedKeysOf } from '../../src/lib/server/audit/audit-checkpoint.ts';
import { erasePersonalAudit } from '../../src/lib/server/audit/erase-personal-audit.ts';
import { exportAuditLog } from '../../src/lib/server/audit/export-audit-log.ts';
import { verifyAuditExport } from '../../src/lib/server/audit/verify-audit-export.ts';
import { writeCheckpoint } from '../../src/lib/server/audit/write-checkpoint.ts';
import type { KeyRing } from '../../src/lib/server/certificates/signing-keys.ts';
import { appendMany, testRing } from '../setup/audit.ts';
import { makeTenant } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

let t: TestDb;
let ring: KeyRing;
let file: string;
let lines: string[];
let tenant: { id: string; slug: string };

beforeAll(async () => {
  t = await createTestDb();
  tenant = await makeTenant(t.db);
  ring = testRing(t, tenant.slug);
  await appendMany(t.db, tenant.id, 10);
  await writeCheckpoint(t.db, tenant.slug, ring); // an older checkpoint, exported too
  await appendMany(t.db, tenant.id, 2);
  await t.db.transaction((tx) => erasePersonalAudit(tx, { chain: tenant.id, personId: 'p-2', actorId: 'dsb' }));
  file = join(t.dir, 'export.jsonl');
  const r = await exportAuditLog(t.db, tenant.slug, file, { ring });
  expect(r).toMatchObject({ entries: 13, checkpoint: { seq: 13 } });
  lines = readFileSync(file, 'utf8').trimEnd().split('\n');
});
afterAll(() => t.cleanup());

/** Index of the line of entry `seq` (header, then checkpoints, then entries). */
const entryLine = (seq: number): number => lines.findIndex((l) => l.includes(`"seq":${seq},`) && l.startsWith('{"t":"entry"'));

async function verifyTampered(change: (ls: string[]) => string[], opts = {}) {
  const tampered = join(t.dir, `tampered-${Math.random().toString(36).slice(2)}.jsonl`);
  writeFileSync(tampered, `${change([...lines]).join('\n')}\n`);
  return verifyAuditExport(tampered, opts);
}

describe('exportAuditLog + verifyAuditExport', () => {
  test('returns ok for an untouched export, checked without the database', async () => {
    const header = JSON.parse(lines[0] as string);
    expect(header).toMatchObject({ t: 'header', kind: 'kiko-audit-export', version: 1, chain: tenant.id, tenant: { slug: tenant.slug } });
    expect(header.publicKeys[0].keyId).toMatch(/^did:key:z6Mk.+#z6Mk/);
    expect(lines.filter((l) => l.startsWith('{"t":"checkpoint"'))).toHaveLength(2);
    // erased parts travel as null, the rest with their data
    expect(lines.filter((l) => l.includes('"data":null,"erasedBy":13'))).toHaveLength(6);
    const r = await verifyAuditExport(file, { trustedKeys: trustedKeysOf(ring) });
    expect(r).toMatchObject({ ok: true, entries: 13, lastSeq: 13, checkpoints: 2, firstBroken: null });
    expect(readdirSync(t.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('returns the edited entry when an envelope in the file is changed', async () => {
    const r = await verifyTampered((ls) => {
      const i = entryLine(4);
      ls[i] = (ls[i] as string).replace('"score":3', '"score":6');
      return ls;
    });
    expect(r.firstBroken).toMatchObject({ seq: 4, reason: expect.stringContaining('verändert') });
  });

  test('returns the edited entry when a personal part in the file is changed', async () => {
    const r = await verifyTampered((ls) => {
      const i = entryLine(1);
      ls[i] = (ls[i] as string).replace('"actorId":"p-1"', '"actorId":"p-3"');
      return ls;
    });
    expect(r.firstBroken).toMatchObject({ seq: 1, reason: expect.stringContaining('persönlichen Angaben') });
  });

  test('returns the gap when an entry line is deleted', async () => {
    const r = await verifyTampered((ls) => ls.filter((_, i) => i !== entryLine(5)));
    expect(r.firstBroken).toMatchObject({ seq: 5, reason: expect.stringContaining('fehlt') });
  });

  test('returns the inserted entry when a line is added', async () => {
    const r = await verifyTampered((ls) => {
      ls.splice(entryLine(6) + 1, 0, ls[entryLine(3)] as string);
      return ls;
    });
    expect(r.firstBroken).toMatchObject({ seq: 3, reason: expect.stringContaining('falscher Stelle') });
  });

  test('returns the first moved entry when two lines are swapped', async () => {
    const r = await verifyTampered((ls) => {
      const a = entryLine(7);
      const b = entryLine(8);
      [ls[a], ls[b]] = [ls[b] as string, ls[a] as string];
      return ls;
    });
    expect(r.firstBroken?.seq).toBe(7);
  });

  test('returns the missing tail when the last entries are cut off', async () => {
    const r = await verifyTampered((ls) => ls.slice(0, entryLine(12)));
    expect(r.firstBroken).toMatchObject({ seq: 12, reason: expect.stringContaining('verkürzt') });
  });

  test('returns broken when the checkpoints are removed as well', async () => {
    const r = await verifyTampered((ls) => ls.filter((l) => !l.startsWith('{"t":"checkpoint"')));
    expect(r.firstBroken?.reason).toContain('keinen Kontrollpunkt');
  });

  test('returns the checkpoint when its signed statement in the file is changed', async () => {
    const r = await verifyTampered((ls) => ls.map((l) => (l.startsWith('{"t":"checkpoint"') ? l.replace('"seq":13', '"seq":12') : l)));
    expect(r.firstBroken?.reason).toContain('Signatur ungültig');
  });

  test('returns an untrusted checkpoint when the header and signatures are replaced by another key', async () => {
    const intruder = testRing(t, 'intruder');
    const forged = join(t.dir, 'forged.jsonl');
    await exportAuditLog(t.db, tenant.slug, forged, { ring: intruder });
    const r = await verifyAuditExport(forged, { trustedKeys: trustedKeysOf(ring) });
    expect(r.firstBroken?.reason).toContain('unbekannten Schlüssel');
  });

  test('returns the rewritten entry when it differs from a checkpoint kept outside', async () => {
    const kept = await writeCheckpoint(t.db, tenant.slug, ring);
    const r = await verifyTampered((ls) => ls.filter((l) => !l.startsWith('{"t":"checkpoint"')).slice(0, entryLine(13) - 2), {
      checkpoint: kept,
    });
    expect(r.firstBroken?.reason).toContain('verkürzt');
  });

  test('returns ok for the platform chain, signed with the platform key ring', async () => {
    await appendMany(t.db, null, 3);
    const keyDir = join(t.dir, 'keydir');
    expect(auditKeyRing(keyDir, { chain: '', tenant: null }, { create: false })).toBeNull();
    const platformRing = auditKeyRing(keyDir, { chain: '', tenant: null }, { create: true }) as KeyRing;
    expect(platformRing.dir).toBe(join(keyDir, PLATFORM_KEY_DIR));
    const out = join(t.dir, 'platform.jsonl');
    expect(await exportAuditLog(t.db, '', out, { ring: platformRing })).toMatchObject({ entries: 3, checkpoint: { chain: '', seq: 3 } });
    expect(await verifyAuditExport(out, { trustedKeys: trustedKeysOf(platformRing) })).toMatchObject({ ok: true, entries: 3 });
  });
});
