/**
 * What the quiz attempt page shows, decided here rather than in the route: ownership (someone else's attempt is
 * "not found"), whether the quiz changed since the attempt began (stale), the next unanswered item, the feedback
 * to re-show, whether everything is answered, and the result once submitted. Only public view models leave.
 */

import { responseFromForm } from '../../shared/quiz-form.ts';
import type { ItemResponse } from '../../shared/quiz-response.ts';
import type { Ctx } from '../context.ts';
import { NotFoundError, ValidationError } from '../errors/domain-errors.ts';
import { authorizeLearner } from '../learning/learner.ts';
import type { AttemptLayout } from './draw-attempt.ts';
import { type AttemptGrade, gradeAttempt } from './grade-attempt.ts';
import type { ItemGrade } from './grade-item.ts';
import { type PublicItem, toPublicItem } from './public-item.ts';
import { type AttemptRow, attemptResponses, isExpired, requireOwnAttempt } from './quiz-attempts.ts';

export interface AttemptView {
  attempt: AttemptRow;
  quiz: { title: string; mode: 'single' | 'all'; passMark: number; stand: string | null };
  /** The quiz was revised since the attempt began: it cannot be continued. */
  stale: boolean;
  expired: boolean;
  items: PublicItem[];
  responses: Map<string, { response: ItemResponse; grade: ItemGrade }>;
  /** Index of the item whose feedback to show (single mode, after an answer), or -1. */
  feedbackIndex: number;
  /** Index of the next unanswered item, or -1 when all are answered. */
  nextIndex: number;
  result: AttemptGrade | null;
}

export async function getAttemptView(ctx: Ctx, courseId: string, attemptId: string, feedbackItemId: string | null): Promise<AttemptView> {
  const learner = await authorizeLearner(ctx);
  const attempt = await requireOwnAttempt(ctx.db, learner, attemptId);
  const loaded = ctx.content.quizzes.get(attempt.quizId);
  if (!loaded || attempt.courseId !== courseId) throw new NotFoundError('Diesen Quizversuch gibt es nicht.');
  const quiz = loaded.quiz;
  const layout = attempt.layout as AttemptLayout;
  const stale = loaded.version !== attempt.quizVersion;
  const authored = stale ? [] : layout.itemIds.map((id) => quiz.items.find((i) => i.id === id)).filter((i) => i !== undefined);
  const items = authored.map((i) => toPublicItem(i, layout));
  const responses = await attemptResponses(ctx.db, learner, ctx.content, attempt);
  const result =
    attempt.status === 'submitted' && !stale
      ? gradeAttempt(quiz, layout, Object.fromEntries([...responses].map(([k, v]) => [k, v.response])))
      : null;
  return {
    attempt,
    quiz: { title: quiz.title, mode: quiz.mode, passMark: quiz.passMark, stand: quiz.stand ?? null },
    stale,
    expired: isExpired(attempt, ctx.clock()),
    items,
    responses,
    feedbackIndex: items.findIndex((p) => p.id === feedbackItemId && responses.has(p.id)),
    nextIndex: items.findIndex((p) => !responses.has(p.id)),
    result,
  };
}

/** Reads one item's answer from a submitted form (public ids), for `answerItem`. */
export async function answerFromForm(
  ctx: Ctx,
  attemptId: string,
  itemId: string,
  read: (name: string) => string[],
): Promise<{ attempt: AttemptRow; response: ItemResponse }> {
  const learner = await authorizeLearner(ctx);
  const attempt = await requireOwnAttempt(ctx.db, learner, attemptId);
  const loaded = ctx.content.quizzes.get(attempt.quizId);
  const layout = attempt.layout as AttemptLayout;
  const item = loaded?.quiz.items.find((i) => i.id === itemId && layout.itemIds.includes(i.id));
  if (!loaded || loaded.version !== attempt.quizVersion || !item)
    throw new ValidationError('Diese Frage gehört nicht zu Ihrem Quizversuch.');
  const parsed = responseFromForm(toPublicItem(item, layout), read);
  if (!parsed.ok) throw new ValidationError(parsed.message);
  return { attempt, response: parsed.response };
}

/**
 * Reads all answers of an "all on one page" attempt from a form. Throws a Validation error naming the unanswered
 * questions while the attempt is open (nothing is stored then).
 */
export async function allAnswersFromForm(ctx: Ctx, attemptId: string, read: (name: string) => string[]): Promise<Record<string, unknown>> {
  const learner = await authorizeLearner(ctx);
  const attempt = await requireOwnAttempt(ctx.db, learner, attemptId);
  const loaded = ctx.content.quizzes.get(attempt.quizId);
  if (!loaded) throw new NotFoundError('Diesen Quizversuch gibt es nicht.');
  const layout = attempt.layout as AttemptLayout;
  const responses: Record<string, unknown> = {};
  const missing: number[] = [];
  layout.itemIds.forEach((itemId, index) => {
    const item = loaded.quiz.items.find((i) => i.id === itemId);
    if (!item) return;
    const parsed = responseFromForm(toPublicItem(item, layout), read, `f${index + 1}-`);
    if (parsed.ok) responses[itemId] = parsed.response;
    else missing.push(index + 1);
  });
  if (missing.length > 0 && attempt.status === 'open') throw new ValidationError(`Bitte beantworten Sie noch Frage ${missing.join(', ')}.`);
  return responses;
}
