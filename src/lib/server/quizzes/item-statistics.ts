/**
 * Item statistics for the district's content team (admins): every quiz item with the people who answered it, its
 * facility (average score, 0–100 %), its discrimination index and the share choosing each option, with a flag for
 * items that are too easy, too hard or discriminate the wrong way — so weak items get rewritten in the district
 * overlay. Read from the learning record's `quiz.response` facts, each person's latest answer per authored item
 * (grouped across quiz versions, item-responses.ts); only people within the admin's scope count.
 *
 * Discrimination index as in Moodle's quiz statistics: the correlation (Pearson) between a person's score on the item
 * and their average score on the other items of the same quiz they answered. Positive: people who do well on the
 * quiz get the item right more often; negative: the item rewards the wrong people (often a wrong key or a misleading
 * option). Not given when everyone scored the same on the item or on the rest.
 *
 * Aggregates only and the small-group rules of item-suppression.ts: an item with fewer than `minGroupSize` answering
 * people shows no figures, and no option shares when all answers fell on one option. The view is district-wide (no
 * filters), so no two groups can be subtracted from each other. The verb never reads who answered by name.
 */
import { sql } from 'drizzle-orm';
import type { QuizItem } from '../../shared/content-schema.ts';
import { authorize } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';
import { getTenantSettings } from '../tenancy/tenant-settings.ts';
import {
  chosenOptions,
  correctAnswerOf,
  coursesByQuiz,
  hasOptions,
  itemKey,
  lessonOfItem,
  optionsOf,
  resolveItems,
} from './item-responses.ts';
import { distributionShown, enoughAnswers, NO_OPTIONS_NOTE, SAME_ANSWER_NOTE } from './item-suppression.ts';
import { latestAnswers, type StoredAnswer } from './response-store.ts';

/** Facility at or above which an item is flagged as too easy, and at or below which as too hard (percent). */
export const TOO_EASY_AT = 90;
export const TOO_HARD_AT = 30;

export type ItemFlag = 'zu-leicht' | 'zu-schwer' | 'trennt-umgekehrt';
export const itemFlagLabel: Record<ItemFlag, string> = {
  'zu-leicht': 'zu leicht',
  'zu-schwer': 'zu schwer',
  'trennt-umgekehrt': 'trennt umgekehrt',
};

export interface OptionShare {
  text: string;
  correct: boolean;
  /** Share of the answering people who chose it, 0–100 (multiple choice: the shares add up to more than 100). */
  percent: number;
}

export interface ItemStatistics {
  itemId: string;
  type: QuizItem['type'];
  prompt: string;
  /** People (within scope) whose latest answer to the item is counted. */
  answered: number;
  /** Average score in percent; null while too few answered. */
  facility: number | null;
  /** −1 … 1, two decimals; null while too few answered or not determinable. */
  discrimination: number | null;
  flags: ItemFlag[];
  options: OptionShare[] | null;
  /** Why no option shares are shown (German), if so. */
  optionsNote: string | null;
  correctAnswer: string | null;
  lesson: { href: string; title: string } | null;
  /** Still in today's quiz, or only in an earlier version. */
  current: boolean;
}

export interface QuizStatistics {
  quizId: string;
  courseTitle: string;
  /** People who answered at least one of its items. */
  people: number;
  items: ItemStatistics[];
}

export interface DistrictItemStatistics {
  minGroupSize: number;
  quizzes: QuizStatistics[];
  /** Counts for the summary line. */
  totals: { items: number; shown: number; flagged: number; responses: number };
}

/** Pearson correlation of two equally long series; null when either does not vary. */
export function correlation(xs: readonly number[], ys: readonly number[]): number | null {
  const n = xs.length;
  if (n < 2 || ys.length !== n) return null;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx < 1e-12 || syy < 1e-12) return null;
  return sxy / Math.sqrt(sxx * syy);
}

type Latest = { score: number; chosen: string[] };

export async function getDistrictItemStatistics(ctx: Ctx): Promise<DistrictItemStatistics> {
  const scope = await authorize(ctx, 'tenant.admin');
  const tenantId = scope.tenantId as string;
  const { minGroupSize } = await getTenantSettings(ctx.db, tenantId);
  // people within the admin's org units (their current unit), or everyone of the district
  const within = scope.orgUnitIds
    ? (
        await ctx.db.all<{ id: string }>(sql`
          SELECT id FROM users WHERE tenant_id = ${tenantId}
             AND org_unit_id IN (SELECT value FROM json_each(${JSON.stringify([...scope.orgUnitIds])}))`)
      ).map((r) => r.id)
    : null;
  const answered = await latestAnswers(ctx.db, tenantId, within);
  const itemsOf = await resolveItems(
    ctx,
    answered.map((a) => ({ quiz: a.quizId, item: a.itemId })),
  );
  // quiz → item key → person → latest answer
  const byQuiz = new Map<string, Map<string, Map<string, Latest>>>();
  for (const a of answered) {
    const key = itemKey(a.quizId, a.itemId);
    const item = itemsOf.get(key)?.item;
    let items = byQuiz.get(a.quizId);
    if (!items) {
      items = new Map();
      byQuiz.set(a.quizId, items);
    }
    const people = new Map<string, Latest>();
    const chosen = new Map<StoredAnswer, string[]>();
    for (let i = 0; i < a.userIds.length; i++) {
      const stored = a.answers[i] as StoredAnswer;
      let c = chosen.get(stored);
      if (!c) {
        c = chosenOptions(item, stored.response);
        chosen.set(stored, c);
      }
      people.set(a.userIds[i] as string, { score: stored.score, chosen: c });
    }
    items.set(key, people);
  }
  const courses = coursesByQuiz(ctx);
  const quizzes: QuizStatistics[] = [];
  const totals = { items: 0, shown: 0, flagged: 0, responses: 0 };
  for (const [quizId, items] of byQuiz) {
    // each person's scores on this quiz's items, for the rest-of-quiz average
    const perPerson = new Map<string, { sum: number; count: number }>();
    for (const people of items.values())
      for (const [userId, a] of people) {
        const p = perPerson.get(userId) ?? { sum: 0, count: 0 };
        p.sum += a.score;
        p.count++;
        perPerson.set(userId, p);
      }
    const course = courses.get(quizId);
    const current = new Set(ctx.content.quizzes.get(quizId)?.quiz.items.map((i) => i.id) ?? []);
    const stats: ItemStatistics[] = [];
    for (const [key, people] of items) {
      const item = itemsOf.get(key)?.item;
      if (!item) continue;
      totals.items++;
      totals.responses += people.size;
      const answers = [...people];
      const n = answers.length;
      const base = {
        itemId: item.id,
        type: item.type,
        prompt: item.prompt,
        answered: n,
        correctAnswer: correctAnswerOf(item),
        lesson: lessonOfItem(course, item),
        current: current.has(item.id),
      };
      if (!enoughAnswers(n, minGroupSize)) {
        stats.push({ ...base, facility: null, discrimination: null, flags: [], options: null, optionsNote: null });
        continue;
      }
      totals.shown++;
      const facility = Math.round((answers.reduce((s, [, a]) => s + a.score, 0) / n) * 100);
      const xs: number[] = [];
      const ys: number[] = [];
      for (const [userId, a] of answers) {
        const p = perPerson.get(userId) as { sum: number; count: number };
        if (p.count < 2) continue;
        xs.push(a.score);
        ys.push((p.sum - a.score) / (p.count - 1));
      }
      const r = xs.length >= minGroupSize ? correlation(xs, ys) : null;
      const discrimination = r === null ? null : Math.round(r * 100) / 100;
      const flags: ItemFlag[] = [];
      if (facility >= TOO_EASY_AT) flags.push('zu-leicht');
      if (facility <= TOO_HARD_AT) flags.push('zu-schwer');
      if (discrimination !== null && discrimination < 0) flags.push('trennt-umgekehrt');
      if (flags.length > 0) totals.flagged++;
      let options: OptionShare[] | null = null;
      let optionsNote: string | null = null;
      if (!hasOptions(item)) optionsNote = NO_OPTIONS_NOTE;
      else if (!distributionShown(new Set(answers.map(([, a]) => a.chosen.join(','))).size)) optionsNote = SAME_ANSWER_NOTE;
      else
        options = optionsOf(item).map((o) => ({
          text: o.text,
          correct: o.correct,
          percent: Math.round((answers.filter(([, a]) => a.chosen.includes(o.key)).length / n) * 100),
        }));
      stats.push({ ...base, facility, discrimination, flags, options, optionsNote });
    }
    if (stats.length === 0) continue;
    // flagged items first, then the hardest
    stats.sort(
      (a, b) =>
        b.flags.length - a.flags.length ||
        (a.facility ?? 101) - (b.facility ?? 101) ||
        b.answered - a.answered ||
        a.itemId.localeCompare(b.itemId),
    );
    quizzes.push({ quizId, courseTitle: course?.course.title ?? quizId, people: perPerson.size, items: stats });
  }
  quizzes.sort((a, b) => a.courseTitle.localeCompare(b.courseTitle, 'de'));
  return { minGroupSize, quizzes, totals };
}
