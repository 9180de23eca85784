import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { loadContent } from '../../src/lib/server/content/load-content.ts';
import { adoptUpstream, findOverlayDrift } from '../../src/lib/server/content/overlay-drift.ts';
import { copyFixtures, FIXTURE_OVERLAY, FIXTURE_ROOT, fixtureContent } from '../setup/content-fixture.ts';

function captureIo(): { io: { out(l: string): void; err(l: string): void }; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l) => out.push(l), err: (l) => err.push(l) }, out, err };
}

describe('loadContent', () => {
  test('returns upstream content with versions and no problems', () => {
    const set = fixtureContent();
    expect(set.problems).toEqual([]);
    const course = set.courses.get('probe-kurs');
    expect(course?.lessons.map((l) => l.id)).toEqual(['lektion-1', 'lektion-2']);
    expect(course?.minutes).toBe(10);
    expect(course?.version).toMatch(/^[0-9a-f]{12}$/);
    expect(set.quizzes.get('probe-quiz')?.quiz.items).toHaveLength(8);
  });

  test('returns overlay replacements for a lesson, a quiz item and a snippet, and adds a local course', () => {
    const upstream = fixtureContent();
    const set = fixtureContent(true);
    expect(set.problems).toEqual([]);
    const lesson = set.courses.get('probe-kurs')?.lessons.find((l) => l.id === 'lektion-2');
    expect(lesson?.origin).toBe('overlay');
    expect(lesson?.frontmatter.title).toContain('Fassung des Landkreises');
    expect(set.courses.get('probe-kurs')?.version).not.toBe(upstream.courses.get('probe-kurs')?.version);
    const quiz = set.quizzes.get('probe-quiz');
    expect(quiz?.replacedItems).toEqual(['f-single']);
    expect(quiz?.quiz.items.find((i) => i.id === 'f-single')?.prompt).toContain('Dienstanweisung');
    expect(quiz?.quiz.items).toHaveLength(8);
    expect(quiz?.version).not.toBe(upstream.quizzes.get('probe-quiz')?.version);
    expect(set.snippets.get('ansprechpersonen')?.body).toContain('Zimmer 101');
    expect(set.courses.get('lokaler-kurs')?.origin).toBe('overlay');
  });

  test('returns a problem with file, line, field and rule for an invalid field', () => {
    const { root } = copyFixtures();
    const file = join(root, 'courses/probe-kurs/01-lektion-1.mdx');
    writeFileSync(file, readFileSync(file, 'utf8').replace('minutes: 5', 'minutes: fünf'));
    const problems = loadContent({ root }).problems;
    expect(problems).toContainEqual(
      expect.objectContaining({ file: 'courses/probe-kurs/01-lektion-1.mdx', field: 'minutes', line: 7, severity: 'error' }),
    );
  });

  test('returns errors for broken references: a path naming a missing course, a course naming a missing quiz', () => {
    const { root } = copyFixtures();
    appendFileSync(join(root, 'content/paths/standard.yaml'), '');
    writeFileSync(
      join(root, 'content/paths/standard.yaml'),
      readFileSync(join(root, 'content/paths/standard.yaml'), 'utf8').replace('[ohne-quiz]', '[gibt-es-nicht]'),
    );
    writeFileSync(
      join(root, 'courses/ohne-quiz/course.yaml'),
      `${readFileSync(join(root, 'courses/ohne-quiz/course.yaml'), 'utf8')}quiz: fehlt\n`,
    );
    const messages = loadContent({ root }).problems.map((p) => p.message);
    expect(messages.some((m) => m.includes('gibt-es-nicht'))).toBe(true);
    expect(messages.some((m) => m.includes('Quiz "fehlt" gibt es nicht'))).toBe(true);
  });
});

describe('findOverlayDrift', () => {
  test('returns every replacement as unconfirmed until the overlay records its base, then nothing', () => {
    const { root, overlay } = copyFixtures();
    const keys = findOverlayDrift({ root, overlay })
      .map((d) => d.upstreamFile)
      .sort();
    expect(keys).toEqual([
      'content/snippets/ansprechpersonen.md',
      'courses/probe-kurs/02-lektion-2.mdx',
      'quizzes/probe-quiz.yaml#f-single',
    ]);
    expect(adoptUpstream({ root, overlay })).toBe(3);
    expect(findOverlayDrift({ root, overlay })).toEqual([]);
  });

  test('returns "upstream geändert" for a replaced lesson and a replaced quiz item when upstream changes', () => {
    const { root, overlay } = copyFixtures();
    adoptUpstream({ root, overlay });
    appendFileSync(join(root, 'courses/probe-kurs/02-lektion-2.mdx'), '\nEin neuer Absatz aus der Vorlage.\n');
    const quizFile = join(root, 'quizzes/probe-quiz.yaml');
    writeFileSync(quizFile, readFileSync(quizFile, 'utf8').replace('Welche Antwort ist richtig?', 'Welche Antwort ist jetzt richtig?'));
    const drift = findOverlayDrift({ root, overlay });
    expect(drift.map((d) => [d.upstreamFile, d.reason])).toEqual([
      ['courses/probe-kurs/02-lektion-2.mdx', 'upstream geändert'],
      ['quizzes/probe-quiz.yaml#f-single', 'upstream geändert'],
    ]);
  });
});

describe('kiko content check', () => {
  test('exits 0 for valid content and reports overlay drift as a hint', async () => {
    const { io, out, err } = captureIo();
    expect(await main(['content', 'check', '--root', FIXTURE_ROOT, '--overlay', FIXTURE_OVERLAY], io)).toBe(0);
    expect(out.join('\n')).toContain('0 Fehler');
    expect(err.join('\n')).toContain('ersetzt courses/probe-kurs/02-lektion-2.mdx');
  });
  test('exits 1 and names file and field for invalid content', async () => {
    const { root } = copyFixtures();
    const file = join(root, 'quizzes/probe-quiz.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('passMark: 0.75', 'passMark: 7.5'));
    const { io, err } = captureIo();
    expect(await main(['content', 'check', '--root', root], io)).toBe(1);
    expect(err.join('\n')).toMatch(/FEHLER quizzes\/probe-quiz\.yaml:\d+ \[passMark\]/);
  });
  test('exits 1 with file, line, item id and a German hint for a letter reference and an undated in-flux fact', async () => {
    const { root } = copyFixtures();
    const file = join(root, 'quizzes/probe-quiz.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        'Die erste Antwort ist richtig, die zweite ist ein typischer Irrtum.',
        'Richtig ist a. Option b übersieht, dass Art. 50 seit August 2026 gilt.',
      ),
    );
    const { io, err } = captureIo();
    expect(await main(['content', 'check', '--root', root], io)).toBe(1);
    const text = err.join('\n');
    expect(text).toMatch(
      /FEHLER quizzes\/probe-quiz\.yaml:10 \[items\.f-single\.explanation\]: Frage "f-single": Verweis auf eine Option per Buchstabe/,
    );
    expect(text).toContain('Frage "f-single" nennt eine Rechtslage im Wandel (Art. 50)');
    expect(text).toContain('imWandel: true und stand: JJJJ-MM-TT ergänzen');
  });
  test('exits 2 with usage for an unknown subcommand or flag', async () => {
    const { io } = captureIo();
    expect(await main(['content', 'pruefen'], io)).toBe(2);
    expect(await main(['content', 'check', '--gibtsnicht'], io)).toBe(2);
  });
});
