/** Volume of the curriculum, for `kiko content stats` and the content tests. */
import type { QuizItemType } from '../../shared/content-schema.ts';
import type { ContentSet } from './load-content.ts';

export interface ContentStats {
  courses: number;
  lessons: number;
  items: number;
  practiceItems: number;
  itemsByType: Record<QuizItemType, number>;
  minutes: number;
  paths: Array<{ id: string; title: string; requiredMinutes: number; optionalMinutes: number; requiredCourses: number }>;
}

export function contentStats(set: ContentSet): ContentStats {
  const itemsByType: Record<QuizItemType, number> = { single: 0, multiple: 0, truefalse: 0, ordering: 0, matching: 0, scenario: 0 };
  let items = 0;
  let practiceItems = 0;
  for (const q of set.quizzes.values())
    for (const item of q.quiz.items) {
      items++;
      itemsByType[item.type]++;
      if (item.practice || item.type === 'scenario') practiceItems++;
    }
  const courses = [...set.courses.values()];
  const minutesOf = (ids: string[]): number => ids.reduce((s, id) => s + (set.courses.get(id)?.minutes ?? 0), 0);
  return {
    courses: courses.length,
    lessons: courses.reduce((s, c) => s + c.lessons.length, 0),
    items,
    practiceItems,
    itemsByType,
    minutes: courses.reduce((s, c) => s + c.minutes, 0),
    paths: [...set.paths.values()]
      .map((p) => ({
        id: p.id,
        title: p.title,
        requiredMinutes: minutesOf(p.required),
        optionalMinutes: minutesOf(p.optional),
        requiredCourses: p.required.length,
      }))
      .sort((a, b) => a.id.localeCompare(b.id)),
  };
}
