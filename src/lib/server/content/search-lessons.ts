/**
 * Server-side lesson search: the fallback of the search page without JavaScript (with JavaScript, the page
 * uses the Pagefind index with German stemming). Every query word must occur; title hits rank first.
 */

import { lessonPlainText } from './lesson-text.ts';
import type { ContentSet } from './load-content.ts';

export interface LessonHit {
  url: string;
  title: string;
  course: string;
  excerpt: string;
}

const fold = (s: string): string => s.toLocaleLowerCase('de-DE').normalize('NFKD').replace(/\p{M}/gu, '').replace(/ß/g, 'ss');

export function searchLessons(content: ContentSet, query: string, limit = 20): LessonHit[] {
  const words = fold(query)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 2)
    .slice(0, 8);
  if (words.length === 0) return [];
  const hits: Array<LessonHit & { score: number }> = [];
  for (const c of content.courses.values())
    for (const l of c.lessons) {
      const text = lessonPlainText(l.body);
      const hay = fold(`${l.frontmatter.title} ${l.frontmatter.summary} ${text}`);
      if (!words.every((w) => hay.includes(w))) continue;
      const title = fold(l.frontmatter.title);
      const score = words.reduce((s, w) => s + (title.includes(w) ? 10 : 0) + hay.split(w).length - 1, 0);
      const at = Math.max(0, fold(text).indexOf(words[0] as string) - 80);
      const excerpt = `${at > 0 ? '…' : ''}${text.slice(at, at + 220)}…`;
      hits.push({ url: `/kurse/${c.course.id}/${l.id}`, title: l.frontmatter.title, course: c.course.title, excerpt, score });
    }
  return hits
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map(({ score: _score, ...hit }) => hit);
}
