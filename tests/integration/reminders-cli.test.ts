/**
 * `kiko reminders send` and `kiko user create --invite` on the demo district, run as real child processes without an
 * SMTP server (mails land in the outbox): exit codes, German messages, dry run, progress, once per key.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'kiko-reminders-cli-'));
const dbUrl = `file:${join(dir, 'cli.db')}`;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kiko(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/kiko.mjs', ...args], {
    env: { ...process.env, DATABASE_URL: dbUrl, NODE_ENV: 'test', KIKO_SMTP_URL: '', KIKO_MAIL_FROM: '' },
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function count(sql: string): Promise<number> {
  const c = createClient({ url: dbUrl });
  try {
    return Number((await c.execute(sql)).rows[0]?.[0] ?? 0);
  } finally {
    c.close();
  }
}

beforeAll(() => {
  expect(kiko(['demo', 'seed']).status).toBe(0);
}, 120_000);

describe('kiko reminders send', () => {
  test('refuses an unknown status (exit 2) and an unknown district (exit 1) in German', () => {
    const bad = kiko(['reminders', 'send', '--tenant', 'musterstadt', '--status', 'vergessen']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('Unbekannter Status vergessen; erlaubt sind not-started, overdue, refresher-due.');
    const nobody = kiko(['reminders', 'send', '--tenant', 'gibt-es-nicht']);
    expect(nobody.status).toBe(1);
    expect(nobody.stderr).toContain('Einen Landkreis „gibt-es-nicht“ gibt es nicht.');
    expect(kiko(['reminders', 'send']).status).toBe(2);
    const badTemplate = kiko(['reminders', 'send', '--tenant', 'musterstadt', '--status', 'not-started', '--template', 'fremd']);
    expect(badTemplate.status).toBe(1);
    expect(badTemplate.stderr).toContain('Diese Vorlage gibt es nicht („fremd“)');
  });

  test('a dry run shows who would be reminded and sends nothing', async () => {
    // Beispielhausen's two people are past their due date: nobody has not started yet
    expect(kiko(['reminders', 'send', '--tenant', 'beispielhausen', '--status', 'not-started']).stdout).toContain(
      'Niemand mit Status not-started',
    );
    // the demo's history already holds mails (session invitations, reminders of the multiplier); a dry run adds none
    const mailsBefore = await count('SELECT count(*) FROM mail_messages');
    const logBefore = await count('SELECT count(*) FROM reminder_log');
    const r = kiko(['reminders', 'send', '--tenant', 'musterstadt', '--status', 'overdue', '--dry-run']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const would = /Probelauf: (\d+) von \d+ Personen würden erinnert/.exec(r.stdout);
    expect(Number(would?.[1])).toBeGreaterThan(0);
    expect(r.stdout).toContain('Es wurde nichts versendet.');
    expect(await count('SELECT count(*) FROM mail_messages')).toBe(mailsBefore);
    expect(await count('SELECT count(*) FROM reminder_log')).toBe(logBefore);
  });

  test('sends with progress, to the outbox without SMTP, and a rerun with the same key sends nothing', async () => {
    const reminderMails = "SELECT count(*) FROM mail_messages WHERE template = 'reminder'";
    const storedBefore = await count(`${reminderMails} AND status = 'stored'`);
    const mailsBefore = await count(reminderMails);
    const r = kiko([
      'reminders',
      'send',
      '--tenant',
      'musterstadt',
      '--status',
      'not-started,overdue',
      '--operator',
      'Personalamt',
      '--key',
      'lauf-2026-12-03',
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Erinnerungen: \d+ von \d+ bearbeitet/);
    const queued = Number(/(\d+) Erinnerungen in den Versand gegeben/.exec(r.stdout)?.[1]);
    expect(queued).toBeGreaterThan(0);
    expect(await count(`${reminderMails} AND status = 'stored'`)).toBe(storedBefore + queued);
    expect(await count("SELECT count(*) FROM reminder_log WHERE sent_by = 'operator:Personalamt'")).toBe(queued);
    const again = kiko(['reminders', 'send', '--tenant', 'musterstadt', '--status', 'not-started,overdue', '--key', 'lauf-2026-12-03']);
    expect(again.stdout).toContain('0 Erinnerungen in den Versand gegeben');
    // another key: everyone is in the cool-down
    const other = kiko(['reminders', 'send', '--tenant', 'musterstadt', '--status', 'not-started,overdue']);
    expect(other.stdout).toMatch(new RegExp(`0 Erinnerungen in den Versand gegeben; ${queued} in der Sperrfrist`));
    expect(await count(reminderMails)).toBe(mailsBefore + queued);
  });
});

describe('kiko user create --invite', () => {
  test('creates the account and queues the invitation', async () => {
    const r = kiko([
      'user',
      'create',
      '--tenant',
      'musterstadt',
      '--email',
      'Ina.Neu@musterstadt.example',
      '--name',
      'Ina Neu',
      '--invite',
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Einladung per E-Mail in den Versand gegeben');
    expect(
      await count("SELECT count(*) FROM mail_messages WHERE template = 'invitation' AND to_address = 'ina.neu@musterstadt.example'"),
    ).toBe(1);
    expect(kiko(['user', 'create', '--email', 'x@y.example', '--name', 'X', '--invite']).status).toBe(2);
  });
});
