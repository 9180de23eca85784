/**
 * What the item analyses (a cohort's workshop topics, the district's item statistics) share about quiz responses:
 * the authored item behind a `quiz.response` fact (today's curriculum, else the content archive), the options a
 * response chose, option texts, the correct answer as text and the lesson that teaches an item. Responses are keyed
 * by authored item and option ids (quiz-attempts.ts `responseFact`), so they group across quiz versions.
 */
import { sql } from 'drizzle-orm';
import type { QuizItem } from '../../shared/content-schema.ts';
import type { LoadedCourse } from '../content/load-content.ts';
import type { Ctx } from '../context.ts';

/** Key of an authored item across versions: quiz id and item id. */
export const itemKey = (quizId: string, itemId: string): string => `${quizId}\u0000${itemId}`;

/** Option keys a response chose (choice items and true/false), for the distribution. */
export function chosenOptions(item: QuizItem | undefined, response: Record<string, unknown> | null): string[] {
  if (!item || !response) return [];
  if ((item.type === 'single' || item.type === 'scenario') && typeof response.optionId === 'string') return [response.optionId];
  if (item.type === 'multiple' && Array.isArray(response.optionIds)) return response.optionIds.map(String);
  if (item.type === 'truefalse' && typeof response.value === 'boolean') return [response.value ? 'wahr' : 'falsch'];
  return [`${JSON.stringify(response)}`];
}

/** Whether the item type has single options whose shares can be shown (not ordering or matching). */
export const hasOptions = (item: QuizItem): boolean => item.type !== 'ordering' && item.type !== 'matching';

/** The option keys of an item in authored order, with their text and whether they are right. */
export function optionsOf(item: QuizItem): Array<{ key: string; text: string; correct: boolean }> {
  if (item.type === 'truefalse')
    return [
      { key: 'wahr', text: '„wahr“', correct: item.answer },
      { key: 'falsch', text: '„falsch“', correct: !item.answer },
    ];
  if ('options' in item) return item.options.map((o) => ({ key: o.id, text: o.text, correct: Boolean(o.correct) }));
  return [];
}

export function optionText(item: QuizItem, key: string): string | null {
  return optionsOf(item).find((o) => o.key === key)?.text ?? null;
}

export function isWrongOption(item: QuizItem, key: string): boolean {
  const option = optionsOf(item).find((o) => o.key === key);
  return option ? !option.correct : false;
}

export function correctAnswerOf(item: QuizItem): string | null {
  if (item.type === 'single' || item.type === 'scenario' || item.type === 'multiple')
    return item.options
      .filter((o) => o.correct)
      .map((o) => o.text)
      .join(' · ');
  if (item.type === 'truefalse') return item.answer ? 'Die Aussage ist wahr.' : 'Die Aussage ist falsch.';
  if (item.type === 'ordering') return item.steps.map((s) => s.text).join(' → ');
  if (item.type === 'matching') return item.pairs.map((p) => `${p.left} – ${p.right}`).join(' · ');
  return null;
}

/** Each quiz's course (the course whose `quiz` it is). */
export function coursesByQuiz(ctx: Pick<Ctx, 'content'>): Map<string, LoadedCourse> {
  return new Map([...ctx.content.courses.values()].filter((c) => c.course.quiz).map((c) => [c.course.quiz as string, c]));
}

/** The lesson that teaches an item (the lesson whose objectives include the item's objective). */
export function lessonOfItem(course: LoadedCourse | undefined, item: QuizItem): { href: string; title: string } | null {
  const lesson = course?.lessons.find((l) => l.frontmatter.objectives.some((o) => o.id === item.objective));
  return course && lesson ? { href: `/kurse/${course.course.id}/${lesson.id}`, title: lesson.frontmatter.title } : null;
}

/**
 * The authored item behind each (quiz, item id) answered: from today's curriculum, else from the newest archived
 * version of the quiz that has it (content_versions, one query for all such quizzes). A step of the item analyses,
 * which have authorized the caller and chosen the responses within its scope.
 */
export async function resolveItems(
  ctx: Pick<Ctx, 'db' | 'content'>,
  rows: ReadonlyArray<{ quiz: string; item: string }>,
): Promise<Map<string, { quizId: string; item: QuizItem | undefined }>> {
  const out = new Map<string, { quizId: string; item: QuizItem | undefined }>();
  const missing = new Set<string>();
  for (const r of rows) {
    const key = itemKey(r.quiz, r.item);
    if (!r.item || out.has(key)) continue;
    const item = ctx.content.quizzes.get(r.quiz)?.quiz.items.find((i) => i.id === r.item);
    out.set(key, { quizId: r.quiz, item });
    if (!item) missing.add(r.quiz);
  }
  if (missing.size === 0) return out;
  const archived = await ctx.db.all<{ quiz: string; data: string }>(sql`
    SELECT content_id AS quiz, data FROM content_versions
     WHERE kind = 'quiz' AND content_id IN (SELECT value FROM json_each(${JSON.stringify([...missing])}))
     ORDER BY first_served_at DESC`);
  for (const a of archived) {
    const items = (JSON.parse(a.data) as { quiz?: { items?: QuizItem[] } }).quiz?.items ?? [];
    for (const item of items) {
      const entry = out.get(itemKey(a.quiz, item.id));
      if (entry && !entry.item) entry.item = item;
    }
  }
  return out;
}
