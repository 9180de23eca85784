import { readFileSync } from 'node:fs';
import matter from 'gray-matter';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { quizQualityStats } from '../../src/lib/server/content/content-stats.ts';
import {
  checkInFlux,
  checkKeyLength,
  checkLeichteSprache,
  checkLetterReferences,
  checkQuizQuality,
  checkRetryPolicy,
  findInFluxMentions,
  findLetterReferences,
  keyLengthShares,
  splitSentences,
} from '../../src/lib/server/content/quality-checks.ts';
import { type LessonFrontmatter, lessonFrontmatterSchema, type Quiz, quizSchema } from '../../src/lib/shared/content-schema.ts';

const source = { title: 'Testquelle' };
const explanation = 'Eine Erklärung, die lang genug ist, um das Schema zu erfüllen.';

function single(id: string, key: string, others: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    type: 'single',
    objective: 'ziel',
    prompt: 'Welche Antwort stimmt?',
    options: [{ id: 'a', text: key, correct: true }, ...others.map((text, i) => ({ id: String.fromCharCode(98 + i), text }))],
    explanation,
    source,
    ...extra,
  };
}

function quiz(items: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}): Quiz {
  return quizSchema.parse({ id: 'test-quiz', course: 'test-kurs', title: 'Testquiz', items, ...extra });
}

function frontmatter(leichteSprache?: string): LessonFrontmatter {
  return lessonFrontmatterSchema.parse({
    title: 'Testlektion',
    summary: 'Eine Testlektion für die Prüfungen.',
    objectives: [{ id: 'ziel', text: 'Sie können den Test bestehen.' }],
    minutes: 5,
    sources: [source],
    license: 'CC-BY-4.0',
    reviewed: '2026-12-03',
    ...(leichteSprache ? { leichteSprache } : {}),
  });
}

describe('findLetterReferences', () => {
  test.each([
    ['Richtig ist a. Ein Sprachmodell prüft nichts.', ['Richtig ist a']],
    ['Richtig sind a, b und c.', ['Richtig sind a, b und c']],
    ['Option b ist falsch: Es gibt keine Datenbank.', ['Option b']],
    ['Optionen b und c sind falsch.', ['Optionen b und c']],
    ['Die Antwort c übersieht Art. 4.', ['Antwort c']],
    ['Die Aufbewahrung regelt aber Art. 26 Abs. 6 (d).', ['(d)']],
    ['Sieben Tage (b) sind zu kurz.', ['(b)']],
    ['Zwei davon stimmen (a, b).', ['(a, b)']],
    ['a und c sind Gegenmittel.', ['a und c']],
    ['Wer b) wählt, übersieht den Datenschutz.', ['b)']],
    ['Falsch ist d, weil die Schwelle erfunden ist.', ['Falsch ist d']],
  ])('returns the reference in "%s"', (text, expected) => {
    expect(findLetterReferences(text)).toEqual(expected);
  });

  test.each([
    'Art. 5 Abs. 1 lit. a DSGVO verlangt Rechtmäßigkeit.',
    'Das berechtigte Interesse (lit. f) ist für Behörden ausgeschlossen.',
    'Zweckbindung und Datenminimierung (Art. 5 Abs. 1 lit. b und c DSGVO).',
    'Art. 5 Abs. 1 lit. b, c und e und Art. 32 DSGVO.',
    'Lit. f gilt für Behörden bei ihren Aufgaben nicht.',
    'Nach Art. 5(1)(a) DSGVO ist das unzulässig.',
    'Anhang III Nr. 5 Buchstabe a nennt Sozialleistungen.',
    'Art. 6 Abs. 1 UAbs. 1 Buchst. e DSGVO.',
    'Die Kolleg(e)in aus dem Bauamt fragt nach.',
    'Das heißt, d. h. die Behörde entscheidet, u. a. über den Antrag.',
    'Eine Antwort auf die Anfrage kommt per E-Mail.',
    'Die Option, das Werkzeug abzuschalten, bleibt.',
    'Richtig ist, dass der Mensch entscheidet.',
    'Die Antwortmöglichkeiten wurden gemischt.',
    'Anhang III Nr. 5 b) regelt die Kreditwürdigkeit.',
  ])('returns nothing for "%s"', (text) => {
    expect(findLetterReferences(text)).toEqual([]);
  });
});

describe('checkLetterReferences', () => {
  const withReference = single('mit-buchstabe', 'Sechs Monate', ['Sieben Tage', 'Zehn Jahre'], {
    explanation: 'Richtig ist a: sechs Monate. Sieben Tage (b) sind zu kurz, um Fehler aufzuklären.',
  });

  test('returns an error with item id, field and a German hint when a shuffled item names an option by letter', () => {
    const findings = checkLetterReferences(quiz([withReference]));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ itemId: 'mit-buchstabe', field: 'items.mit-buchstabe.explanation', severity: 'error' });
    expect(findings[0]?.message).toContain('„Richtig ist a“, „(b)“');
    expect(findings[0]?.message).toContain('Nennen Sie die Option mit ihrem Inhalt');
  });

  test('returns an error for a letter in the feedback of a scenario option', () => {
    const scenario = {
      id: 'fall',
      type: 'scenario',
      objective: 'ziel',
      case: 'Eine Kollegin im Jobcenter möchte einen Bescheid mit einem KI-Werkzeug entwerfen lassen.',
      prompt: 'Was ist zu tun?',
      options: [
        { id: 'a', text: 'Prüfen', correct: true, feedback: 'Richtig, anders als Option b.' },
        { id: 'b', text: 'Übernehmen', feedback: 'Naheliegend, aber ungeprüft.' },
      ],
      explanation,
      source,
    };
    expect(checkLetterReferences(quiz([scenario]))[0]?.field).toBe('items.fall.options.a.feedback');
  });

  test('returns nothing when the quiz does not shuffle, for true/false items and for law citations', () => {
    expect(checkLetterReferences(quiz([withReference], { shuffle: false }))).toEqual([]);
    const tf = {
      id: 'wahr',
      type: 'truefalse',
      objective: 'ziel',
      prompt: 'Stimmt das?',
      answer: true,
      explanation: 'Richtig ist a, denn so steht es da.',
      source,
    };
    expect(checkLetterReferences(quiz([tf]))).toEqual([]);
    const citing = single('zitat', 'Art. 6 Abs. 1 lit. e DSGVO', ['Art. 6 Abs. 1 lit. f DSGVO'], {
      explanation: 'Für Behörden gilt lit. e; das berechtigte Interesse (lit. f) ist ausgeschlossen.',
    });
    expect(checkLetterReferences(quiz([citing]))).toEqual([]);
  });
});

describe('checkKeyLength', () => {
  const longKey = (i: number): Record<string, unknown> =>
    single(`lang-${i}`, 'Die richtige und ausführlich begründete Antwort', ['Kurz', 'Auch kurz']);
  const middleKey = (i: number): Record<string, unknown> =>
    single(`mitte-${i}`, 'Mittellange Antwort', ['Kurz', 'Eine sehr viel längere falsche Antwort']);
  const shortKey = (i: number): Record<string, unknown> => single(`kurz-${i}`, 'Ja', ['Eine längere Antwort', 'Noch eine längere']);

  test('returns an error when more than 40 % of the keys are the longest option', () => {
    const q = quiz([longKey(1), longKey(2), longKey(3), middleKey(4), middleKey(5)]);
    expect(keyLengthShares(q)).toEqual({ items: 5, longest: 0.6, shortest: 0 });
    const findings = checkKeyLength(q);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toContain('Bei 3 von 5 Einfach- und Szenario-Fragen (60 %) ist die richtige Option die längste');
  });

  test('returns an error when more than 40 % of the keys are the shortest option', () => {
    const findings = checkKeyLength(quiz([shortKey(1), shortKey(2), shortKey(3), middleKey(4), longKey(5)]));
    expect(findings.map((f) => f.message)).toEqual([expect.stringContaining('die kürzeste')]);
  });

  test('returns nothing at exactly 40 %, and counts a tie as both longest and shortest', () => {
    expect(checkKeyLength(quiz([longKey(1), longKey(2), middleKey(3), middleKey(4), middleKey(5)]))).toEqual([]);
    const tie = single('gleich', 'Gleich', ['Gleich']);
    expect(keyLengthShares(quiz([tie]))).toEqual({ items: 1, longest: 1, shortest: 1 });
  });

  test('returns nothing for fewer than five single or scenario items (a share of two items says nothing)', () => {
    expect(checkKeyLength(quiz([longKey(1), longKey(2), longKey(3), longKey(4)]))).toEqual([]);
  });
});

describe('checkInFlux', () => {
  test.each([
    ['Seit dem 27.07.2026 gilt die Verordnung (EU) 2026/1744.', ['Verordnung (EU) 2026/1744', '27.07.2026']],
    ['Die Pflichten gelten ab dem 2. Dezember 2027.', ['2. Dezember 2027']],
    ['Anhang I folgt am 02.08.2028.', ['02.08.2028']],
    ['Der Chatbot fällt unter Artikel 50.', ['Art. 50']],
    ['Die neue Fassung von Art. 4 verlangt Maßnahmen.', ['neue Fassung von Art. 4']],
  ])('returns the in-flux facts in "%s"', (text, expected) => {
    expect(findInFluxMentions(text)).toEqual(expected);
  });

  test.each([
    'Art. 500 gibt es nicht.',
    'Art. 40 regelt Normen.',
    'Am 12. Dezember 2027 ist nichts.',
    'Art. 4 gilt für alle, die alte Fassung auch.',
  ])('returns nothing for "%s"', (text) => {
    expect(findInFluxMentions(text)).toEqual([]);
  });

  test('returns an error with the hint when an item mentions Art. 50 without imWandel and stand', () => {
    const findings = checkInFlux(quiz([single('art50', 'Art. 50 Abs. 4', ['Art. 5', 'Art. 6'])]));
    expect(findings).toEqual([
      expect.objectContaining({
        itemId: 'art50',
        severity: 'error',
        message: expect.stringContaining('imWandel: true und stand: JJJJ-MM-TT ergänzen'),
      }),
    ]);
  });

  test('returns an error for imWandel without stand, and nothing for a dated in-flux item', () => {
    const flagged = single('geaendert', 'Art. 50 Abs. 4', ['Art. 5'], { imWandel: true });
    expect(checkInFlux(quiz([flagged]))).toEqual([expect.objectContaining({ field: 'items.geaendert.stand', severity: 'error' })]);
    expect(checkInFlux(quiz([{ ...flagged, stand: '2026-12-03' }]))).toEqual([]);
    expect(checkInFlux(quiz([single('stabil', 'Art. 5', ['Art. 6'])]))).toEqual([]);
  });
});

describe('checkRetryPolicy', () => {
  const items = Array.from({ length: 8 }, (_, i) => single(`f${i}`, 'Antwort eins', ['Antwort zwei', 'Antwort drei']));
  test('returns nothing for a pool of twice the draw and a wait after a failed attempt', () => {
    expect(checkRetryPolicy(quiz(items, { draw: 4, retryWaitMinutes: 10 }))).toEqual([]);
  });
  test('returns an error naming the largest possible draw when the pool is smaller than twice the draw', () => {
    const [finding] = checkRetryPolicy(quiz(items, { draw: 5, retryWaitMinutes: 10 }));
    expect(finding).toMatchObject({ field: 'draw', severity: 'error' });
    expect(finding?.message).toContain('draw auf höchstens 4');
  });
  test('returns an error when a failed attempt can be retried at once', () => {
    expect(checkRetryPolicy(quiz(items, { draw: 4, retryWaitMinutes: 0 }))).toEqual([
      expect.objectContaining({ field: 'retryWaitMinutes' }),
    ]);
  });
});

describe('checkLeichteSprache', () => {
  const shortSentences = [
    'In dieser Lektion geht es um KI.',
    'KI heißt: Künstliche Intelligenz.',
    'Ein Computer-Programm schreibt Texte.',
    'Sie prüfen jeden Text.',
    'Sie entscheiden selbst.',
    'Sie fragen bei Fragen Ihre Chefin.',
    'Sie melden Fehler sofort.',
    'Das ist wichtig.',
    'Dann ist alles gut.',
    'Viel Erfolg!',
  ];

  test('splits sentences after . ! ? followed by a space or a line end', () => {
    expect(splitSentences('Erster Satz. Zweiter Satz!\nDritter Satz?\nVierter 2.0 bleibt ganz.')).toEqual([
      'Erster Satz.',
      'Zweiter Satz!',
      'Dritter Satz?',
      'Vierter 2.0 bleibt ganz.',
    ]);
  });

  test('returns an error for an upstream lesson without summary and a warning for an overlay lesson', () => {
    expect(checkLeichteSprache({ frontmatter: frontmatter(), origin: 'upstream' })).toEqual([
      expect.objectContaining({ field: 'leichteSprache', severity: 'error' }),
    ]);
    expect(checkLeichteSprache({ frontmatter: frontmatter(), origin: 'overlay' })).toEqual([
      expect.objectContaining({ field: 'leichteSprache', severity: 'warning' }),
    ]);
  });

  test('returns nothing when at most 10 % of the sentences have more than 15 words', () => {
    const oneLong = [
      ...shortSentences.slice(0, 9),
      'Dieser eine Satz ist mit Absicht viel zu lang, weil er sehr viele kleine Wörter hintereinander hat.',
    ];
    expect(checkLeichteSprache({ frontmatter: frontmatter(shortSentences.join('\n')), origin: 'upstream' })).toEqual([]);
    expect(checkLeichteSprache({ frontmatter: frontmatter(oneLong.join('\n')), origin: 'upstream' })).toEqual([]);
  });

  test('returns an error naming the longest sentence when more than 10 % are longer than 15 words', () => {
    const long1 = 'Dieser Satz ist mit Absicht viel zu lang, weil er sehr viele kleine Wörter hintereinander hat.';
    const long2 = 'Und auch dieser Satz hier ist leider viel zu lang, weil er noch mehr kleine Wörter als der andere Satz hat.';
    const text = [...shortSentences.slice(0, 8), long1, long2].join('\n');
    const findings = checkLeichteSprache({ frontmatter: frontmatter(text), origin: 'upstream' });
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toContain('2 von 10 Sätzen');
    expect(findings[0]?.message).toContain(`Längster Satz (21 Wörter): „${long2}“`);
  });
});

describe('the checks on items from the quizzes before the rewrite (tests/fixtures/content/old-items)', () => {
  const dir = 'tests/fixtures/content/old-items';
  const oldQuiz = (name: string): Quiz => quizSchema.parse(parse(readFileSync(`${dir}/${name}`, 'utf8')));

  test('returns letter-reference errors for the explanations that say "Richtig ist a" and "(d)", but not for "lit. f"', () => {
    const findings = checkLetterReferences(oldQuiz('letter-references.yaml'));
    expect(findings.map((f) => f.itemId)).toEqual(['warum-erfundene-paragrafen', 'protokollfrist']);
    expect(findings[0]?.message).toContain('„Richtig ist a“, „Option b“, „Option c“, „Option d“');
    expect(findings[1]?.message).toContain('„(d)“');
    expect(quizQualityStats(oldQuiz('letter-references.yaml')).letterReferences).toBe(2);
  });

  test('returns a key-length error for the quiz whose key is always the longest option', () => {
    const q = oldQuiz('key-always-longest.yaml');
    expect(keyLengthShares(q)).toMatchObject({ items: 5, longest: 1 });
    expect(checkKeyLength(q).map((f) => f.message)).toEqual([
      expect.stringContaining('Bei 5 von 5 Einfach- und Szenario-Fragen (100 %) ist die richtige Option die längste'),
    ]);
  });

  test('returns an in-flux error for the undated Art. 50 item, and for the undated Dezember-2027 item', () => {
    const findings = checkInFlux(oldQuiz('undated-art50.yaml'));
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toMatch(
      /Frage "art50-verschoben" nennt eine Rechtslage im Wandel \(.*Art\. 50.*\).*imWandel: true und stand: JJJJ-MM-TT ergänzen/,
    );
    expect(checkInFlux(oldQuiz('letter-references.yaml')).map((f) => f.itemId)).toContain('protokollfrist');
  });

  test('returns an error for the lesson without Leichte-Sprache summary', () => {
    const fm = matter(readFileSync(`${dir}/lesson-without-summary.mdx`, 'utf8')).data as Record<string, unknown>;
    if (fm.reviewed instanceof Date) fm.reviewed = fm.reviewed.toISOString().slice(0, 10);
    const findings = checkLeichteSprache({ frontmatter: lessonFrontmatterSchema.parse(fm), origin: 'upstream' });
    expect(findings).toEqual([
      expect.objectContaining({ severity: 'error', message: expect.stringContaining('Zusammenfassung in Leichter Sprache fehlt') }),
    ]);
  });

  test('fails every old quiz sample on at least one check', () => {
    for (const name of ['letter-references.yaml', 'key-always-longest.yaml', 'undated-art50.yaml'])
      expect(checkQuizQuality(oldQuiz(name)).length, name).toBeGreaterThan(0);
  });
});
