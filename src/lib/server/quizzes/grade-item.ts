/**
 * Grades one response to one quiz item. Works in the item's authored ids; `gradeAttempt` translates the browser's
 * public ids. Every item is worth 1 point; a score is always in [0, 1] and `correct` means score 1.
 *
 * - single, scenario, truefalse: 1 if right, otherwise 0.
 * - multiple: right picks / right options − wrong picks / wrong options, at least 0 (docs/content-authoring.md).
 *   Picking every option therefore always scores 0, however many options are right.
 * - ordering: 1 if fully correct; otherwise the share of the n − 1 neighbouring pairs of the response in which the
 *   second step directly follows the first in the correct order ("a b" counts if b comes right after a). A fully
 *   reversed order scores 0; a random order about 1/n on average.
 * - matching: share of left entries matched with their own right entry.
 *
 * Invalid responses score 0 with `responseValid: false`: a type other than the item's, unknown ids, duplicates,
 * an ordering that is not a permutation of all steps, a matching that does not map every left entry to a distinct
 * right entry. `validateResponse` throws `InvalidResponseError` for them (map it to HTTP 400); `gradeItem` never
 * throws it. A missing response (`undefined`) scores 0 and is valid.
 */
import type { QuizItem, Source } from '../../shared/content-schema.ts';
import { type ItemResponse, itemResponseSchema } from '../../shared/quiz-response.ts';

/** A response that does not fit the item it answers (or an attempt). Map to HTTP 400. */
export class InvalidResponseError extends Error {
  /** Id of the item the response was for. */
  readonly itemId: string;
  constructor(itemId: string, message: string) {
    super(`invalid response for quiz item "${itemId}": ${message}`);
    this.name = 'InvalidResponseError';
    this.itemId = itemId;
  }
}

/** The grade of one item, including what may be shown after submitting. */
export interface ItemGrade {
  itemId: string;
  /** Points in [0, 1]. */
  score: number;
  /** score === 1 */
  correct: boolean;
  responseValid: boolean;
  /** Feedback of the chosen options that have one (single, multiple, scenario). */
  feedback: Array<{ optionId?: string; text: string }>;
  explanation: string;
  source: Source;
  /** The item's own "Stand" (YYYY-MM-DD), if it has one; shown with the feedback instead of the quiz's Stand. */
  stand?: string;
  /** The correct answer, shaped like a response (for showing after submit only). */
  solution: ItemResponse;
}

/** Returns `response` parsed and checked against `item`; throws `InvalidResponseError` if it does not fit. */
export function validateResponse(item: QuizItem, response: unknown): ItemResponse {
  const parsed = itemResponseSchema.safeParse(response);
  if (!parsed.success) throw new InvalidResponseError(item.id, parsed.error.issues[0]?.message ?? 'malformed');
  const r = parsed.data;
  if (r.type !== item.type) throw new InvalidResponseError(item.id, `expected type "${item.type}", got "${r.type}"`);
  const ids = new Set(entryIds(item));
  const problem =
    r.type === 'single' || r.type === 'scenario'
      ? !ids.has(r.optionId) && 'unknown option id'
      : r.type === 'multiple'
        ? !r.optionIds.every((id) => ids.has(id)) && 'unknown option id'
        : r.type === 'ordering'
          ? !isPermutation(r.order, ids) && 'order must name every step exactly once'
          : r.type === 'matching'
            ? !(isPermutation(Object.keys(r.pairs), ids) && isPermutation(Object.values(r.pairs), ids)) &&
              'every left entry must be matched with a distinct right entry'
            : false;
  if (problem) throw new InvalidResponseError(item.id, problem);
  return r;
}

/** Grades `response` (authored ids) to `item` by the rules in the module comment. */
export function gradeItem(item: QuizItem, response: ItemResponse | undefined): ItemGrade {
  const base = {
    itemId: item.id,
    explanation: item.explanation,
    source: item.source,
    ...(item.stand ? { stand: item.stand } : {}),
    solution: solutionOf(item),
  };
  if (response === undefined) return { ...base, score: 0, correct: false, responseValid: true, feedback: [] };
  let valid: ItemResponse;
  try {
    valid = validateResponse(item, response);
  } catch (error) {
    if (error instanceof InvalidResponseError) return { ...base, score: 0, correct: false, responseValid: false, feedback: [] };
    throw error;
  }
  const raw = scoreOf(item, valid);
  const score = Number.isFinite(raw) ? Math.min(1, Math.max(0, raw)) : 0;
  return { ...base, score, correct: score === 1, responseValid: true, feedback: feedbackOf(item, valid) };
}

function scoreOf(item: QuizItem, r: ItemResponse): number {
  if ((item.type === 'single' || item.type === 'scenario') && (r.type === 'single' || r.type === 'scenario'))
    return item.options.find((o) => o.id === r.optionId)?.correct ? 1 : 0;
  if (item.type === 'truefalse' && r.type === 'truefalse') return r.value === item.answer ? 1 : 0;
  if (item.type === 'multiple' && r.type === 'multiple') {
    const right = new Set(item.options.filter((o) => o.correct).map((o) => o.id));
    const hits = r.optionIds.filter((id) => right.has(id)).length;
    const wrongOptions = item.options.length - right.size;
    return Math.max(0, hits / right.size - (r.optionIds.length - hits) / wrongOptions);
  }
  if (item.type === 'ordering' && r.type === 'ordering') {
    const steps = item.steps.map((s) => s.id);
    if (r.order.every((id, i) => id === steps[i])) return 1;
    const next = new Map(steps.slice(0, -1).map((id, i) => [id, steps[i + 1]]));
    const kept = r.order.slice(0, -1).filter((id, i) => next.get(id) === r.order[i + 1]).length;
    return kept / (steps.length - 1);
  }
  if (item.type === 'matching' && r.type === 'matching')
    return item.pairs.filter((p) => Object.hasOwn(r.pairs, p.id) && r.pairs[p.id] === p.id).length / item.pairs.length;
  return 0;
}

function feedbackOf(item: QuizItem, r: ItemResponse): ItemGrade['feedback'] {
  if (!('options' in item)) return [];
  const chosen = r.type === 'single' || r.type === 'scenario' ? [r.optionId] : r.type === 'multiple' ? r.optionIds : [];
  return item.options.flatMap((o) => (chosen.includes(o.id) && o.feedback ? [{ optionId: o.id, text: o.feedback }] : []));
}

function solutionOf(item: QuizItem): ItemResponse {
  switch (item.type) {
    case 'single':
    case 'scenario':
      return { type: item.type, optionId: item.options.find((o) => o.correct)?.id ?? '' };
    case 'multiple':
      return { type: 'multiple', optionIds: item.options.filter((o) => o.correct).map((o) => o.id) };
    case 'truefalse':
      return { type: 'truefalse', value: item.answer };
    case 'ordering':
      return { type: 'ordering', order: item.steps.map((s) => s.id) };
    case 'matching':
      return { type: 'matching', pairs: Object.fromEntries(item.pairs.map((p) => [p.id, p.id])) };
  }
}

function entryIds(item: QuizItem): string[] {
  if ('options' in item) return item.options.map((o) => o.id);
  if ('steps' in item) return item.steps.map((s) => s.id);
  if ('pairs' in item) return item.pairs.map((p) => p.id);
  return [];
}

function isPermutation(list: readonly string[], ids: ReadonlySet<string>): boolean {
  return list.length === ids.size && new Set(list).size === list.length && list.every((id) => ids.has(id));
}
