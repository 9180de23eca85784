import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { appendMany, dropAuditTriggers } from '../setup/audit.ts';
import { makeTenant } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

let t: TestDb;
let slug: string;
let tenantId: string;
beforeAll(async () => {
  t = await createTestDb();
  const tenant = await makeTenant(t.db);
  slug = tenant.slug;
  tenantId = tenant.id;
  await appendMany(t.db, tenant.id, 6);
});
afterAll(() => t.cleanup());

/** Runs the real `kiko audit` command in a child process. */
function kiko(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/kiko.mjs', 'audit', ...args], {
    env: { ...process.env, DATABASE_URL: t.url, KIKO_KEY_DIR: join(t.dir, 'keys'), NODE_ENV: 'test' },
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('kiko audit', () => {
  test('exits 0 for an intact chain, its checkpoint and its export', () => {
    const cpFile = join(t.dir, 'cp.json');
    expect(kiko('checkpoint', '--tenant', slug, '--out', cpFile).status).toBe(0);
    expect(JSON.parse(readFileSync(cpFile, 'utf8'))).toMatchObject({ chain: tenantId, seq: 6 });
    const verified = kiko('verify', '--tenant', slug, '--checkpoint', cpFile);
    expect(verified.stdout).toContain('IN ORDNUNG');
    expect(verified.stdout).toContain('6 Einträge geprüft');
    expect(verified.status).toBe(0);
    const exported = kiko('export', '--tenant', slug, '--out', join(t.dir, 'export.jsonl'));
    expect(exported.status).toBe(0);
    const offline = kiko('verify', '--file', join(t.dir, 'export.jsonl'));
    expect(offline.stdout).toContain('IN ORDNUNG');
    expect(offline.status).toBe(0);
  });

  test('exits 1 and names the first broken entry in German for a tampered export', () => {
    const lines = readFileSync(join(t.dir, 'export.jsonl'), 'utf8').trimEnd().split('\n');
    const i = lines.findIndex((l) => l.startsWith('{"t":"entry"') && l.includes('"seq":3,'));
    writeFileSync(join(t.dir, 'cut.jsonl'), `${lines.filter((_, j) => j !== i).join('\n')}\n`);
    const r = kiko('verify', '--file', join(t.dir, 'cut.jsonl'));
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('GEBROCHEN');
    expect(r.stdout).toContain('erster fehlerhafter Eintrag 3: Eintrag 3 fehlt');
  });

  test('exits 1 for a chain changed in the database', async () => {
    await dropAuditTriggers(t);
    await t.client.execute({ sql: `UPDATE audit_events SET type = 'x' WHERE chain = ? AND chain_seq = 5`, args: [tenantId] });
    const r = kiko('verify', '--tenant', slug);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('erster fehlerhafter Eintrag 5: Inhalt von Eintrag 5 wurde verändert');
  });

  test('exits 2 for a wrong call', () => {
    expect(kiko('verify').status).toBe(2);
    expect(kiko('verify', '--tenant', 'gibt-es-nicht').status).toBe(2);
  });
});
