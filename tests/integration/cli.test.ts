import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'kiko-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the real `kiko` command with Node 24 in a child process. */
function kiko(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/kiko.mjs', ...args], {
    env: { ...process.env, DATABASE_URL: `file:${join(dir, 'cli.db')}`, NODE_ENV: 'test', ...env },
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('kiko', () => {
  test('migrates, seeds the demo idempotently and creates a user', () => {
    expect(kiko(['db', 'migrate']).status).toBe(0);
    expect(kiko(['demo', 'seed']).stdout).toContain('2 Landkreise, 9 Demo-Konten und');
    expect(kiko(['demo', 'seed']).stdout).toContain('0 Landkreise, 0 Demo-Konten und 0 weitere Beschäftigte neu angelegt');
    const created = kiko([
      'user',
      'create',
      '--tenant',
      'musterstadt',
      '--email',
      'Neu@Musterstadt.example',
      '--name',
      'Nina Neu',
      '--role',
      'learner,hr',
      '--password',
      'ein-langes-passwort',
    ]);
    expect(created.status).toBe(0);
    expect(created.stdout).toContain('neu@musterstadt.example');
  });

  test('erases a person as a named operator, keeping the audit chain verifiable', () => {
    const erased = kiko(['user', 'erase', '--tenant', 'musterstadt', '--email', 'neu@musterstadt.example', '--operator', 'it-betrieb']);
    expect(erased.stderr).toBe('');
    expect(erased.status).toBe(0);
    expect(erased.stdout).toContain('Lernnachweise bleiben pseudonymisiert erhalten');
    expect(kiko(['user', 'erase', '--tenant', 'musterstadt', '--email', 'neu@musterstadt.example']).stderr).toContain(
      'gibt es in diesem Landkreis nicht',
    );
    expect(kiko(['user', 'erase', '--tenant', 'beispielhausen', '--email', 'lena.lernende@musterstadt.example']).status).toBe(1);
    const verified = kiko(['audit', 'verify', '--tenant', 'musterstadt']);
    expect(verified.status).toBe(0);
  });

  test('exits 1 with a German message for a duplicate account and an unknown tenant, 2 for bad input', () => {
    kiko(['db', 'migrate']);
    kiko(['demo', 'seed']);
    const dup = kiko(['user', 'create', '--tenant', 'musterstadt', '--email', 'lena.lernende@musterstadt.example', '--name', 'Lena Zwei']);
    expect(dup.status).toBe(1);
    expect(dup.stderr).toContain('gibt es bereits');
    expect(kiko(['user', 'create', '--tenant', 'gibtsnicht', '--email', 'x@y.example', '--name', 'X Y']).stderr).toContain(
      'Landkreis "gibtsnicht" gibt es nicht',
    );
    expect(kiko(['user', 'create', '--tenant', 'musterstadt', '--email', 'kein-mail', '--name', 'X Y']).status).toBe(2);
    expect(
      kiko(['user', 'create', '--tenant', 'musterstadt', '--email', 'kurz@y.example', '--name', 'X Y', '--password', 'kurz']).stderr,
    ).toContain('mindestens 8 Zeichen');
    expect(kiko(['gibtsnicht']).status).toBe(2);
    expect(kiko([]).stdout).toContain('Aufruf: kiko');
  });

  test('stops with a message naming the variable when the configuration is invalid', () => {
    const r = kiko(['db', 'migrate'], { PORT: 'neunzig' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('PORT');
  });

  test('stops with a clear message when the database cannot be created', () => {
    // a folder that cannot exist: its parent is a regular file
    writeFileSync(join(dir, 'eine-datei'), 'x');
    const r = kiko(['db', 'migrate'], { DATABASE_URL: `file:${join(dir, 'eine-datei', 'kiko.db')}` });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Fehler/);
  });

  test('prints the content volume as JSON for machines', () => {
    const stats = JSON.parse(execFileSync(process.execPath, ['bin/kiko.mjs', 'content', 'stats', '--json'], { encoding: 'utf8' }));
    expect(stats.courses).toBeGreaterThanOrEqual(12);
    expect(stats.paths.length).toBeGreaterThanOrEqual(5);
  });
});
