import { describe, expect, test } from 'vitest';
import { contentStats } from '../../src/lib/server/content/content-stats.ts';
import { loadContent } from '../../src/lib/server/content/load-content.ts';

const set = loadContent({ root: process.cwd() });
const lessons = [...set.courses.values()].flatMap((c) => c.lessons.map((l) => ({ course: c, lesson: l })));
const items = [...set.quizzes.values()].flatMap((q) => q.quiz.items.map((item) => ({ quiz: q.quiz, item })));

describe('the curriculum', () => {
  test('has no content errors or warnings', () => {
    expect(set.problems).toEqual([]);
  });

  test('has the promised volume: ≥ 12 courses, ≥ 45 lessons, ≥ 200 items, at least a third practice or scenario', () => {
    const stats = contentStats(set);
    expect(stats.courses).toBeGreaterThanOrEqual(12);
    expect(stats.lessons).toBeGreaterThanOrEqual(45);
    expect(stats.items).toBeGreaterThanOrEqual(200);
    expect(stats.practiceItems / stats.items).toBeGreaterThanOrEqual(1 / 3);
    for (const type of Object.keys(stats.itemsByType)) expect(stats.itemsByType[type as keyof typeof stats.itemsByType]).toBeGreaterThan(0);
  });

  test('has a learning path of 60–180 minutes for every job role', () => {
    const stats = contentStats(set);
    const roles = new Set([...set.paths.values()].flatMap((p) => p.jobRoles));
    for (const role of ['alle', 'fuehrungskraft', 'sachbearbeitung', 'it-digitalisierung', 'multiplikator', 'personal-datenschutz'])
      expect(roles).toContain(role);
    for (const p of stats.paths) {
      expect(p.requiredMinutes, p.id).toBeGreaterThanOrEqual(60);
      expect(p.requiredMinutes, p.id).toBeLessThanOrEqual(180);
    }
    // the common base course is part of every path
    for (const p of set.paths.values()) expect(p.required).toContain('ki-kompetenz-basis');
  });

  test.each(lessons.map(({ course, lesson }) => [`${course.course.id}/${lesson.id}`, course, lesson] as const))(
    'lesson %s has objectives, minutes, sources, a reviewed-on date, the course licence and the house shape',
    (_name, course, lesson) => {
      const fm = lesson.frontmatter;
      expect(fm.objectives.length).toBeGreaterThanOrEqual(2);
      expect(fm.objectives.length).toBeLessThanOrEqual(4);
      for (const o of fm.objectives) expect(o.text).toMatch(/^Sie können /);
      expect(fm.minutes).toBeGreaterThanOrEqual(5);
      expect(fm.minutes).toBeLessThanOrEqual(12);
      expect(fm.sources.length).toBeGreaterThanOrEqual(1);
      expect(fm.reviewed).toMatch(/^2026-\d{2}-\d{2}$/);
      expect(fm.license).toBe(course.course.license);
      expect(['CC-BY-4.0', 'CC-BY-SA-4.0']).toContain(fm.license);
      expect(lesson.body).toContain('<Fall');
      expect(lesson.body).toContain('## Das nehmen Sie mit');
    },
  );

  test('has a quiz for every course, and every objective is checked by at least two items', () => {
    for (const c of set.courses.values()) {
      expect(c.course.quiz, c.course.id).toBeDefined();
      const quiz = set.quizzes.get(c.course.quiz as string)?.quiz;
      for (const o of c.lessons.flatMap((l) => l.frontmatter.objectives))
        expect(quiz?.items.filter((i) => i.objective === o.id).length, `${c.course.id}#${o.id}`).toBeGreaterThanOrEqual(2);
    }
  });

  test.each(items.map(({ quiz, item }) => [`${quiz.id}/${item.id}`, item] as const))(
    'item %s has an explanation, a source and no "all/none of the above"',
    (_name, item) => {
      expect(item.explanation.length).toBeGreaterThanOrEqual(40);
      expect(item.source.title.length).toBeGreaterThan(3);
      if ('options' in item) for (const o of item.options) expect(o.text).not.toMatch(/^(alle|keine) (der )?genannten/i);
      if (item.type === 'scenario') for (const o of item.options) expect(o.feedback?.length ?? 0).toBeGreaterThan(10);
    },
  );

  test('uses the official AI Act term "Betreiber", never "Nutzer" for deployers', () => {
    for (const { lesson } of lessons) expect(lesson.body, lesson.file).not.toMatch(/\bNutzer (des|eines) KI-Systems\b/);
  });
});
