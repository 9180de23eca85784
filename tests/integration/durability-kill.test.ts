/**
 * Durability under `kill -9`: the built server is started, several learners answer a quiz as fast as they can, the
 * server is killed (SIGKILL to all its processes, no chance to flush anything) while answers are in flight, and started
 * again on the same database (every second cycle with KIKO_WORKERS=2) — for KIKO_KILL_CYCLES cycles (default 5, about a minute; the acceptance run is KIKO_KILL_CYCLES=20).
 * Afterwards every answer the server acknowledged (HTTP 303) must be in quiz_responses and in the learning record as
 * its `quiz.response` fact, the database must pass SQLite's integrity check and the audit chain must verify.
 * Needs dist/ (`astro build`); without it the suite is skipped with a message.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseQuizForm } from '../../bench/lib/exam-day.ts';
import { createSessions, missingResponses, pickUsers } from '../../bench/lib/fixtures.ts';
import { processTree, type RunningProcess, startKiko } from '../../bench/lib/server.ts';
import { verifyAuditChain } from '../../src/lib/server/audit/verify-audit-chain.ts';
import { hashPassword } from '../../src/lib/server/auth/password.ts';
import { generateTenant } from '../../src/lib/server/demo/generate-district.ts';
import { seededRandom } from '../../src/lib/server/quizzes/draw-attempt.ts';
import { UNUSABLE_PASSWORD_HASH } from '../setup/small-district.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const built = existsSync(join(process.cwd(), 'dist', 'server', 'entry.mjs'));
if (!built) console.warn('durability-kill: übersprungen, dist/ fehlt (erst `npx astro build` ausführen).');

const CYCLES = Math.max(1, Number(process.env.KIKO_KILL_CYCLES ?? 5) || 5);
const LEARNERS = 6;
const COURSE = 'ki-kompetenz-basis';
const PASSWORD = 'dauerlauf-passwort';

/**
 * Learners answering the course quiz without think time until `stop()` or a failed request (the server is gone).
 * `acknowledged` holds every (attempt, item) whose answer POST got its 303.
 */
function quizLoad(baseUrl: string, cookies: readonly string[], logins: readonly string[], seed: string) {
  const origin = new URL(baseUrl).origin;
  const random = seededRandom(seed);
  const acknowledged: Array<[string, string]> = [];
  let loggedIn = 0;
  const errors: string[] = [];
  let stopped = false;
  const request = async (cookie: string, method: 'GET' | 'POST', path: string, body?: string) => {
    const res = await fetch(`${origin}${path}`, {
      method,
      redirect: 'manual',
      headers: method === 'POST' ? { cookie, origin, 'content-type': 'application/x-www-form-urlencoded' } : { cookie },
      body,
      signal: AbortSignal.timeout(20_000),
    });
    return { status: res.status, location: res.headers.get('location'), text: await res.text() };
  };
  const learner = async (cookie: string): Promise<void> => {
    const started = await request(cookie, 'POST', `/kurse/${COURSE}/quiz?_action=startQuiz`, `courseId=${COURSE}`);
    if (started.status !== 303 || !started.location) throw new Error(`startQuiz: HTTP ${started.status}`);
    const attemptPath = new URL(started.location, origin).pathname;
    const attemptId = attemptPath.split('/').pop() as string;
    let page = await request(cookie, 'GET', attemptPath);
    while (!stopped && !page.text.includes('id="ergebnis"')) {
      const form = parseQuizForm(page.text, random);
      if (!form) throw new Error(`Frageformular fehlt: HTTP ${page.status}`);
      const body = new URLSearchParams([['attemptId', attemptId], ['itemId', form.itemId], ...form.fields]).toString();
      const answer = await request(cookie, 'POST', `${attemptPath}?_action=answerQuizItem`, body);
      if (answer.status !== 303) throw new Error(`answerQuizItem: HTTP ${answer.status}`);
      acknowledged.push([attemptId, form.itemId]);
      page = await request(cookie, 'GET', attemptPath);
    }
  };
  // logins write an audit event each (user.login), so the chain is written to when the kill comes
  const login = async (email: string): Promise<void> => {
    while (!stopped) {
      const body = new URLSearchParams({ email, password: PASSWORD }).toString();
      const r = await request('', 'POST', '/anmelden?_action=login', body);
      if (r.status !== 302) throw new Error(`login: HTTP ${r.status}`);
      loggedIn++;
    }
  };
  const failed = (e: Error): void => {
    // after the kill every request fails; before it, a failure is a finding
    if (!stopped) errors.push(e.message);
  };
  const done = Promise.all([...cookies.map((c) => learner(c).catch(failed)), ...logins.map((l) => login(l).catch(failed))]);
  return {
    acknowledged,
    loggedIn: () => loggedIn,
    errors,
    done,
    stop: () => {
      stopped = true;
    },
  };
}

/** SIGKILL to the server and its worker processes at once (as an OOM kill of the container or a power cut would). */
async function killHard(server: RunningProcess): Promise<void> {
  const pids = processTree(server.pid);
  for (const pid of pids) process.kill(pid, 'SIGKILL');
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  while (!server.exited() || pids.slice(1).some(alive)) await new Promise((r) => setTimeout(r, 20));
}

describe.skipIf(!built)(`kill -9 under quiz load (${CYCLES} cycles)`, () => {
  let t: TestDb;
  let tenantId = '';
  const acknowledged: Array<[string, string]> = [];
  const cycleLog: string[] = [];
  let loginsAcknowledged = 0;
  let server: RunningProcess | undefined;

  beforeAll(
    async () => {
      t = await createTestDb();
      await generateTenant(t.client, {
        tenant: 'dauerlauf',
        staff: CYCLES * LEARNERS + 4,
        orgUnits: 3,
        progressRows: 0,
        passwordHash: UNUSABLE_PASSWORD_HASH,
      });
      tenantId = String((await t.client.execute("SELECT id FROM tenants WHERE slug = 'dauerlauf'")).rows[0]?.[0]);
      const users = await pickUsers(t.client, 'dauerlauf', 0, CYCLES * LEARNERS);
      const cookies = await createSessions(t.db, users);
      // two more people log in by password while the learners answer
      const loginUsers = await pickUsers(t.client, 'dauerlauf', CYCLES * LEARNERS, 2);
      const hash = await hashPassword(PASSWORD);
      for (const u of loginUsers) await t.client.execute({ sql: 'UPDATE users SET password_hash = ? WHERE id = ?', args: [hash, u.id] });
      const logins = loginUsers.map((u) => u.email);
      // the test's own connection is closed while the servers run: they are the only writers, as in production
      t.close();
      const random = seededRandom('kill-cycles');
      const keyDir = join(t.dir, 'keys');
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        // every second cycle with two server processes: the kill also ends the primary that grants the write lock
        const workers = cycle % 2 === 1 ? '2' : '1';
        server = await startKiko({ root: process.cwd(), dbUrl: t.url, keyDir, env: { KIKO_WORKERS: workers } });
        const load = quizLoad(server.url, cookies.slice(cycle * LEARNERS, (cycle + 1) * LEARNERS), logins, `zyklus-${cycle}`);
        // kill after a seeded number of acknowledged answers (4–28 of up to 48), so the learners are mid-quiz
        const target = 4 + Math.floor(random() * 25);
        const deadline = Date.now() + 30_000;
        while (load.acknowledged.length < target && load.errors.length === 0 && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 5));
        load.stop();
        await killHard(server);
        await load.done;
        expect(load.errors, `Zyklus ${cycle + 1}`).toEqual([]);
        cycleLog.push(`${load.acknowledged.length}/${load.loggedIn()}${workers === '2' ? ' (2 Prozesse)' : ''}`);
        loginsAcknowledged += load.loggedIn();
        acknowledged.push(...load.acknowledged);
      }
      // a last start: the server comes up on what the killed one left behind
      server = await startKiko({ root: process.cwd(), dbUrl: t.url, keyDir });
      await server.stop();
      console.log(`durability-kill: ${CYCLES} Zyklen, bestätigte Antworten/Anmeldungen je Zyklus vor dem kill -9: ${cycleLog.join(', ')}`);
    },
    60_000 + CYCLES * 40_000,
  );

  afterAll(async () => {
    await server?.stop();
    t?.cleanup();
  });

  test('keeps every acknowledged answer in quiz_responses', async () => {
    const { openDb } = await import('../../db/client.ts');
    const h = await openDb({ url: t.url });
    try {
      expect(acknowledged.length).toBeGreaterThanOrEqual(CYCLES * 4);
      expect(await missingResponses(h.client, acknowledged)).toEqual([]);
    } finally {
      h.close();
    }
  });

  test('keeps the quiz.response fact of every acknowledged answer in the learning record', async () => {
    const { openDb } = await import('../../db/client.ts');
    const h = await openDb({ url: t.url });
    try {
      const r = await h.client.execute({
        sql: "SELECT ref, json_extract(data, '$.itemId') FROM learning_events WHERE tenant_id = ? AND type = 'quiz.response'",
        args: [tenantId],
      });
      const facts = new Set(r.rows.map((row) => `${row[0]} ${row[1]}`));
      expect(acknowledged.filter(([a, i]) => !facts.has(`${a} ${i}`))).toEqual([]);
    } finally {
      h.close();
    }
  });

  test('leaves a database that passes the integrity check and an audit chain that verifies', async () => {
    const { openDb } = await import('../../db/client.ts');
    const h = await openDb({ url: t.url });
    try {
      expect((await h.client.execute('PRAGMA integrity_check')).rows.map((r) => r[0])).toEqual(['ok']);
      const v = await verifyAuditChain(h.db, tenantId);
      expect(v.firstBroken ?? null).toBeNull();
      expect(v.ok).toBe(true);
      const logins = await h.client.execute({
        sql: "SELECT count(*) FROM audit_events WHERE chain = ? AND type = 'user.login'",
        args: [tenantId],
      });
      expect(Number(logins.rows[0]?.[0])).toBeGreaterThanOrEqual(loginsAcknowledged);
      expect(loginsAcknowledged).toBeGreaterThan(0);
      console.log(`durability-kill: Audit-Protokoll mit ${v.entries} Einträgen geprüft`);
    } finally {
      h.close();
    }
  });
});
