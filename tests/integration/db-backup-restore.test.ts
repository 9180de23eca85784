/**
 * `kiko db backup` and `kiko db restore` as an operator runs them: real CLI processes on real database files.
 * The refusal while a server runs starts the built server (dist/); without it that part is skipped with a message.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startKiko } from '../../bench/lib/server.ts';
import { type DbHandle, openDb } from '../../db/client.ts';
import { appendAuditEvent } from '../../src/lib/server/audit/append-audit-event.ts';
import { configureCertificateIssuing } from '../../src/lib/server/certificates/certificate-hook.ts';
import { loadContent } from '../../src/lib/server/content/load-content.ts';
import { systemContext } from '../../src/lib/server/context.ts';
import { completeCourseWithAnswerKey } from '../../src/lib/server/demo/seed-demo-learning.ts';
import { prepareDatabase } from '../../src/lib/server/evidence/prepare-database.ts';
import { appendFact } from '../../src/lib/server/evidence/record.ts';
import { getStatusAsOf } from '../../src/lib/server/evidence/status-as-of.ts';
import { serverPidFile } from '../../src/lib/server/operations/server-pid-file.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';

const built = existsSync(join(process.cwd(), 'dist', 'server', 'entry.mjs'));
if (!built) console.warn('db-backup-restore: Server-Teil übersprungen, dist/ fehlt (erst `npx astro build` ausführen).');

const dir = mkdtempSync(join(tmpdir(), 'kiko-backup-'));
const dbPath = join(dir, 'kiko.db');
const env = { DATABASE_URL: `file:${dbPath}`, KIKO_KEY_DIR: join(dir, 'keys') };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `kiko` command in a child process without blocking this one (writes may go on meanwhile). */
function kiko(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/kiko.mjs', ...args], {
      env: { ...process.env, NODE_ENV: 'test', KIKO_DEMO: 'false', ...env, ...extraEnv },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

async function scalar(file: string, sql: string): Promise<number> {
  const c = createClient({ url: `file:${file}` });
  try {
    return Number((await c.execute(sql)).rows[0]?.[0]);
  } finally {
    c.close();
  }
}

let handle: DbHandle;
let tenant: { id: string; slug: string };
let learnerId = '';
const content = loadContent({ root: process.cwd() });

beforeAll(async () => {
  configureCertificateIssuing({ keyDir: env.KIKO_KEY_DIR });
  handle = await openDb({ url: env.DATABASE_URL });
  await prepareDatabase(handle.db);
  tenant = await makeTenant(handle.db, 'sicherung');
  const learner = await makeUser(handle.db, { tenant: tenant.slug, name: 'Lena Lernende' });
  learnerId = learner.id;
  await completeCourseWithAnswerKey(handle.db, learner, content, 'ki-kompetenz-basis', new Date('2026-10-01T08:00:00Z'));
}, 60_000);

/** One transaction with a learning fact and an audit event, as the verbs write them. */
async function writeOne(db: DbHandle['db'], i: number): Promise<void> {
  await db.transaction(async (tx) => {
    await appendFact(tx, {
      tenantId: tenant.id,
      type: 'lesson.started',
      userId: learnerId,
      subject: 'prompting',
      ref: `lauf-${i}`,
      effectiveAt: new Date(),
      actorId: learnerId,
    });
    await appendAuditEvent(tx, { tenantId: tenant.id, actorId: learnerId, type: 'backup.test', data: { i } });
  });
}

describe('kiko db backup', () => {
  test('writes a consistent copy while writes go on, and says its size and newest entry', async () => {
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        await writeOne(handle.db, written++);
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    await new Promise((r) => setTimeout(r, 100));
    const r = await kiko(['db', 'backup', join(dir, 'waehrend.db')]);
    await new Promise((r) => setTimeout(r, 100));
    writing = false;
    await writer;
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Sicherung geschrieben: .*waehrend\.db \(\d{1,3}(\.\d{3})*(,\d)? (KB|MB)\)/);
    expect(r.stdout).toMatch(/Neuester Eintrag im Lernnachweis: \d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}:\d{2} Uhr/);
    const backup = join(dir, 'waehrend.db');
    expect(readdirSync(dir).filter((f) => f.includes('unvollstaendig'))).toEqual([]);
    const check = createClient({ url: `file:${backup}` });
    expect((await check.execute('PRAGMA integrity_check')).rows[0]?.[0]).toBe('ok');
    check.close();
    // a snapshot: each transaction is in it with both its fact and its audit event, or not at all
    const facts = await scalar(backup, "SELECT count(*) FROM learning_events WHERE type = 'lesson.started' AND ref LIKE 'lauf-%'");
    const events = await scalar(backup, "SELECT count(*) FROM audit_events WHERE type = 'backup.test'");
    expect(facts).toBe(events);
    expect(facts).toBeGreaterThan(0);
    expect(facts).toBeLessThan(written);
    // its audit chain verifies on its own
    const copy = join(dir, 'pruefkopie.db');
    copyFileSync(backup, copy);
    const verified = await kiko(['audit', 'verify', '--tenant', 'sicherung'], { DATABASE_URL: `file:${copy}` });
    expect(verified.stdout).toContain('IN ORDNUNG');
  }, 60_000);

  test('refuses to overwrite an existing file unless --force (exit 1), and a wrong call exits 2', async () => {
    const target = join(dir, 'vorhanden.db');
    writeFileSync(target, 'nicht überschreiben');
    const refused = await kiko(['db', 'backup', target]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('gibt es schon. Zum Überschreiben --force angeben.');
    expect(readFileSync(target, 'utf8')).toBe('nicht überschreiben');
    const forced = await kiko(['db', 'backup', target, '--force']);
    expect(forced.status).toBe(0);
    expect(await scalar(target, 'SELECT count(*) FROM tenants')).toBeGreaterThan(0);
    expect((await kiko(['db', 'backup'])).status).toBe(2);
    expect((await kiko(['db', 'backup', target, '--gibtsnicht'])).status).toBe(2);
    const remote = await kiko(['db', 'backup', target], { DATABASE_URL: 'libsql://db.example' });
    expect(remote.status).toBe(2);
    expect(remote.stderr).toContain('nur für eine eingebettete Datenbank');
  }, 60_000);
});

describe('kiko db restore', () => {
  const backup = join(dir, 'stand.db');
  let before: number;

  test('restores the backup, says what is lost, keeps the replaced database, and evidence and audit chain verify', async () => {
    // the backup's own entry in the platform chain is written after the copy: the restore loses it too
    const auditBefore = await scalar(dbPath, 'SELECT count(*) FROM audit_events');
    expect((await kiko(['db', 'backup', backup])).status).toBe(0);
    expect(await scalar(dbPath, "SELECT count(*) FROM audit_events WHERE type = 'database.backed-up'")).toBe(
      (await scalar(backup, "SELECT count(*) FROM audit_events WHERE type = 'database.backed-up'")) + 1,
    );
    before = await scalar(dbPath, 'SELECT count(*) FROM learning_events');
    // recorded after the backup: lost by the restore (a completed course with its certificate among them)
    for (let i = 0; i < 3; i++) await writeOne(handle.db, 1000 + i);
    const later = await makeUser(handle.db, { tenant: tenant.slug, name: 'Leo Später' });
    await completeCourseWithAnswerKey(handle.db, later, content, 'ki-kompetenz-basis', new Date());
    const lostFacts = (await scalar(dbPath, 'SELECT count(*) FROM learning_events')) - before;
    const lostAudit = (await scalar(dbPath, 'SELECT count(*) FROM audit_events')) - auditBefore;
    expect(lostFacts).toBeGreaterThan(3);
    handle.close();

    const r = await kiko(['db', 'restore', backup, '--operator', 'IT-Betrieb Meyer']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Verloren geht alles, was nach dem neuesten Eintrag der Sicherung');
    expect(r.stdout).toContain(`${lostFacts} Einträge im Lernnachweis und ${lostAudit} Einträge im Audit-Protokoll`);
    expect(r.stdout).toContain('Darunter 1 ausgestelltes Zertifikat: Die Prüfseite kennt sie danach nicht mehr');
    expect(r.stdout).toMatch(/Wiederhergestellt aus der Sicherung vom \d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}:\d{2} Uhr/);
    const kept = readdirSync(dir).filter((f) => /^kiko\.db\.vor-wiederherstellung-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z$/.test(f));
    expect(kept).toHaveLength(1);
    expect(await scalar(join(dir, kept[0] as string), 'SELECT count(*) FROM learning_events')).toBe(before + lostFacts);
    expect(readdirSync(dir).filter((f) => f.includes('wiederherstellung-') && !f.startsWith('kiko.db.vor-'))).toEqual([]);

    handle = await openDb({ url: env.DATABASE_URL });
    expect(await scalar(dbPath, 'SELECT count(*) FROM learning_events')).toBe(before);
    // the evidence of the backup is there: the course stays completed
    const ctx = systemContext(handle.db, content, { tenantId: tenant.id });
    for (const opts of [{}, { asOf: new Date() }]) {
      const status = await getStatusAsOf(ctx, { ...opts, userIds: [learnerId] });
      expect(status.people[0]?.courses.find((c) => c.courseId === 'ki-kompetenz-basis')?.state).toBe('completed');
    }
    // the gap is visible in the chain, which verifies
    const restored = await handle.client.execute({
      sql: "SELECT data FROM audit_events WHERE chain = ? AND type = 'database.restored'",
      args: [tenant.id],
    });
    expect(restored.rows).toHaveLength(1);
    expect(JSON.parse(String(restored.rows[0]?.data))).toMatchObject({
      backupFile: 'stand.db',
      lostLearningFacts: lostFacts,
      // the district's chain: without the backup's own entry, which is the platform chain's
      lostAuditEntries: lostAudit - 1,
    });
    const personal = await handle.client.execute({
      sql: "SELECT p.data FROM audit_personal p JOIN audit_events e ON e.seq = p.seq WHERE e.type = 'database.restored' AND e.chain = ?",
      args: [tenant.id],
    });
    expect(String(personal.rows[0]?.data)).toContain('operator:IT-Betrieb Meyer');
    const verified = await kiko(['audit', 'verify', '--tenant', 'sicherung']);
    expect(verified.status).toBe(0);
    expect(verified.stdout).toContain('IN ORDNUNG');
    expect((await kiko(['audit', 'verify', '--platform'])).status).toBe(0);
  }, 60_000);

  test('refuses a damaged backup, a file that is no KIKO database and a newer schema, replacing nothing (exit 1)', async () => {
    handle.close();
    const damaged = join(dir, 'beschaedigt.db');
    copyFileSync(backup, damaged);
    // overwrite pages in the middle of the file (the header stays valid, so SQLite opens it)
    const fd = openSync(damaged, 'r+');
    writeSync(fd, Buffer.alloc(16 * 4096, 0x5a), 0, 16 * 4096, 8 * 4096);
    const text = join(dir, 'notiz.db');
    writeFileSync(text, 'Das ist keine Datenbank.\n'.repeat(300));
    const other = join(dir, 'fremd.db');
    const c = createClient({ url: `file:${other}` });
    await c.execute('CREATE TABLE notizen (text TEXT)');
    c.close();
    // a backup from a newer KIKO: one migration more than this version knows
    const newer = join(dir, 'neuer.db');
    copyFileSync(backup, newer);
    const n = createClient({ url: `file:${newer}` });
    await n.execute("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('aus-der-zukunft', 4102444800000)");
    n.close();
    const hash = sha(dbPath);
    // -wal/-shm files come and go with connections (SQLite removes them when the last one to a file is released,
    // which for the kept copy read by the test before may happen at any moment): they are not files a refused
    // restore may have written
    const listing = (): string[] =>
      readdirSync(dir)
        .filter((f) => !f.endsWith('-wal') && !f.endsWith('-shm'))
        .sort();
    const files = listing();
    for (const [file, reason] of [
      [newer, /passt nicht zu dieser KIKO-Version/],
      [damaged, /beschädigt|keine lesbare SQLite-Datenbank/],
      [text, /keine lesbare SQLite-Datenbank/],
      [other, /keine KIKO-Datenbank \(Tabelle/],
    ] as const) {
      const r = await kiko(['db', 'restore', file]);
      expect(r.status, file).toBe(1);
      expect(r.stderr, file).toMatch(reason);
      expect(r.stderr, file).toContain('Die Datenbank wurde nicht verändert.');
    }
    expect(sha(dbPath)).toBe(hash);
    expect(listing()).toEqual(files);
    handle = await openDb({ url: env.DATABASE_URL });
  }, 60_000);

  test('exits 2 for a wrong call: no file, a missing file, an unusable operator name', async () => {
    const none = await kiko(['db', 'restore']);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('Bitte genau eine Sicherungsdatei angeben');
    const missing = await kiko(['db', 'restore', join(dir, 'gibt-es-nicht.db')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('gibt es nicht');
    expect((await kiko(['db', 'restore', backup, '--operator', '<script>'])).status).toBe(2);
  }, 60_000);

  test('ignores a stale pid file whose process is gone', async () => {
    handle.close();
    const gone = spawn(process.execPath, ['-e', '']);
    const pid = gone.pid as number;
    await new Promise((r) => gone.on('exit', r));
    writeFileSync(serverPidFile(dbPath), JSON.stringify({ pid, startedAt: new Date().toISOString() }));
    const r = await kiko(['db', 'restore', backup]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    rmSync(serverPidFile(dbPath), { force: true });
    handle = await openDb({ url: env.DATABASE_URL });
  }, 60_000);

  describe.skipIf(!built)('while a server runs', () => {
    test('refuses (exit 1) while `kiko serve` runs on the database, and works once it has stopped', async () => {
      handle.close();
      const server = await startKiko({ root: process.cwd(), dbUrl: env.DATABASE_URL, keyDir: env.KIKO_KEY_DIR });
      try {
        expect(existsSync(serverPidFile(dbPath))).toBe(true);
        // the running server copies its log back into the file (db/wal-checkpoints.ts), so the file's bytes may change;
        // a restore would put another file in its place and keep the replaced one beside it
        const file = statSync(dbPath).ino;
        const listing = (): string[] =>
          readdirSync(dirname(dbPath))
            .filter((f) => !f.endsWith('-wal') && !f.endsWith('-shm'))
            .sort();
        const files = listing();
        const r = await kiko(['db', 'restore', backup]);
        expect(r.status).toBe(1);
        expect(r.stderr).toContain(`Verweigert: Auf der Datenbank ${dbPath} läuft ein KIKO-Server (Prozess ${server.pid}`);
        expect(statSync(dbPath).ino).toBe(file);
        expect(listing()).toEqual(files);
        expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
        // a backup is what works while it runs
        expect((await kiko(['db', 'backup', join(dir, 'laufend.db')])).status).toBe(0);
      } finally {
        await server.stop();
      }
      expect(existsSync(serverPidFile(dbPath))).toBe(false);
      expect((await kiko(['db', 'restore', join(dir, 'laufend.db')])).status).toBe(0);
      handle = await openDb({ url: env.DATABASE_URL });
    }, 90_000);
  });

  afterAll(() => handle.close());
});
