/**
 * Item analysis of a cohort: the quiz items its people most often answer wrongly, as topics for the next workshop.
 * Read from the learning record's `quiz.response` facts, grouped by the authored item id across quiz versions (a
 * changed meaning gets a new id), each person's latest answer per item; an item no longer in today's quiz is read from
 * the content archive. Aggregates only, and only where no one's
 * answers can be read off:
 * - an item is shown only when at least `minGroupSize` people of the group answered it (district setting, ≥ 3);
 * - with a filter, also the groups it can be compared with (the cohort, and the cohort with only one of the two
 *   filters) must differ from it by 0 or at least `minGroupSize` answering people — otherwise subtracting the two
 *   would reveal a handful of people's answers; org-unit filters are exact units (not sub-units), so they never nest;
 * - no option distribution when all answers fall on one option;
 * - never a name: the verb does not read who answered.
 * The correct option is named as text in this server-rendered aggregate page only; keys never go to a browser script.
 */
import { sql } from 'drizzle-orm';
import { jobRoleLabels } from '../../shared/cohort-labels.ts';
import type { QuizItem } from '../../shared/content-schema.ts';
import { authorize } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';
import {
  chosenOptions,
  correctAnswerOf,
  coursesByQuiz,
  hasOptions,
  isWrongOption,
  itemKey,
  lessonOfItem,
  optionText,
  resolveItems,
} from '../quizzes/item-responses.ts';
import { distributionShown, enoughAnswers, NO_OPTIONS_NOTE, SAME_ANSWER_NOTE, safeAgainstSuperset } from '../quizzes/item-suppression.ts';
import { latestAnswers, type StoredAnswer } from '../quizzes/response-store.ts';
import { getTenantSettings } from '../tenancy/tenant-settings.ts';
import { type Cohort, type CohortMember, membersOf, requireCohortIn } from './cohort-members.ts';

/** How many items the page lists. */
export const ITEMS_SHOWN = 12;

export interface ItemStat {
  quizId: string;
  itemId: string;
  courseTitle: string;
  prompt: string;
  /** People of the group who answered the item. */
  answered: number;
  /** Share of them whose latest answer was not fully right, 0–100. */
  percentWrong: number;
  /** The wrong option chosen most often, with the share of answering people; null when not shown. */
  mostChosenWrong: { text: string; percent: number } | null;
  /** Why no option distribution is shown (German), if so. */
  distributionNote: string | null;
  correctAnswer: string | null;
  lesson: { href: string; title: string } | null;
}

export interface ItemAnalysis {
  cohort: Cohort;
  minGroupSize: number;
  notes: string[];
  applied: { einheit: string | null; rolle: string | null };
  options: { orgUnits: Array<{ id: string; label: string }>; jobRoles: Array<{ id: string; label: string }> };
  /** People in the (filtered) group. */
  groupSize: number;
  /** True when the group (or its difference to a comparable group) is too small: "zu wenige Antworten". */
  suppressed: boolean;
  items: ItemStat[];
  /** Items with enough answers that are not listed (answered right by everyone, or further down the list). */
  hiddenItems: number;
}

type Answer = { wrong: boolean; chosen: string[] };

/** The options a stored answer chose, worked out once per distinct answer. */
const chosenCache = new WeakMap<StoredAnswer, string[]>();
function chosenOf(item: QuizItem | undefined, a: StoredAnswer): string[] {
  let c = chosenCache.get(a);
  if (!c) {
    c = chosenOptions(item, a.response);
    chosenCache.set(a, c);
  }
  return c;
}

export async function getItemAnalysis(
  ctx: Ctx,
  cohortId: string,
  query: { einheit?: string | null; rolle?: string | null },
): Promise<ItemAnalysis> {
  const scope = await authorize(ctx, 'cohort.view', { cohortId });
  const cohort = await requireCohortIn(ctx, scope, cohortId);
  const tenantId = scope.tenantId as string;
  const { minGroupSize } = await getTenantSettings(ctx.db, tenantId);
  const members = await membersOf(ctx, scope, cohort);
  const units = await ctx.db.all<{ id: string; code: string; name: string }>(
    sql`SELECT id, code, name FROM org_units WHERE tenant_id = ${tenantId}`,
  );
  const unitLabel = new Map(units.map((u) => [u.id, `${u.code} – ${u.name}`]));
  const unitOptions = [...new Set(members.map((m) => m.orgUnitId).filter((u): u is string => u !== null))]
    .map((id) => ({ id, label: unitLabel.get(id) ?? id }))
    .sort((a, b) => a.label.localeCompare(b.label, 'de'));
  const roleOptions = [...new Set(members.map((m) => m.jobRole))]
    .map((id) => ({ id, label: jobRoleLabels[id] ?? id }))
    .sort((a, b) => a.label.localeCompare(b.label, 'de'));
  const notes: string[] = [];
  const pick = (value: string | null | undefined, allowed: string[], what: string): string | null => {
    if (!value) return null;
    if (allowed.includes(value)) return value;
    notes.push(`Der Filter „${what}“ hat einen unbekannten Wert und wurde nicht angewendet.`);
    return null;
  };
  const einheit = pick(
    query.einheit,
    unitOptions.map((u) => u.id),
    'Organisationseinheit',
  );
  const rolle = pick(
    query.rolle,
    roleOptions.map((r) => r.id),
    'Tätigkeitsprofil',
  );
  const inGroup = (m: CohortMember, unit: string | null, role: string | null): boolean =>
    (!unit || m.orgUnitId === unit) && (!role || m.jobRole === role);
  const group = members.filter((m) => inGroup(m, einheit, rolle));
  // groups a reader could compare this one with (each a superset): the cohort, and the cohort with one filter only
  const comparisons = (
    einheit && rolle
      ? [
          [null, null],
          [einheit, null],
          [null, rolle],
        ]
      : einheit || rolle
        ? [[null, null]]
        : []
  ).map(([u, r]) => new Set(members.filter((m) => inGroup(m, u ?? null, r ?? null)).map((m) => m.userId)));
  const base: ItemAnalysis = {
    cohort,
    minGroupSize,
    notes,
    applied: { einheit, rolle },
    options: { orgUnits: unitOptions, jobRoles: roleOptions },
    groupSize: group.length,
    suppressed: true,
    items: [],
    hiddenItems: 0,
  };
  if (!enoughAnswers(group.length, minGroupSize)) return base;

  // each person's latest answer per quiz and item, for every cohort member (the comparisons need them too)
  const answered = await latestAnswers(
    ctx.db,
    tenantId,
    members.map((m) => m.userId),
  );
  const itemsOf = await resolveItems(
    ctx,
    answered.map((a) => ({ quiz: a.quizId, item: a.itemId })),
  );
  const groupIds = new Set(group.map((m) => m.userId));
  const courseOfQuiz = coursesByQuiz(ctx);

  const stats: ItemStat[] = [];
  let shownEnough = 0;
  let missingText = 0;
  for (const a of answered) {
    const { quizId, item } = itemsOf.get(itemKey(a.quizId, a.itemId)) as { quizId: string; item: QuizItem | undefined };
    const mine: Answer[] = [];
    for (let i = 0; i < a.userIds.length; i++)
      if (groupIds.has(a.userIds[i] as string)) {
        const stored = a.answers[i] as StoredAnswer;
        mine.push({ wrong: stored.score < 1, chosen: chosenOf(item, stored) });
      }
    const n = mine.length;
    if (!enoughAnswers(n, minGroupSize)) continue;
    const safe = comparisons.every((ids) => safeAgainstSuperset(n, a.userIds.filter((u) => ids.has(u)).length, minGroupSize));
    if (!safe) continue;
    shownEnough++;
    if (!item) {
      missingText++;
      continue;
    }
    const wrong = mine.filter((a) => a.wrong).length;
    if (wrong === 0) continue;
    const distinct = new Set(mine.map((a) => a.chosen.join(',')));
    let mostChosenWrong: ItemStat['mostChosenWrong'] = null;
    let distributionNote: string | null = null;
    if (!hasOptions(item)) distributionNote = NO_OPTIONS_NOTE;
    else if (!distributionShown(distinct.size)) distributionNote = SAME_ANSWER_NOTE;
    else {
      const counts = new Map<string, number>();
      for (const a of mine) for (const k of a.chosen) if (isWrongOption(item, k)) counts.set(k, (counts.get(k) ?? 0) + 1);
      const top = [...counts].sort((a, b) => b[1] - a[1])[0];
      if (top) mostChosenWrong = { text: optionText(item, top[0]) ?? top[0], percent: Math.round((top[1] / n) * 100) };
    }
    const course = courseOfQuiz.get(quizId);
    stats.push({
      quizId,
      itemId: item.id,
      courseTitle: course?.course.title ?? quizId,
      prompt: item.prompt,
      answered: n,
      percentWrong: Math.round((wrong / n) * 100),
      mostChosenWrong,
      distributionNote,
      correctAnswer: correctAnswerOf(item),
      lesson: lessonOfItem(course, item),
    });
  }
  stats.sort((a, b) => b.percentWrong - a.percentWrong || b.answered - a.answered || a.itemId.localeCompare(b.itemId));
  if (missingText > 0)
    notes.push(`${missingText} Fragen aus früheren Fassungen der Quizze sind heute nicht mehr enthalten und werden nicht aufgeführt.`);
  return {
    ...base,
    suppressed: shownEnough === 0,
    items: stats.slice(0, ITEMS_SHOWN),
    hiddenItems: shownEnough - Math.min(stats.length, ITEMS_SHOWN),
  };
}
