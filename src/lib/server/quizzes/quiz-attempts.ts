/**
 * Quiz attempts of a learner: start (or resume), answer one item with immediate feedback, submit.
 * Every query is scoped to the learner's tenant and user; someone else's attempt is "not found".
 * Responses are stored in the attempt's public ids; the stored layout makes grading reproducible.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { perDatabase } from '../../../../db/per-database.ts';
import { quizAttemptTable, quizResponseTable } from '../../../../db/schema/index.ts';
import type { Quiz, QuizItem } from '../../shared/content-schema.ts';
import type { ItemResponse } from '../../shared/quiz-response.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import type { ContentSet, LoadedQuiz } from '../content/load-content.ts';
import type { Ctx } from '../context.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors/domain-errors.ts';
import { appendFact, appendFacts, type Fact, factInsert } from '../evidence/record.ts';
import { completeCourseIfDone } from '../learning/complete-course.ts';
import { authorizeLearner, type Learner } from '../learning/learner.ts';
import { type AttemptLayout, drawAttempt, seededRandom } from './draw-attempt.ts';
import { type AttemptGrade, gradeAttempt, gradePublicResponse, validatePublicResponse } from './grade-attempt.ts';
import { InvalidResponseError, type ItemGrade } from './grade-item.ts';
import { idTranslation } from './public-item.ts';

export type AttemptRow = typeof quizAttemptTable.$inferSelect;

export function requireCourseQuiz(content: ContentSet, courseId: string): LoadedQuiz {
  const quizId = content.courses.get(courseId)?.course.quiz;
  const quiz = quizId ? content.quizzes.get(quizId) : undefined;
  if (!quiz) throw new NotFoundError('Zu diesem Kurs gibt es kein Quiz.');
  return quiz;
}

export function isExpired(attempt: AttemptRow, now: Date): boolean {
  return attempt.status === 'open' && attempt.expiresAt <= now;
}

/** Whether and when the learner may start a new attempt. */
export async function attemptAllowance(
  db: Pick<Db, 'select'>,
  learner: Learner,
  quiz: Quiz,
  now = new Date(),
): Promise<{ allowed: boolean; reason?: string; used: number }> {
  const rows = await db
    .select({ submittedAt: quizAttemptTable.submittedAt, passed: quizAttemptTable.passed, status: quizAttemptTable.status })
    .from(quizAttemptTable)
    .where(
      and(
        eq(quizAttemptTable.tenantId, learner.tenantId),
        eq(quizAttemptTable.userId, learner.userId),
        eq(quizAttemptTable.quizId, quiz.id),
      ),
    )
    .orderBy(desc(quizAttemptTable.startedAt));
  // every started attempt counts, open or submitted: an open one is resumed rather than a new one started
  const used = rows.length;
  if (quiz.maxAttempts !== undefined && used >= quiz.maxAttempts)
    return {
      allowed: false,
      used,
      reason: `Sie haben alle ${quiz.maxAttempts} Versuche für dieses Quiz genutzt. Bitte wenden Sie sich an Ihre KI-Multiplikator:innen.`,
    };
  const last = rows.find((r) => r.status === 'submitted');
  if (last && !last.passed && last.submittedAt && quiz.retryWaitMinutes > 0) {
    const next = new Date(last.submittedAt.getTime() + quiz.retryWaitMinutes * 60_000);
    if (next > now)
      return {
        allowed: false,
        used,
        reason: `Ein neuer Versuch ist ab ${next.toLocaleTimeString('de-DE', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Berlin' })} Uhr möglich.`,
      };
  }
  return { allowed: true, used };
}

/**
 * Resumes the learner's open attempt or starts a new one within the attempt limit and wait time. The check and the
 * insert run in one write transaction, so parallel starts (several tabs or server processes) cannot exceed the limit.
 */
export async function startAttempt(ctx: Ctx, courseId: string): Promise<AttemptRow> {
  const learner = await authorizeLearner(ctx);
  const loaded = requireCourseQuiz(ctx.content, courseId);
  const now = ctx.clock();
  return ctx.db.transaction(async (tx) => {
    const open = await tx
      .select()
      .from(quizAttemptTable)
      .where(
        and(
          eq(quizAttemptTable.tenantId, learner.tenantId),
          eq(quizAttemptTable.userId, learner.userId),
          eq(quizAttemptTable.quizId, loaded.quiz.id),
          eq(quizAttemptTable.status, 'open'),
        ),
      )
      .orderBy(desc(quizAttemptTable.startedAt))
      .limit(1);
    if (open[0] && !isExpired(open[0], now) && open[0].quizVersion === loaded.version) return open[0];
    const allowance = await attemptAllowance(tx, learner, loaded.quiz, now);
    if (!allowance.allowed) throw new ConflictError(allowance.reason ?? 'Kein weiterer Versuch möglich.');
    const seed = randomBytes(16).toString('hex');
    // items of the learner's last attempt are drawn again only when the pool runs short
    const [previous] = await tx
      .select({ layout: quizAttemptTable.layout })
      .from(quizAttemptTable)
      .where(
        and(
          eq(quizAttemptTable.tenantId, learner.tenantId),
          eq(quizAttemptTable.userId, learner.userId),
          eq(quizAttemptTable.quizId, loaded.quiz.id),
        ),
      )
      .orderBy(desc(quizAttemptTable.startedAt))
      .limit(1);
    const seen = new Set(previous ? (previous.layout as AttemptLayout).itemIds : []);
    const layout = drawAttempt(loaded.quiz, seededRandom(seed), seen);
    const row: AttemptRow = {
      id: randomUUID(),
      tenantId: learner.tenantId,
      userId: learner.userId,
      quizId: loaded.quiz.id,
      courseId,
      quizVersion: loaded.version,
      seed,
      layout,
      status: 'open',
      startedAt: now,
      expiresAt: new Date(now.getTime() + loaded.quiz.timeLimitMinutes * 60_000),
      submittedAt: null,
      score: null,
      maxScore: null,
      passed: null,
      durationMs: null,
    };
    await tx.insert(quizAttemptTable).values(row);
    await appendFact(tx, {
      tenantId: learner.tenantId,
      type: 'quiz.started',
      userId: learner.userId,
      subject: loaded.quiz.id,
      ref: row.id,
      version: loaded.version,
      data: { courseId, itemIds: layout.itemIds },
      effectiveAt: now,
      actorId: learner.userId,
    });
    return row;
  });
}

/** The response-fact of one answer: the authored item id and the authored option ids (item analysis groups by them). */
function responseFact(learner: Learner, attempt: AttemptRow, item: QuizItem, response: ItemResponse, score: number, now: Date): Fact {
  const layout = attempt.layout as AttemptLayout;
  return {
    tenantId: learner.tenantId,
    type: 'quiz.response',
    userId: learner.userId,
    subject: attempt.quizId,
    ref: attempt.id,
    version: attempt.quizVersion,
    data: { itemId: item.id, response: idTranslation(item, layout).toItem(response), score },
    effectiveAt: now,
    actorId: learner.userId,
    idemKey: `response:${attempt.id}:${item.id}`,
  };
}

/** The learner's own attempt by id, as a statement built once per database (or transaction) it runs on. */
const ownAttemptLookup = perDatabase((db: Pick<Db, 'select'>) =>
  db
    .select()
    .from(quizAttemptTable)
    .where(
      and(
        eq(quizAttemptTable.id, sql.placeholder('id')),
        eq(quizAttemptTable.tenantId, sql.placeholder('tenantId')),
        eq(quizAttemptTable.userId, sql.placeholder('userId')),
      ),
    )
    .limit(1)
    .prepare(),
);

/** The attempt if it belongs to the learner; NotFound otherwise (no hint whether the id exists). */
export async function requireOwnAttempt(db: Pick<Db, 'select'>, learner: Learner, attemptId: string): Promise<AttemptRow> {
  const rows = await ownAttemptLookup(db).all({ id: attemptId, tenantId: learner.tenantId, userId: learner.userId });
  if (!rows[0]) throw new NotFoundError('Diesen Quizversuch gibt es nicht.');
  return rows[0];
}

export function quizOfAttempt(content: ContentSet, attempt: AttemptRow): LoadedQuiz {
  const loaded = content.quizzes.get(attempt.quizId);
  if (!loaded || loaded.version !== attempt.quizVersion)
    throw new ConflictError('Das Quiz wurde inzwischen überarbeitet. Bitte starten Sie einen neuen Versuch.');
  return loaded;
}

function itemOf(quiz: Quiz, layout: AttemptLayout, itemId: string): QuizItem {
  const item = layout.itemIds.includes(itemId) ? quiz.items.find((i) => i.id === itemId) : undefined;
  if (!item) throw new ValidationError('Diese Frage gehört nicht zu Ihrem Quizversuch.');
  return item;
}

function checkOpen(attempt: AttemptRow, now: Date): void {
  if (attempt.status === 'submitted') throw new ConflictError('Dieser Quizversuch ist bereits abgegeben. Ihr Ergebnis steht unten.');
  if (isExpired(attempt, now))
    throw new ConflictError('Die Zeit für diesen Quizversuch ist abgelaufen. Bitte starten Sie einen neuen Versuch.');
}

export interface AnswerResult {
  grade: ItemGrade;
  /** Set when this answer was the last one and the attempt got submitted with it. */
  submitted: SubmitResult | null;
}

/**
 * Stores the answer to one item and returns its feedback. The first answer to an item counts; a second
 * (e.g. from another browser tab) is a Conflict. The last answer in "single" mode submits the attempt.
 */
export async function answerItem(
  ctx: Ctx,
  attemptId: string,
  itemId: string,
  response: unknown,
  /** The attempt row if the caller has just loaded it with requireOwnAttempt (saves a query per answer). */
  preloaded?: AttemptRow,
): Promise<AnswerResult> {
  const learner = await authorizeLearner(ctx);
  const { db, content } = ctx;
  const now = ctx.clock();
  const own = preloaded && preloaded.id === attemptId && preloaded.userId === learner.userId && preloaded.tenantId === learner.tenantId;
  const attempt = own ? preloaded : await requireOwnAttempt(db, learner, attemptId);
  checkOpen(attempt, now);
  const loaded = quizOfAttempt(content, attempt);
  const layout = attempt.layout as AttemptLayout;
  const item = itemOf(loaded.quiz, layout, itemId);
  let valid: ItemResponse;
  try {
    valid = validatePublicResponse(item, layout, response);
  } catch (e) {
    if (e instanceof InvalidResponseError)
      throw new ValidationError('Diese Antwort passt nicht zur Frage. Bitte wählen Sie aus den angebotenen Antworten.');
    throw e;
  }
  const grade = gradePublicResponse(item, layout, valid);
  // the response and its fact in one batch: one short write under the lock, no awaits inside it. The insert returns
  // how many answers the attempt has now, its own included (SQLite evaluates a RETURNING subquery after the row is
  // in). A response already stored (second tab, double click) returns no row and leaves both unchanged: its fact has
  // the same idempotency key and was recorded with the first answer.
  const [inserted] = await db.batch([
    db
      .insert(quizResponseTable)
      .values({ attemptId, tenantId: learner.tenantId, itemId, response: valid, score: grade.score, answeredAt: now })
      .onConflictDoNothing()
      .returning({
        itemId: quizResponseTable.itemId,
        answered: sql<number>`(SELECT count(*) FROM ${quizResponseTable} AS "answered" WHERE "answered"."attempt_id" = ${attemptId})`,
      }),
    factInsert(db, [responseFact(learner, attempt, item, valid, grade.score, now)]),
  ]);
  if (inserted.length === 0)
    throw new ConflictError(
      'Diese Frage ist in diesem Versuch schon beantwortet (z. B. in einem anderen Browser-Tab). Es zählt die erste Antwort.',
    );
  const submitted = Number(inserted[0]?.answered ?? 0) >= layout.itemIds.length ? await submitAttempt(ctx, attemptId) : null;
  return { grade, submitted };
}

export interface SubmitResult {
  attempt: AttemptRow;
  grade: AttemptGrade;
  /** The attempt had been submitted before (double submit, second tab): nothing was stored again. */
  alreadySubmitted: boolean;
  courseCompleted: boolean;
}

/**
 * Submits the attempt (idempotent). In "all" mode `responses` (item id → response in public ids) are
 * validated all together first: one invalid answer stores nothing.
 */
export async function submitAttempt(ctx: Ctx, attemptId: string, responses?: Record<string, unknown>): Promise<SubmitResult> {
  const learner = await authorizeLearner(ctx);
  const { db, content } = ctx;
  const now = ctx.clock();
  return db.transaction(async (tx) => {
    const attempt = await requireOwnAttempt(tx, learner, attemptId);
    const loaded = content.quizzes.get(attempt.quizId);
    if (attempt.status === 'submitted' && loaded)
      return { attempt, grade: await storedGrade(tx, loaded.quiz, attempt), alreadySubmitted: true, courseCompleted: false };
    checkOpen(attempt, now);
    const quiz = quizOfAttempt(content, attempt).quiz;
    const layout = attempt.layout as AttemptLayout;
    if (responses) {
      const rows = Object.entries(responses).map(([itemId, response]) => {
        const item = itemOf(quiz, layout, itemId);
        try {
          const valid = validatePublicResponse(item, layout, response);
          const score = gradePublicResponse(item, layout, valid).score;
          return { row: { attemptId, tenantId: learner.tenantId, itemId, response: valid, score, answeredAt: now }, item };
        } catch (e) {
          if (e instanceof InvalidResponseError)
            throw new ValidationError('Eine Antwort passt nicht zu ihrer Frage. Bitte wählen Sie aus den angebotenen Antworten.');
          throw e;
        }
      });
      if (rows.length > 0) {
        const stored = await tx
          .insert(quizResponseTable)
          .values(rows.map((r) => r.row))
          .onConflictDoNothing()
          .returning({ itemId: quizResponseTable.itemId });
        const fresh = new Set(stored.map((r) => r.itemId));
        await appendFacts(
          tx,
          rows.filter((r) => fresh.has(r.row.itemId)).map((r) => responseFact(learner, attempt, r.item, r.row.response, r.row.score, now)),
        );
      }
    }
    const grade = await storedGrade(tx, quiz, attempt);
    const updated = await tx
      .update(quizAttemptTable)
      .set({
        status: 'submitted',
        submittedAt: now,
        score: grade.score,
        maxScore: grade.max,
        passed: grade.passed,
        durationMs: now.getTime() - attempt.startedAt.getTime(),
      })
      .where(and(eq(quizAttemptTable.id, attemptId), eq(quizAttemptTable.status, 'open')))
      .returning();
    const row = updated[0] as AttemptRow;
    await appendFact(tx, {
      tenantId: learner.tenantId,
      type: 'quiz.submitted',
      userId: learner.userId,
      subject: quiz.id,
      ref: attemptId,
      version: attempt.quizVersion,
      data: { courseId: attempt.courseId, score: grade.score, max: grade.max, passed: grade.passed },
      effectiveAt: now,
      actorId: learner.userId,
      idemKey: `submit:${attemptId}`,
    });
    await appendAuditEvent(tx, {
      tenantId: learner.tenantId,
      actorId: learner.userId,
      type: 'quiz.submitted',
      subjectId: learner.userId,
      data: { attemptId, quizId: quiz.id, quizVersion: attempt.quizVersion, score: grade.score, max: grade.max, passed: grade.passed },
      at: now,
    });
    const courseCompleted = grade.passed ? await completeCourseIfDone(tx, learner, attempt.courseId, content, now) : false;
    return { attempt: row, grade, alreadySubmitted: false, courseCompleted };
  });
}

async function storedGrade(tx: Pick<Db, 'select'>, quiz: Quiz, attempt: AttemptRow): Promise<AttemptGrade> {
  const rows = await tx
    .select()
    .from(quizResponseTable)
    .where(eq(quizResponseTable.attemptId, attempt.id))
    .orderBy(asc(quizResponseTable.answeredAt));
  return gradeAttempt(quiz, attempt.layout as AttemptLayout, Object.fromEntries(rows.map((r) => [r.itemId, r.response as ItemResponse])));
}

/** Stored responses of an attempt (public ids) with their grades, for re-showing feedback. */
export async function attemptResponses(
  db: Db,
  learner: Learner,
  content: ContentSet,
  attempt: AttemptRow,
): Promise<Map<string, { response: ItemResponse; grade: ItemGrade }>> {
  const loaded = content.quizzes.get(attempt.quizId);
  if (!loaded || attempt.tenantId !== learner.tenantId || attempt.userId !== learner.userId) return new Map();
  const rows = await db.select().from(quizResponseTable).where(eq(quizResponseTable.attemptId, attempt.id));
  const layout = attempt.layout as AttemptLayout;
  const result = new Map<string, { response: ItemResponse; grade: ItemGrade }>();
  for (const r of rows) {
    const item = loaded.quiz.items.find((i) => i.id === r.itemId);
    if (item) result.set(r.itemId, { response: r.response as ItemResponse, grade: gradePublicResponse(item, layout, r.response) });
  }
  return result;
}

/** Whether the signed-in learner may start an attempt at `quiz` now (quiz start page). */
export async function getQuizAllowance(ctx: Ctx, quiz: Quiz): Promise<{ allowed: boolean; reason?: string; used: number }> {
  const learner = await authorizeLearner(ctx);
  return attemptAllowance(ctx.db, learner, quiz, ctx.clock());
}
