/**
 * The browser's view of a quiz item during an attempt: texts in the attempt's display order, no answer key
 * (no `correct`, `answer`, `feedback`, `explanation`, `source`, and an ordering item never in its correct order).
 *
 * Public ids are positions in display order, not the authored ids, because authored ids give answers away: a
 * matching pair's left and right entry share one id, steps are typically named s1, s2, s3 in the correct order and
 * the correct option is often "a". Options are o1…on, steps s1…sn, right-hand entries r1…rn (all in display order),
 * left-hand entries l1…ln (authored order). `idTranslation` maps responses and solutions between both id spaces.
 */
import type { QuizItem } from '../../shared/content-schema.ts';
import type { ItemResponse } from '../../shared/quiz-response.ts';
import type { AttemptLayout } from './draw-attempt.ts';

/** One entry (option, step, left or right side) as the browser sees it. */
export interface PublicEntry {
  /** Public id, e.g. "o2"; what the response sends back. */
  id: string;
  text: string;
}

interface PublicBase {
  id: string;
  prompt: string;
}

/** Browser-safe view model of a quiz item. */
export type PublicItem =
  | (PublicBase & { type: 'single' | 'multiple'; options: PublicEntry[] })
  | (PublicBase & { type: 'scenario'; case: string; options: PublicEntry[] })
  | (PublicBase & { type: 'truefalse' })
  | (PublicBase & { type: 'ordering'; steps: PublicEntry[] })
  | (PublicBase & { type: 'matching'; lefts: PublicEntry[]; rights: PublicEntry[] });

/** Maps between the authored ids of one item and the public ids it has in one attempt. */
export interface IdTranslation {
  /** Response in public ids -> authored ids; unknown public ids become "" (which `validateResponse` rejects). */
  toItem(response: ItemResponse): ItemResponse;
  /** Response (e.g. a grade's solution) in authored ids -> public ids. */
  toPublic(response: ItemResponse): ItemResponse;
  /** Public id of an authored option, step or right-hand pair id ("" if unknown). */
  publicId(authoredId: string): string;
}

const prefixes = { single: 'o', multiple: 'o', scenario: 'o', ordering: 's', matching: 'r', truefalse: '' } as const;

/** The view model of `item` in the attempt `layout`. Throws if the layout does not fit the item (quiz changed). */
export function toPublicItem(item: QuizItem, layout: AttemptLayout): PublicItem {
  const ids = displayIds(item, layout);
  const prefix = prefixes[item.type];
  const entries = <T extends { id: string }>(all: readonly T[], text: (entry: T) => string): PublicEntry[] =>
    ids.map((id, i) => ({ id: `${prefix}${i + 1}`, text: text(all.find((entry) => entry.id === id) as T) }));
  const base = { id: item.id, prompt: item.prompt };
  switch (item.type) {
    case 'single':
    case 'multiple':
      return { ...base, type: item.type, options: entries(item.options, (o) => o.text) };
    case 'scenario':
      return { ...base, type: 'scenario', case: item.case, options: entries(item.options, (o) => o.text) };
    case 'truefalse':
      return { ...base, type: 'truefalse' };
    case 'ordering':
      return { ...base, type: 'ordering', steps: entries(item.steps, (s) => s.text) };
    case 'matching':
      return {
        ...base,
        type: 'matching',
        lefts: item.pairs.map((pair, i) => ({ id: `l${i + 1}`, text: pair.left })),
        rights: entries(item.pairs, (p) => p.right),
      };
  }
}

/** The id translation of `item` in the attempt `layout`. Throws if the layout does not fit the item. */
export function idTranslation(item: QuizItem, layout: AttemptLayout): IdTranslation {
  const ids = displayIds(item, layout);
  const prefix = prefixes[item.type];
  const toItem = new Map(ids.map((id, i) => [`${prefix}${i + 1}`, id]));
  const toPublic = new Map(ids.map((id, i) => [id, `${prefix}${i + 1}`]));
  const pairIds = item.type === 'matching' ? item.pairs.map((pair) => pair.id) : [];
  const leftToItem = new Map(pairIds.map((id, i) => [`l${i + 1}`, id]));
  const leftToPublic = new Map(pairIds.map((id, i) => [id, `l${i + 1}`]));
  const via =
    (map: Map<string, string>) =>
    (id: string): string =>
      map.get(id) ?? '';
  return {
    toItem: (response) => (response.type === item.type ? translate(response, via(toItem), via(leftToItem)) : response),
    toPublic: (response) => (response.type === item.type ? translate(response, via(toPublic), via(leftToPublic)) : response),
    publicId: via(toPublic),
  };
}

function translate(response: ItemResponse, main: (id: string) => string, left: (id: string) => string): ItemResponse {
  switch (response.type) {
    case 'single':
    case 'scenario':
      return { ...response, optionId: main(response.optionId) };
    case 'multiple':
      return { ...response, optionIds: response.optionIds.map(main) };
    case 'ordering':
      return { ...response, order: response.order.map(main) };
    case 'matching':
      return { ...response, pairs: Object.fromEntries(Object.entries(response.pairs).map(([l, r]) => [left(l), main(r)])) };
    case 'truefalse':
      return response;
  }
}

/**
 * Authored ids of the item's options, steps or right-hand entries in display order. An ordering layout that equals
 * the correct order (hand-made or corrupted; `drawAttempt` never makes one) is rotated by one, so the correct order
 * is never shown.
 */
function displayIds(item: QuizItem, layout: AttemptLayout): string[] {
  const authored = authoredIds(item);
  const order = Object.hasOwn(layout.order, item.id) ? layout.order[item.id] : undefined;
  if (!Array.isArray(order) || order.length !== authored.length || !authored.every((id) => order.includes(id)))
    throw new Error(`attempt layout does not fit quiz item "${item.id}" (has the quiz changed since the attempt began?)`);
  if (item.type === 'ordering' && order.length > 1 && order.every((id, i) => id === authored[i]))
    return [...order.slice(1), ...order.slice(0, 1)];
  return [...order];
}

function authoredIds(item: QuizItem): string[] {
  switch (item.type) {
    case 'single':
    case 'multiple':
    case 'scenario':
      return item.options.map((option) => option.id);
    case 'ordering':
      return item.steps.map((step) => step.id);
    case 'matching':
      return item.pairs.map((pair) => pair.id);
    case 'truefalse':
      return [];
  }
}
