/** `kiko users import`: exit codes, German messages, dry run, apply, re-apply without change. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { auditEventTable, userTable } from '../../db/schema/index.ts';
import { auditEventsAbout, makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

let t: TestDb;
let slug: string;
beforeAll(async () => {
  t = await createTestDb();
  const tenant = await makeTenant(t.db);
  slug = tenant.slug;
  await makeUser(t.db, { tenant: slug, roles: ['admin'] });
});
afterAll(() => t.cleanup());

function kiko(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/kiko.mjs', 'users', ...args], {
    env: { ...process.env, DATABASE_URL: t.url, KIKO_KEY_DIR: join(t.dir, 'keys'), NODE_ENV: 'test' },
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('kiko users import', () => {
  test('dry run changes nothing, apply imports as the named operator, the same file again changes nothing', async () => {
    const path = join(t.dir, 'personal.csv');
    writeFileSync(
      path,
      iconv.encode('Personalnummer;Vorname;Nachname;E-Mail;Abteilung\r\n7;Björn;Käßler;bjoern@lk.example;A\r\n', 'win1252'),
    );
    const dry = kiko('import', '--tenant', slug, path, '--dry-run');
    expect(dry.stderr).toBe('');
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain('Zeichensatz Windows-1252');
    expect(dry.stdout).toContain('Neu: 1');
    expect(dry.stdout).toContain('Probelauf: Es wurde nichts geändert.');
    expect(await t.db.select().from(userTable).where(eq(userTable.email, 'bjoern@lk.example'))).toEqual([]);

    const applied = kiko('import', '--tenant', slug, path, '--operator', 'Personalamt Schulz');
    expect(applied.status).toBe(0);
    expect(applied.stdout).toContain('Übernommen: 1 neu, 0 geändert, 0 deaktiviert, 0 unverändert.');
    const [row] = await t.db.select().from(userTable).where(eq(userTable.email, 'bjoern@lk.example'));
    expect(row?.name).toBe('Björn Käßler');
    const events = await auditEventsAbout(t.db, row?.id as string);
    expect(events.map((e) => e.type)).toContain('user.created');
    const summary = await t.db.select().from(auditEventTable).where(eq(auditEventTable.type, 'users.imported'));
    expect(summary).toHaveLength(1);

    const again = kiko('import', '--tenant', slug, path);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('keine Änderungen');
  });

  test('exit 1 with line numbers and German reasons for errors in the file; nothing applied', async () => {
    const path = join(t.dir, 'fehler.csv');
    writeFileSync(path, 'E-Mail,Name,Org unit\nfehler@lk.example,Fritz Fehler,Amt 99\n,Ohne Mail,A\n');
    const r = kiko('import', '--tenant', slug, path);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Zeile 2: Die Organisationseinheit „Amt 99“ gibt es in KIKO nicht');
    expect(r.stderr).toContain('Zeile 3: E-Mail-Adresse fehlt.');
    expect(r.stderr).toContain('Es wurde nichts übernommen.');
    expect(await t.db.select().from(userTable).where(eq(userTable.email, 'fehler@lk.example'))).toEqual([]);
  });

  test('exit 2 for a wrong call or an unreadable file, 1 for an unknown district', () => {
    expect(kiko('import', '--tenant', slug).status).toBe(2);
    const missing = kiko('import', '--tenant', slug, join(t.dir, 'gibt-es-nicht.csv'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('lässt sich nicht lesen');
    const path = join(t.dir, 'x.csv');
    writeFileSync(path, 'E-Mail;Name\na@lk.example;A B\n');
    const unknown = kiko('import', '--tenant', 'kein-landkreis', path);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('Einen Landkreis „kein-landkreis“ gibt es nicht.');
  });
});
