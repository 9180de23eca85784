/**
 * Grades a submitted attempt: every drawn item once (1 point each; a missing response scores 0), the total against
 * the quiz's pass mark. Responses use the public ids of `toPublicItem`, and the returned grades do too, so a results
 * page can show them next to the same view models. An invalid response to an item scores 0 (`responseValid: false`);
 * a response for an item that is not part of the attempt rejects the whole submission.
 */
import type { Quiz, QuizItem } from '../../shared/content-schema.ts';
import { type ItemResponse, itemResponseSchema } from '../../shared/quiz-response.ts';
import type { AttemptLayout } from './draw-attempt.ts';
import { gradeItem, InvalidResponseError, type ItemGrade, validateResponse } from './grade-item.ts';
import { idTranslation } from './public-item.ts';

/** Tolerance for float sums, e.g. so that 0.8 passes a pass mark of 0.8 even when it adds up to 0.7999…. */
const EPSILON = 1e-9;

/** The result of an attempt. */
export interface AttemptGrade {
  /** Sum of the item scores, 0…max. */
  score: number;
  /** Number of drawn items. */
  max: number;
  /** score / max in whole percent, rounded down (never shows the pass mark for a failed attempt). */
  percent: number;
  /** score / max >= quiz.passMark (within EPSILON). */
  passed: boolean;
  /** One grade per drawn item, in display order, in public ids. */
  items: ItemGrade[];
}

/**
 * Grades `responses` (item id -> response in public ids) to the attempt `layout` of `quiz`.
 * Throws `InvalidResponseError` for a response to an item id that is not in the layout, and a plain Error if the
 * layout names an item the quiz no longer has or does not fit it (quiz changed since the attempt began).
 */
export function gradeAttempt(quiz: Quiz, layout: AttemptLayout, responses: Record<string, ItemResponse>): AttemptGrade {
  const drawn = new Set(layout.itemIds);
  const stray = Object.keys(responses).find((id) => !drawn.has(id));
  if (stray !== undefined) throw new InvalidResponseError(stray, 'the item is not part of this attempt');
  const byId = new Map(quiz.items.map((item) => [item.id, item]));
  const items = layout.itemIds.map((itemId): ItemGrade => {
    const item = byId.get(itemId);
    if (!item) throw new Error(`attempt layout names quiz item "${itemId}", which quiz "${quiz.id}" does not have`);
    return gradePublicResponse(item, layout, Object.hasOwn(responses, itemId) ? responses[itemId] : undefined);
  });
  const score = items.reduce((sum, grade) => sum + grade.score, 0);
  const max = items.length;
  const ratio = max === 0 ? 0 : score / max;
  return {
    score,
    max,
    percent: Math.floor(ratio * 100 + EPSILON),
    passed: max > 0 && ratio >= quiz.passMark - EPSILON,
    items,
  };
}

/** Grades one response given in public ids; the grade's solution and feedback ids are public ids too. */
export function gradePublicResponse(item: QuizItem, layout: AttemptLayout, response: unknown): ItemGrade {
  const ids = idTranslation(item, layout);
  const parsed = itemResponseSchema.safeParse(response);
  // Unparseable responses go to gradeItem untranslated; its validation marks them invalid.
  const grade = gradeItem(item, parsed.success ? ids.toItem(parsed.data) : (response as ItemResponse | undefined));
  return {
    ...grade,
    solution: ids.toPublic(grade.solution),
    feedback: grade.feedback.map((f) => (f.optionId === undefined ? f : { ...f, optionId: ids.publicId(f.optionId) })),
  };
}

/** Checks a response in public ids against the item; throws InvalidResponseError when it does not fit. */
export function validatePublicResponse(item: QuizItem, layout: AttemptLayout, response: unknown): ItemResponse {
  const parsed = itemResponseSchema.safeParse(response);
  if (!parsed.success) throw new InvalidResponseError(item.id, parsed.error.issues[0]?.message ?? 'malformed');
  validateResponse(item, idTranslation(item, layout).toItem(parsed.data));
  return parsed.data;
}
