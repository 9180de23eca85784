/** `kiko evidence export`: the real command in a child process against a demo database. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDb } from '../../db/client.ts';

const dir = mkdtempSync(join(tmpdir(), 'kiko-evidence-cli-'));
const url = `file:${join(dir, 'cli.db')}`;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kiko(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/kiko.mjs', ...args], {
    env: { ...process.env, DATABASE_URL: url, NODE_ENV: 'test', KIKO_KEY_DIR: join(dir, 'keys') },
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let otherUnit: string;
beforeAll(async () => {
  expect(kiko(['db', 'migrate']).status).toBe(0);
  expect(kiko(['demo', 'seed']).status).toBe(0);
  const { db, close } = await openDb({ url });
  const rows = await db.all<{ id: string }>(
    "SELECT o.id AS id FROM org_units o JOIN tenants t ON t.id = o.tenant_id WHERE t.slug = 'beispielhausen' LIMIT 1",
  );
  otherUnit = rows[0]?.id as string;
  close();
}, 120_000);

describe('kiko evidence export', () => {
  test('writes a CSV for German Excel with its dates and fingerprint and names the operator in the audit log', async () => {
    const out = join(dir, 'nachweis.csv');
    const r = kiko([
      'evidence',
      'export',
      '--tenant',
      'musterstadt',
      '--format',
      'csv-excel',
      '--as-of',
      '30.06.2026',
      '--out',
      out,
      '--operator',
      'Paula P',
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Geschrieben: \d+ Personen/);
    expect(r.stdout).toContain('Stand am 30.06.2026, 23:59 Uhr');
    const fingerprint = /Fingerabdruck: (sha256:[0-9a-f]{64})/.exec(r.stdout)?.[1];
    const rows: string[][] = parse(readFileSync(out), { bom: true, delimiter: ';', relax_column_count: true });
    expect(rows.find((x) => x[0]?.startsWith('Fingerabdruck'))?.[1]).toBe(fingerprint);
    expect(rows.find((x) => x[0] === 'Stand am')?.[1]).toBe('30.06.2026 23:59');
    const { db, close } = await openDb({ url });
    const logged = await db.all<{ actor: string }>(
      "SELECT json_extract(p.data, '$.actorId') AS actor FROM audit_events e JOIN audit_personal p ON p.seq = e.seq WHERE e.type = 'evidence.exported'",
    );
    close();
    expect(logged.map((l) => l.actor)).toContain('operator:Paula P');
  });

  test('refuses an org unit of another district and an unknown one with exit 1 and a German message, writing nothing', () => {
    for (const unit of [otherUnit, 'ausgedacht']) {
      const out = join(dir, `fremd-${unit.slice(0, 6)}.json`);
      const r = kiko(['evidence', 'export', '--tenant', 'musterstadt', '--format', 'json', '--org-unit', unit, '--out', out]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`Die Organisationseinheit „${unit}“ gibt es im Landkreis „musterstadt“ nicht.`);
      expect(existsSync(out)).toBe(false);
    }
    expect(kiko(['evidence', 'export', '--tenant', 'nirgendwo', '--format', 'json', '--out', join(dir, 'n.json')]).status).toBe(1);
  });

  test('a future date or a date before the record is a wrong call (exit 2); an existing file stays as it was', () => {
    const out = join(dir, 'bleibt.csv');
    writeFileSync(out, 'alt');
    const future = kiko(['evidence', 'export', '--tenant', 'musterstadt', '--format', 'csv', '--as-of', '2999-01-01', '--out', out]);
    expect(future.status).toBe(2);
    expect(future.stderr).toContain('liegt in der Zukunft');
    const early = kiko(['evidence', 'export', '--tenant', 'musterstadt', '--format', 'csv', '--as-of', '2001-01-01', '--out', out]);
    expect(early.status).toBe(2);
    expect(early.stderr).toContain('Die Aufzeichnung des Landkreises beginnt am');
    expect(kiko(['evidence', 'export', '--tenant', 'musterstadt', '--format', 'docx', '--out', out]).status).toBe(2);
    expect(
      kiko(['evidence', 'export', '--tenant', 'musterstadt', '--format', 'csv', '--job-role', 'astronaut', '--out', out]).stderr,
    ).toContain('Das Tätigkeitsprofil „astronaut“ gibt es nicht');
    expect(
      kiko(['evidence', 'export', '--tenant', 'musterstadt', '--format', 'csv', '--as-of', '31.02.2026', '--out', out]).stderr,
    ).toContain('Den 31.02.2026 gibt es nicht');
    expect(readFileSync(out, 'utf8')).toBe('alt');
    const missingDir = join(dir, 'gibt-es-nicht', 'x.xlsx');
    expect(kiko(['evidence', 'export', '--tenant', 'musterstadt', '--format', 'xlsx', '--out', missingDir]).status).toBe(1);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('on a terminal, the command (in its batch worker thread) draws its progress bar and still exits with its code', () => {
    // script(1) from util-linux gives the command a pseudo-terminal: the worker thread must learn it has one
    const out = join(dir, 'terminal.json');
    const cmd = `${process.execPath} bin/kiko.mjs evidence export --tenant musterstadt --format json --out ${out}`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], {
      env: { ...process.env, DATABASE_URL: url, NODE_ENV: 'test', KIKO_KEY_DIR: join(dir, 'keys') },
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    // the bar (stderr) ends full before the summary (stdout) begins: both streams keep their order on the terminal
    const bar = r.stdout.lastIndexOf(`Schreibe Nachweis [${'='.repeat(40)}]`);
    expect(bar).toBeGreaterThan(-1);
    expect(r.stdout.indexOf('Geschrieben:')).toBeGreaterThan(bar);
    expect(r.stdout).toMatch(/Geschrieben: \d+ Personen/);
    expect(JSON.parse(readFileSync(out, 'utf8')).selection.schema).toBe('kiko.evidence-export');
    const failed = spawnSync('script', ['-qec', cmd.replace('musterstadt', 'kein-landkreis'), '/dev/null'], {
      env: { ...process.env, DATABASE_URL: url, NODE_ENV: 'test', KIKO_KEY_DIR: join(dir, 'keys') },
      encoding: 'utf8',
    });
    expect(failed.status).toBe(1);
    expect(failed.stdout).toContain('Einen Landkreis „kein-landkreis“ gibt es nicht.');
  });
});
