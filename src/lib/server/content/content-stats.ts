/** Volume of the curriculum, for `kiko content stats` and the content tests. */
import type { Quiz, QuizItemType } from '../../shared/content-schema.ts';
import type { ContentSet } from './load-content.ts';
import { isInFlux, isInFluxDated, keyLengthShares, letterReferenceItems } from './quality-checks.ts';

/** Quality figures of one quiz (see quality-checks.ts). */
export interface QuizQualityStats {
  id: string;
  items: number;
  /** Share (0–1, two decimals) of single/scenario items whose correct option is the longest; the check allows 0.4. */
  keyLongestShare: number;
  /** Share (0–1, two decimals) of single/scenario items whose correct option is the shortest; the check allows 0.4. */
  keyShortestShare: number;
  /** Items that test a fact in flux: flagged `imWandel` or mentioning a known in-flux fact. */
  inFluxItems: number;
  /** Of those, the items with `imWandel: true` and a `stand`. */
  inFluxDated: number;
  /** Items whose explanation or feedback names an option by its letter although the options are shuffled. */
  letterReferences: number;
}

export interface ContentStats {
  courses: number;
  lessons: number;
  items: number;
  practiceItems: number;
  itemsByType: Record<QuizItemType, number>;
  minutes: number;
  paths: Array<{ id: string; title: string; requiredMinutes: number; optionalMinutes: number; requiredCourses: number }>;
  quizzes: QuizQualityStats[];
}

const twoDecimals = (n: number): number => Math.round(n * 100) / 100;

export function quizQualityStats(quiz: Quiz): QuizQualityStats {
  const shares = keyLengthShares(quiz);
  const inFlux = quiz.items.filter(isInFlux);
  return {
    id: quiz.id,
    items: quiz.items.length,
    keyLongestShare: twoDecimals(shares.longest),
    keyShortestShare: twoDecimals(shares.shortest),
    inFluxItems: inFlux.length,
    inFluxDated: inFlux.filter(isInFluxDated).length,
    letterReferences: new Set(letterReferenceItems(quiz).map((r) => r.item.id)).size,
  };
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
    quizzes: [...set.quizzes.values()].map((q) => quizQualityStats(q.quiz)).sort((a, b) => a.id.localeCompare(b.id)),
  };
}
