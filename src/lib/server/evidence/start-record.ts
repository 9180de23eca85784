/**
 * Starts the learning record of every district that has none yet. For a district that existed before the record
 * (a database migrated from an earlier KIKO) the current-state tables become facts: a snapshot with each fact's
 * original time as its effective time and the migration as its recording time, so "as recorded by" a date before
 * the migration shows nothing and later figures include the history. Versions those facts name that KIKO never
 * archived are kept as "nicht archiviert". Idempotent: a district with `record_started_at` is left alone.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import {
  certificateTable,
  contentVersionTable,
  courseCompletionTable,
  lessonProgressTable,
  pathAssignmentTable,
  quizAttemptTable,
  quizResponseTable,
  tenantTable,
  userRoleTable,
  userTable,
} from '../../../../db/schema/index.ts';
import type { ItemResponse } from '../../shared/quiz-response.ts';
import type { AttemptLayout } from '../quizzes/draw-attempt.ts';
import { appendFacts, type Fact } from './record.ts';

const BATCH = 500;
const ACTOR = 'system:record-start';

/** Maps a stored response in an attempt's public ids to authored ids using only the attempt's layout. */
export function authoredResponse(itemId: string, layout: AttemptLayout, response: ItemResponse): ItemResponse {
  const order = layout.order[itemId] ?? [];
  const at = (publicId: string): string => order[Number(publicId.slice(1)) - 1] ?? '';
  switch (response.type) {
    case 'single':
    case 'scenario':
      return { ...response, optionId: at(response.optionId) };
    case 'multiple':
      return { ...response, optionIds: response.optionIds.map(at) };
    case 'ordering':
      return { ...response, order: response.order.map(at) };
    case 'matching':
      // left entries keep their authored position (l1 = first pair); right entries become authored pair ids
      return { ...response, pairs: Object.fromEntries(Object.entries(response.pairs).map(([l, r]) => [l, at(r)])) };
    case 'truefalse':
      return response;
  }
}

async function insertInBatches(db: Db, facts: Fact[]): Promise<void> {
  for (let i = 0; i < facts.length; i += BATCH) {
    await db.transaction(async (tx) => appendFacts(tx, facts.slice(i, i + BATCH)));
    await new Promise((r) => setImmediate(r));
  }
}

/** Returns the ids of the districts whose record was started now. */
export async function startRecords(db: Db, now = new Date()): Promise<string[]> {
  const tenants = await db
    .select({ id: tenantTable.id, createdAt: tenantTable.createdAt })
    .from(tenantTable)
    .where(isNull(tenantTable.recordStartedAt));
  const started: string[] = [];
  for (const t of tenants) {
    const base = { tenantId: t.id, recordedAt: now, actorId: ACTOR };
    const facts: Fact[] = [{ ...base, type: 'record.started', effectiveAt: now, data: { snapshot: true } }];
    const users = await db.select().from(userTable).where(eq(userTable.tenantId, t.id));
    const roles = await db.select().from(userRoleTable).where(eq(userRoleTable.tenantId, t.id));
    for (const u of users) {
      facts.push({
        ...base,
        type: 'membership.changed',
        userId: u.id,
        effectiveAt: u.createdAt,
        data: { orgUnitId: u.orgUnitId, jobRole: u.jobRole, status: u.status },
      });
      const grants = roles.filter((r) => r.userId === u.id).map((r) => ({ role: r.role, scopeOrgUnitId: r.scopeOrgUnitId }));
      facts.push({ ...base, type: 'roles.changed', userId: u.id, effectiveAt: u.createdAt, data: { grants } });
    }
    for (const a of await db.select().from(pathAssignmentTable).where(eq(pathAssignmentTable.tenantId, t.id)))
      facts.push({
        ...base,
        type: 'path.assigned',
        userId: a.userId,
        orgUnitId: a.orgUnitId,
        subject: a.pathId,
        ref: a.id,
        effectiveAt: a.createdAt,
        data: { dueAt: a.dueAt?.getTime() ?? null },
      });
    const versions = new Map<string, { kind: 'lesson' | 'quiz' | 'course'; contentId: string; version: string }>();
    const note = (kind: 'lesson' | 'quiz' | 'course', contentId: string, version: string) =>
      versions.set(`${kind}:${contentId}@${version}`, { kind, contentId, version });
    for (const p of await db.select().from(lessonProgressTable).where(eq(lessonProgressTable.tenantId, t.id))) {
      const lesson = { subject: p.courseId, ref: p.lessonId, version: p.lessonVersion, userId: p.userId };
      facts.push({
        ...base,
        ...lesson,
        type: 'lesson.started',
        effectiveAt: p.startedAt,
        idemKey: `lesson-start:${p.userId}:${p.courseId}:${p.lessonId}`,
      });
      if (p.completedAt)
        facts.push({
          ...base,
          ...lesson,
          type: 'lesson.completed',
          how: 'online',
          effectiveAt: p.completedAt,
          idemKey: `lesson:${p.userId}:${p.courseId}:${p.lessonId}:${p.lessonVersion}`,
        });
      note('lesson', `${p.courseId}/${p.lessonId}`, p.lessonVersion);
    }
    const attempts = await db.select().from(quizAttemptTable).where(eq(quizAttemptTable.tenantId, t.id));
    const layouts = new Map(attempts.map((a) => [a.id, a.layout as AttemptLayout]));
    for (const a of attempts) {
      const quiz = { userId: a.userId, subject: a.quizId, ref: a.id, version: a.quizVersion };
      facts.push({
        ...base,
        ...quiz,
        type: 'quiz.started',
        effectiveAt: a.startedAt,
        data: { courseId: a.courseId, itemIds: (a.layout as AttemptLayout).itemIds },
      });
      if (a.status === 'submitted' && a.submittedAt)
        facts.push({
          ...base,
          ...quiz,
          type: 'quiz.submitted',
          effectiveAt: a.submittedAt,
          data: { courseId: a.courseId, score: a.score, max: a.maxScore, passed: a.passed },
          idemKey: `submit:${a.id}`,
        });
      note('quiz', a.quizId, a.quizVersion);
    }
    const byAttempt = new Map(attempts.map((a) => [a.id, a]));
    for (const r of await db.select().from(quizResponseTable).where(eq(quizResponseTable.tenantId, t.id))) {
      const a = byAttempt.get(r.attemptId);
      const layout = layouts.get(r.attemptId);
      if (!a || !layout) continue;
      facts.push({
        ...base,
        type: 'quiz.response',
        userId: a.userId,
        subject: a.quizId,
        ref: a.id,
        version: a.quizVersion,
        effectiveAt: r.answeredAt,
        data: { itemId: r.itemId, response: authoredResponse(r.itemId, layout, r.response as ItemResponse), score: r.score },
        idemKey: `response:${a.id}:${r.itemId}`,
      });
    }
    for (const c of await db.select().from(courseCompletionTable).where(eq(courseCompletionTable.tenantId, t.id))) {
      facts.push({
        ...base,
        type: 'course.completed',
        userId: c.userId,
        subject: c.courseId,
        ref: c.id,
        version: c.courseVersion,
        how: 'online',
        effectiveAt: c.completedAt,
        data: { quizAttemptId: c.quizAttemptId },
        idemKey: `course:${c.userId}:${c.courseId}:${c.completedAt.getTime()}`,
      });
      note('course', c.courseId, c.courseVersion);
    }
    for (const c of await db.select().from(certificateTable).where(eq(certificateTable.tenantId, t.id))) {
      const cert = { userId: c.userId, subject: c.achievementId, ref: c.id };
      facts.push({
        ...base,
        ...cert,
        type: 'certificate.issued',
        effectiveAt: c.issuedAt,
        data: { kind: c.kind, expiresAt: c.expiresAt?.toISOString() ?? null, replacesId: c.replacesId },
      });
      if (c.revokedAt)
        facts.push({ ...base, ...cert, type: 'certificate.revoked', effectiveAt: c.revokedAt, data: { reason: c.revokedReason } });
    }
    await insertInBatches(db, facts);
    // versions named by the snapshot: "nicht archiviert" unless KIKO serves (and so archives) them again
    const rows = [...versions.values()].map((v) => ({ ...v, title: v.contentId, data: {}, archived: false, firstServedAt: new Date(0) }));
    for (let i = 0; i < rows.length; i += BATCH)
      await db
        .insert(contentVersionTable)
        .values(rows.slice(i, i + BATCH))
        .onConflictDoNothing();
    await db
      .update(tenantTable)
      .set({ recordStartedAt: now })
      .where(and(eq(tenantTable.id, t.id), isNull(tenantTable.recordStartedAt)));
    started.push(t.id);
  }
  return started;
}
