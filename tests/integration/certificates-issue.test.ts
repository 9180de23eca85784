import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { auditEventTable, certificateTable, courseCompletionTable, lessonProgressTable } from '../../db/schema/index.ts';
import { configureCertificateIssuing } from '../../src/lib/server/certificates/certificate-hook.ts';
import { type CertificatePayload, certificatePayloadSchema } from '../../src/lib/server/certificates/certificate-payload.ts';
import { issueEarnedCertificates } from '../../src/lib/server/certificates/issue-earned-certificates.ts';
import { verifyPayload } from '../../src/lib/server/certificates/signing-keys.ts';
import { assertCertificateKeys, getTenantKeyRing, requireTenantKeyRing } from '../../src/lib/server/certificates/tenant-key-ring.ts';
import { type ContentSet, loadContent } from '../../src/lib/server/content/load-content.ts';
import { personContext } from '../../src/lib/server/context.ts';
import { completeCourseWithAnswerKey } from '../../src/lib/server/demo/seed-demo-learning.ts';
import { pathRulesOf } from '../../src/lib/server/evidence/content-archive.ts';
import { addMonths, expiryOf, refresherMonths } from '../../src/lib/server/evidence/course-status.ts';
import { assignPath } from '../../src/lib/server/learning/assign-path.ts';
import { getLearningOverview } from '../../src/lib/server/learning/get-learning-overview.ts';
import { type Learner, learnerOf } from '../../src/lib/server/learning/learner.ts';
import { completeLesson } from '../../src/lib/server/learning/lesson-progress.ts';
import type { AuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

let t: TestDb;
let content: ContentSet;
let keyDir: string;
beforeAll(async () => {
  t = await createTestDb();
  content = loadContent({ root: process.cwd() });
  keyDir = join(t.dir, 'keys');
  configureCertificateIssuing({ keyDir });
});
afterAll(() => t.cleanup());

const COURSE = 'ki-kompetenz-basis';
const at = new Date('2026-10-01T08:00:00.000Z');

type JobRole = 'sachbearbeitung' | 'it-digitalisierung';

/** A learner of a new (or the given) district: the AuthUser the verbs act for, and their Learner view. */
async function learner(
  opts: { tenant?: { id: string; slug: string }; jobRole?: JobRole } = {},
): Promise<Learner & { slug: string; user: AuthUser }> {
  const tenant = opts.tenant ?? (await makeTenant(t.db));
  const user = await makeUser(t.db, { tenant: tenant.slug, name: 'Jörg Weiß-Łukasiewicz', jobRole: opts.jobRole });
  return { ...learnerOf(user), slug: tenant.slug, user };
}

/** The "Auffrischung bis" date "Mein Lernpfad" shows for a course (as of `asOf`). */
async function refresherDueShown(user: AuthUser, courseId: string, asOf: Date): Promise<Date | null | undefined> {
  const overview = await getLearningOverview(personContext(t.db, user, content, () => asOf));
  return overview.courses.find((c) => c.id === courseId)?.refresherDueAt;
}

async function certificatesOf(userId: string): Promise<Array<typeof certificateTable.$inferSelect>> {
  return t.db.select().from(certificateTable).where(eq(certificateTable.userId, userId));
}

describe('configureCertificateIssuing', () => {
  test('returns a signed course certificate committed with the completion when the quiz completes the course', async () => {
    const l = await learner();
    expect(await completeCourseWithAnswerKey(t.db, l.user, content, COURSE, at)).toBe(true);
    const [completion] = await t.db.select().from(courseCompletionTable).where(eq(courseCompletionTable.userId, l.userId));
    const certs = await certificatesOf(l.userId);
    expect(certs).toHaveLength(1);
    const cert = certs[0] as (typeof certs)[number];
    expect(cert).toMatchObject({ tenantId: l.tenantId, kind: 'course', achievementId: COURSE, revokedAt: null, replacesId: null });
    // issued at the completion, valid for the course's refresher interval by the one refresher rule (the person's own
    // path contains the course, so its interval counts): exactly the "Auffrischung bis" date of "Mein Lernpfad"
    expect(cert.issuedAt.getTime()).toBe(completion?.completedAt.getTime());
    const own = content.paths.get('sachbearbeitung');
    if (!own) throw new Error('path sachbearbeitung missing');
    const months = refresherMonths(pathRulesOf(own), COURSE, [...content.paths.values()].map(pathRulesOf));
    expect(months).toBe(own.refresherMonths);
    expect(cert.expiresAt?.getTime()).toBe(expiryOf(completion?.completedAt as Date, months).getTime());
    expect((await refresherDueShown(l.user, COURSE, at))?.getTime()).toBe(cert.expiresAt?.getTime());
    const payload: CertificatePayload = certificatePayloadSchema.parse(JSON.parse(cert.payload));
    expect(payload.holder.name).toBe('Jörg Weiß-Łukasiewicz');
    expect(payload.achievement.courses[0]?.version).toBe(completion?.courseVersion);
    expect(payload.achievement.topics.length).toBeGreaterThan(0);
    const ring = getTenantKeyRing(keyDir, l.slug, { create: false });
    expect(ring && verifyPayload(payload, cert.signature, ring)).toBe(true);
    const events = await t.db
      .select()
      .from(auditEventTable)
      .where(and(eq(auditEventTable.tenantId, l.tenantId), eq(auditEventTable.type, 'certificate.issued')));
    expect(events.map((e) => (e.data as { certificateId: string }).certificateId)).toEqual([cert.id]);
  });

  test("returns a course certificate valid for the person's own path interval, the date the overview shows", async () => {
    // IT/Digitalisierung refreshes every 12 months, a shorter interval than the 24 of other paths requiring the course
    const l = await learner({ jobRole: 'it-digitalisierung' });
    expect(content.paths.get('it-digitalisierung')?.refresherMonths).toBe(12);
    await completeCourseWithAnswerKey(t.db, l.user, content, COURSE, at);
    const [cert] = await certificatesOf(l.userId);
    const [completion] = await t.db.select().from(courseCompletionTable).where(eq(courseCompletionTable.userId, l.userId));
    expect(cert?.expiresAt?.getTime()).toBe(addMonths(completion?.completedAt as Date, 12).getTime());
    expect((await refresherDueShown(l.user, COURSE, at))?.getTime()).toBe(cert?.expiresAt?.getTime());
  });

  test('returns no completion and no certificate when signing fails inside the transaction', async () => {
    const l = await learner();
    const course = content.courses.get('prompting');
    if (!course) throw new Error('course prompting missing');
    const blocker = join(t.dir, 'not-a-directory');
    writeFileSync(blocker, 'x');
    for (const lesson of course.lessons.slice(0, -1))
      await completeLesson(
        personContext(t.db, l.user, content, () => at),
        'prompting',
        lesson.id,
      );
    configureCertificateIssuing({ keyDir: blocker });
    try {
      // prompting has a quiz, so use a course-only content view in which the last lesson completes the course
      const noQuiz: ContentSet = {
        ...content,
        courses: new Map(content.courses).set('prompting', { ...course, course: { ...course.course, quiz: undefined } }),
      };
      const last = course.lessons.at(-1)?.id as string;
      await expect(
        completeLesson(
          personContext(t.db, l.user, noQuiz, () => at),
          'prompting',
          last,
        ),
      ).rejects.toThrow();
      const done = await t.db
        .select()
        .from(lessonProgressTable)
        .where(and(eq(lessonProgressTable.userId, l.userId), eq(lessonProgressTable.lessonId, last)));
      expect(done).toEqual([]);
      expect(await t.db.select().from(courseCompletionTable).where(eq(courseCompletionTable.userId, l.userId))).toEqual([]);
      expect(await certificatesOf(l.userId)).toEqual([]);
    } finally {
      configureCertificateIssuing({ keyDir });
      rmSync(blocker, { force: true });
    }
  });

  test('returns a path certificate when the completion finishes every required course of the path', async () => {
    const tenant = await makeTenant(t.db);
    const admin = await makeUser(t.db, { tenant: tenant.slug, roles: ['admin'] });
    const l = await learner({ tenant });
    await assignPath(personContext(t.db, admin, content), { pathId: 'alle', userId: l.userId });
    const required = content.paths.get('alle')?.required ?? [];
    expect(required.length).toBeGreaterThan(1);
    for (const [i, courseId] of required.entries()) {
      await completeCourseWithAnswerKey(t.db, l.user, content, courseId, new Date(at.getTime() + i * 86_400_000));
      const paths = (await certificatesOf(l.userId)).filter((c) => c.kind === 'path');
      expect(paths).toHaveLength(i === required.length - 1 ? 1 : 0);
    }
    const certs = await certificatesOf(l.userId);
    expect(certs.filter((c) => c.kind === 'course')).toHaveLength(required.length);
    const path = certs.find((c) => c.kind === 'path');
    const payload = certificatePayloadSchema.parse(JSON.parse(path?.payload ?? '{}'));
    expect(payload.achievement.id).toBe('alle');
    expect(payload.achievement.courses.map((c) => c.id)).toEqual(required);
    expect(payload.achievement.minutes).toBe(required.reduce((sum, id) => sum + (content.courses.get(id)?.minutes ?? 0), 0));
    // issued with the last completion, valid until the first course needs its refresher
    const completions = await t.db.select().from(courseCompletionTable).where(eq(courseCompletionTable.userId, l.userId));
    const times = completions.map((c) => c.completedAt.getTime());
    expect(path?.issuedAt.getTime()).toBe(Math.max(...times));
    expect(path?.expiresAt?.getTime()).toBe(addMonths(new Date(Math.min(...times)), 24).getTime());
    // the earliest "Auffrischung bis" of the path's courses on "Mein Lernpfad"
    const overview = await getLearningOverview(personContext(t.db, l.user, content, () => at));
    const shown = overview.courses.filter((c) => required.includes(c.id)).map((c) => c.refresherDueAt?.getTime() ?? Number.NaN);
    expect(path?.expiresAt?.getTime()).toBe(Math.min(...shown));
  });
});

describe('issueEarnedCertificates', () => {
  test('returns nothing new when it runs again for the same completions', async () => {
    const l = await learner();
    await completeCourseWithAnswerKey(t.db, l.user, content, COURSE, at);
    const ring = requireTenantKeyRing(keyDir, l.slug);
    const again = await t.db.transaction((tx) => issueEarnedCertificates(tx, l, content, ring));
    expect(again).toEqual([]);
    expect(await certificatesOf(l.userId)).toHaveLength(1);
  });

  test('returns a certificate for a completion that has none yet (e.g. from before certificates existed)', async () => {
    const l = await learner();
    await t.db.insert(courseCompletionTable).values({
      id: crypto.randomUUID(),
      tenantId: l.tenantId,
      userId: l.userId,
      courseId: COURSE,
      courseVersion: 'v-alt',
      completedAt: at,
    });
    const ring = requireTenantKeyRing(keyDir, l.slug);
    const issued = await t.db.transaction((tx) => issueEarnedCertificates(tx, l, content, ring, { now: at }));
    expect(issued).toHaveLength(1);
    expect(JSON.parse((await certificatesOf(l.userId))[0]?.payload ?? '{}').achievement.courses[0].version).toBe('v-alt');
  });
});

describe('assertCertificateKeys', () => {
  test('returns after creating the key directory when no certificate exists yet', async () => {
    const empty = await createTestDb();
    try {
      const dir = join(empty.dir, 'neu', 'keys');
      await assertCertificateKeys(empty.db, dir);
      await expect(assertCertificateKeys(empty.db, dir)).resolves.toBeUndefined();
    } finally {
      empty.cleanup();
    }
  });

  test('throws a clear German error when the key directory or a key of issued certificates is missing', async () => {
    await expect(assertCertificateKeys(t.db, join(t.dir, 'verloren'))).rejects.toThrow(
      /KIKO_KEY_DIR .* fehlt, es gibt aber bereits (ein ausgestelltes Zertifikat|\d+ ausgestellte Zertifikate)/,
    );
    const moved = mkdtempSync(join(tmpdir(), 'kiko-keys-'));
    try {
      await expect(assertCertificateKeys(t.db, moved)).rejects.toThrow(/Schlüsselbund des Landkreises .* fehlt/);
    } finally {
      rmSync(moved, { recursive: true, force: true });
    }
    await expect(assertCertificateKeys(t.db, keyDir)).resolves.toBeUndefined();
  });
});
