/**
 * Walks the authorization matrix (tests/security/authz-matrix.ts) against the built server: every route file and every
 * action has an entry, every principal gets the answer the entry names, refused answers carry none of the learner's
 * data, and refused actions change nothing. Needs dist/ (`astro build`); without it the suite is skipped.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type RunningProcess, startKiko } from '../../bench/lib/server.ts';
import { certificateTable, learningEventTable, quizAttemptTable, tenantTable, userRoleTable } from '../../db/schema/index.ts';
import { createSession } from '../../src/lib/server/auth/sessions.ts';
import { configureCertificateIssuing } from '../../src/lib/server/certificates/certificate-hook.ts';
import { assignMultiplier } from '../../src/lib/server/cohorts/cohort-multipliers.ts';
import { createCohort } from '../../src/lib/server/cohorts/create-cohort.ts';
import { loadContent } from '../../src/lib/server/content/load-content.ts';
import { personContext } from '../../src/lib/server/context.ts';
import { completeCourseWithAnswerKey } from '../../src/lib/server/demo/seed-demo-learning.ts';
import { queueEvidenceExport } from '../../src/lib/server/hr/export-jobs.ts';
import { runEvidenceExportJobs } from '../../src/lib/server/hr/run-export-jobs.ts';
import { queueMail } from '../../src/lib/server/mail/queue-mail.ts';
import { startAttempt } from '../../src/lib/server/quizzes/quiz-attempts.ts';
import { createSession as createTrainingSession, inviteToSession } from '../../src/lib/server/sessions/plan-session.ts';
import type { AuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { berlinDateAndTime } from '../../src/lib/shared/dates.ts';
import { actionMatrix, type MatrixIds, type Outcome, type Principal, principals, routeMatrix } from '../security/authz-matrix.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const root = process.cwd();
const built = existsSync(join(root, 'dist', 'server', 'entry.mjs'));
if (!built) console.warn('authz-matrix: übersprungen, dist/ fehlt (erst `npx astro build` ausführen).');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return files(p);
    return /\.(astro|ts)$/.test(name) ? [relative(root, p)] : [];
  });
}

/** Action names as the action modules define them (`name: defineAction(`). */
function actionNames(): string[] {
  return files(join(root, 'src', 'actions')).flatMap((f) =>
    [...readFileSync(join(root, f), 'utf8').matchAll(/^\s+(\w+): defineAction\(/gm)].map((m) => m[1] as string),
  );
}

/** The learner's name: no refused answer may contain it. */
const SECRET_NAME = 'Lena Geheimnisvoll';

describe('authorization matrix: every route and action has a decision', () => {
  test('lists every route file under src/pages', () => {
    const listed = new Set(routeMatrix.map((e) => e.route));
    const missing = files(join(root, 'src', 'pages')).filter((f) => !listed.has(f));
    expect(missing, 'route files without an entry in tests/security/authz-matrix.ts').toEqual([]);
  });
  test('lists every action', () => {
    const listed = new Set(actionMatrix.map((e) => e.action));
    expect(actionNames().filter((a) => !listed.has(a))).toEqual([]);
  });
  test('has no entry for a route that does not exist', () => {
    expect(routeMatrix.filter((e) => !existsSync(join(root, e.route))).map((e) => e.route)).toEqual([]);
  });
});

describe.skipIf(!built)('authorization matrix against the built server', () => {
  let t: TestDb;
  let server: RunningProcess | undefined;
  let base = '';
  const cookies = new Map<Principal, string>();
  let ids: MatrixIds;

  beforeAll(async () => {
    t = await createTestDb();
    const keyDir = join(t.dir, 'keys');
    configureCertificateIssuing({ keyDir });
    const content = loadContent({ root });
    const home = await makeTenant(t.db);
    const other = await makeTenant(t.db);
    const unitA = home.orgUnitIds.get('A');
    const users: Partial<Record<Principal, AuthUser>> = {
      learner: await makeUser(t.db, { tenant: home.slug, name: SECRET_NAME, orgUnitId: unitA }),
      colleague: await makeUser(t.db, { tenant: home.slug, orgUnitId: unitA }),
      multiplier: await makeUser(t.db, { tenant: home.slug, roles: ['multiplier'] }),
      otherMultiplier: await makeUser(t.db, { tenant: home.slug, roles: ['multiplier'] }),
      hr: await makeUser(t.db, { tenant: home.slug, roles: ['hr'] }),
      hrScoped: await makeUser(t.db, { tenant: home.slug, roles: ['hr'] }),
      admin: await makeUser(t.db, { tenant: home.slug, roles: ['admin'] }),
      council: await makeUser(t.db, { tenant: home.slug, roles: ['staff-council'] }),
      operator: await makeUser(t.db, { roles: ['operator'] }),
      otherDistrict: await makeUser(t.db, { tenant: other.slug, roles: ['admin', 'hr'] }),
    };
    await t.db
      .update(userRoleTable)
      .set({ scopeOrgUnitId: home.orgUnitIds.get('B') })
      .where(eq(userRoleTable.userId, users.hrScoped?.id ?? ''));
    const learner = users.learner as AuthUser;
    await completeCourseWithAnswerKey(t.db, learner, content, 'ki-kompetenz-basis', new Date(Date.now() - 7 * 86_400_000));
    const [certificate] = await t.db.select().from(certificateTable).where(eq(certificateTable.userId, learner.id));
    const attempt = await startAttempt(personContext(t.db, learner, content), 'datenschutz');
    // the learner's cohort (org unit A), led by the multiplier; person views on, so its pages name people
    // (HR figures are asked for to the full minute: the record starts a day back, as for any district in use)
    await t.db
      .update(tenantTable)
      .set({ settings: { multiplierPersonViews: true }, recordStartedAt: new Date(Date.now() - 86_400_000) })
      .where(eq(tenantTable.id, home.id));
    await t.db
      .update(tenantTable)
      .set({ recordStartedAt: new Date(Date.now() - 86_400_000) })
      .where(eq(tenantTable.id, other.id));
    const admin = personContext(t.db, users.admin as AuthUser, content);
    const cohort = await createCohort(admin, { name: 'Kohorte Amt A', orgUnits: [{ orgUnitId: unitA ?? '', includeSubunits: true }] });
    await assignMultiplier(admin, { cohortId: cohort.id, email: users.multiplier?.email ?? '' });
    // a session two days ago, the learner invited
    const lead = personContext(t.db, users.multiplier as AuthUser, content);
    const session = await createTrainingSession(lead, {
      cohortId: cohort.id,
      kind: 'workshop',
      topic: 'Matrix-Workshop',
      ...berlinDateAndTime(new Date(Date.now() - 2 * 86_400_000)),
      minutes: 60,
      place: 'Kreishaus',
    });
    await inviteToSession(lead, { sessionId: session.id, userIds: [learner.id] });
    const course = content.courses.get('ki-kompetenz-basis');
    ids = {
      course: 'ki-kompetenz-basis',
      lesson: course?.lessons[0]?.id ?? '',
      attempt: attempt.id,
      attemptCourse: 'datenschutz',
      certificate: certificate?.id ?? '',
      mail: (
        await queueMail(
          t.db,
          {
            tenantId: home.id,
            userId: learner.id,
            to: learner.email,
            template: 'reminder',
            subject: 'Erinnerung',
            text: `Guten Tag ${SECRET_NAME}`,
          },
          { delivery: 'outbox' },
        )
      ).id,
      cohort: cohort.id,
      session: session.id,
      learner: learner.id,
      multiplier: users.multiplier?.id ?? '',
      orgUnitA: unitA ?? '',
      exportJob: (
        await queueEvidenceExport(personContext(t.db, users.hr as AuthUser, content), {
          format: 'csv',
          asOf: new Date(),
          recordedBy: new Date(),
        })
      ).id,
      tenant: home.id,
    };
    await runEvidenceExportJobs(t.db, content, { dir: join(t.dir, 'exports'), holder: 'matrix-fixture', log: () => {} });
    for (const [p, u] of Object.entries(users)) cookies.set(p as Principal, `kiko_session=${(await createSession(t.db, u.id)).token}`);
    server = await startKiko({
      root,
      dbUrl: t.url,
      keyDir,
      env: { KIKO_PUBLIC_URL: 'https://kiko.landkreis.example', KIKO_EXPORT_DIR: join(t.dir, 'exports') },
    });
    base = server.url;
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    t?.cleanup();
  });

  const classify = (status: number, location: string): Outcome | `status ${number}` => {
    if (status === 200) return 'ok';
    if (status >= 300 && status < 400) return location.startsWith('/anmelden') ? 'login' : 'redirect';
    if (status === 403) return 'forbidden';
    if (status === 404) return 'notfound';
    return `status ${status}`;
  };

  for (const entry of routeMatrix.filter((e) => !e.notWalked))
    test(`${entry.route}: each principal gets the decided answer`, async () => {
      const seen: Record<string, string> = {};
      const wanted: Record<string, string> = {};
      for (const p of principals) {
        const cookie = cookies.get(p);
        const res = await fetch(`${base}${entry.url?.(ids)}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
        const body = await res.text();
        const outcome = classify(res.status, res.headers.get('location') ?? '');
        const want = entry.expect?.[p] ?? 'forbidden';
        seen[p] = outcome === 'ok' && want === 'public' ? 'public' : outcome;
        wanted[p] = want;
        // nothing of the learner reaches anyone else, except on the pages the entry names for them
        if (p !== 'learner' && !(seen[p] === 'ok' && entry.seesLearner?.includes(p)))
          expect(body, `${p} on ${entry.route}`).not.toContain(SECRET_NAME);
      }
      expect(seen).toEqual(wanted);
    });

  for (const entry of actionMatrix)
    test(`action ${entry.action}: refused for everyone it is not for, and nothing changes`, async () => {
      const before = await t.client.execute('SELECT (SELECT count(*) FROM learning_events), (SELECT count(*) FROM quiz_attempts)');
      const answers: Record<string, number> = {};
      for (const p of principals.filter((x) => !entry.allowed.includes(x))) {
        const cookie = cookies.get(p);
        const res = await fetch(`${base}/_actions/${entry.action}`, {
          method: 'POST',
          redirect: 'manual',
          headers: { origin: base, ...(cookie ? { cookie } : {}) },
          body: new URLSearchParams(entry.form(ids)),
        });
        const body = await res.text();
        answers[p] = res.status;
        expect(body, `${p} on ${entry.action}`).not.toContain(SECRET_NAME);
      }
      for (const [p, status] of Object.entries(answers)) expect([401, 403, 404], `${p} on ${entry.action}: ${status}`).toContain(status);
      const after = await t.client.execute('SELECT (SELECT count(*) FROM learning_events), (SELECT count(*) FROM quiz_attempts)');
      expect(after.rows[0]).toEqual(before.rows[0]);
    });

  test('the learner’s certificate and attempt are unchanged after the walk', async () => {
    const [c] = await t.db.select().from(certificateTable).where(eq(certificateTable.id, ids.certificate));
    expect(c?.revokedAt ?? null).toBeNull();
    const [a] = await t.db.select().from(quizAttemptTable).where(eq(quizAttemptTable.id, ids.attempt));
    expect(a?.status).toBe('open');
    const facts = await t.db.select().from(learningEventTable).where(eq(learningEventTable.type, 'certificate.revoked'));
    expect(facts).toEqual([]);
  });
});
