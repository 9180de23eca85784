/**
 * Quality checks over parsed quizzes and lessons that the schemas cannot express: letter references in
 * shuffled items, a key that gives itself away by its length, undated facts in flux, and the Leichte-Sprache
 * summary of a lesson. Pure functions; the loader adds file and line and reports them with `kiko content check`.
 */
import type { LessonFrontmatter, Quiz, QuizItem } from '../../shared/content-schema.ts';

/** A finding of a quality check; the loader turns it into a ContentProblem with file and line. */
export interface QualityFinding {
  /** Quiz item the finding is about (absent for quiz-wide and lesson findings). */
  itemId?: string;
  /** Dotted field path, e.g. `items.kreisbot-rolle.options.b.feedback`. */
  field?: string;
  message: string;
  severity: 'error' | 'warning';
}

// ---------------------------------------------------------------------------------------------------------------
// a. Letter references ("Richtig ist a", "Option b", "(d)") in items whose options are shuffled per attempt
// ---------------------------------------------------------------------------------------------------------------

/** Item types whose options, steps or pairs learners see in shuffled order (when the quiz has `shuffle: true`). */
const SHUFFLED_TYPES: ReadonlySet<QuizItem['type']> = new Set(['single', 'multiple', 'scenario', 'ordering', 'matching']);

/** Option ids are letters a–h (up to eight options); a standalone letter is one with no letter, digit or hyphen next to it. */
const L = '[a-h]';
const NOT_AFTER = '(?<![\\p{L}\\d])';
const NOT_BEFORE = '(?![\\p{L}\\d-])';
/** Two or more letters joined by commas, "und", "oder", "sowie", "bzw.". */
const LIST_JOIN = '(?:\\s*,\\s*|\\s+(?:und|oder|sowie|bzw\\.)\\s+)';

/**
 * Legal citations that name a letter: "lit. a", "lit. b und c", "Buchst. e", "Nr. 3 Buchstabe a", "UAbs. 2 lit. (a)",
 * and the compact form "Art. 5(1)(a)". They are masked before the letter patterns run, so they never count.
 */
const CITATION_MASKS: RegExp[] = [
  new RegExp(
    `\\b(?:lit\\.|litera|Buchst\\.|Buchstabe[n]?|Ziff\\.|Ziffer[n]?)\\s*\\(?${L}\\)?(?:${LIST_JOIN}\\(?${L}\\)?${NOT_BEFORE})*`,
    'giu',
  ),
  new RegExp(`(?<=[\\d)])\\(${L}\\)`, 'gu'),
];

/** The patterns that find a reference to an option by its letter (run on the masked text). */
const LETTER_PATTERNS: RegExp[] = [
  // "Richtig ist a", "Richtig sind a, b und c", "Falsch ist d", "Option b", "Optionen b und c", "Antwort: c", "Variante a"
  new RegExp(
    `\\b(?:richtig(?:e Antwort)?\\s+(?:ist|sind|wäre|wären)|falsch\\s+(?:ist|sind)|Option(?:en)?|Antwort(?:en|möglichkeit|möglichkeiten)?(?:\\s+(?:ist|lautet))?|Variante[n]?|Alternative[n]?|Auswahl)(?:\\s*:\\s*|\\s+)\\(?${L}\\)?${NOT_BEFORE}`,
    'giu',
  ),
  // "(d)", "(b, c)", "(a und c)" – but not "Kolleg(e)" (letter right before the bracket)
  new RegExp(`${NOT_AFTER}\\(\\s*${L}(?:${LIST_JOIN}${L})*\\s*\\)`, 'gu'),
  // "b)" as an enumeration – but not "(b)" (above), "lit. b)" (masked) or "Nr. 5 b)" (a digit before)
  new RegExp(`(?<![\\p{L}\\d(.]|\\d\\s)${L}\\)`, 'gu'),
  // "a und c sind falsch", "b, c und d", "a oder b"
  new RegExp(`${NOT_AFTER}${L}(?:${LIST_JOIN}${L})+${NOT_BEFORE}`, 'gu'),
];

/** Returns the letter references in a text (empty when there are none), e.g. ["Richtig ist a", "(d)"]. */
export function findLetterReferences(text: string): string[] {
  let masked = text;
  for (const mask of CITATION_MASKS) masked = masked.replace(mask, (m) => '§'.repeat(m.length));
  const spans: Array<[number, number]> = [];
  for (const pattern of LETTER_PATTERNS) for (const m of masked.matchAll(pattern)) spans.push([m.index ?? 0, (m.index ?? 0) + m[0].length]);
  // overlapping matches ("Richtig sind a" and "a, b und c") are one reference
  spans.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [start, end] of spans) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged.map(([start, end]) => text.slice(start, end).trim());
}

/** The texts of an item that learners read after answering: explanation and feedback per option. */
function feedbackTexts(item: QuizItem): Array<{ field: string; text: string }> {
  const texts = [{ field: `items.${item.id}.explanation`, text: item.explanation }];
  if ('options' in item)
    for (const o of item.options) if (o.feedback) texts.push({ field: `items.${item.id}.options.${o.id}.feedback`, text: o.feedback });
  return texts;
}

/** Items of the quiz whose explanation or feedback names options by letter although the order is shuffled. */
export function letterReferenceItems(quiz: Quiz): Array<{ item: QuizItem; field: string; references: string[] }> {
  if (!quiz.shuffle) return [];
  const result: Array<{ item: QuizItem; field: string; references: string[] }> = [];
  for (const item of quiz.items) {
    if (!SHUFFLED_TYPES.has(item.type)) continue;
    for (const { field, text } of feedbackTexts(item)) {
      const references = findLetterReferences(text);
      if (references.length > 0) result.push({ item, field, references });
    }
  }
  return result;
}

export function checkLetterReferences(quiz: Quiz): QualityFinding[] {
  return letterReferenceItems(quiz).map(({ item, field, references }) => ({
    itemId: item.id,
    field,
    severity: 'error',
    message:
      `Frage "${item.id}": Verweis auf eine Option per Buchstabe (${references.map((r) => `„${r}“`).join(', ')}). ` +
      'Die Optionen werden in jedem Versuch gemischt, Lernende sehen andere Buchstaben. ' +
      'Nennen Sie die Option mit ihrem Inhalt, z. B. „Sechs Monate sind richtig, weil …“ statt „Richtig ist a“.',
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// b. Key length: the correct option should not regularly be the longest or the shortest
// ---------------------------------------------------------------------------------------------------------------

/** Highest share of single/scenario items whose key is the longest (or the shortest) option. */
export const KEY_LENGTH_MAX_SHARE = 0.4;
/** Below this many single/scenario items a share says nothing; the rule is not applied. */
export const KEY_LENGTH_MIN_ITEMS = 5;

export interface KeyLengthShares {
  /** Number of single and scenario items counted. */
  items: number;
  /** Share (0–1) whose correct option is at least as long as every other option. */
  longest: number;
  /** Share (0–1) whose correct option is at most as long as every other option. */
  shortest: number;
}

const length = (s: string): number => [...s.trim()].length;

export function keyLengthShares(quiz: Quiz): KeyLengthShares {
  let items = 0;
  let longest = 0;
  let shortest = 0;
  for (const item of quiz.items) {
    if (item.type !== 'single' && item.type !== 'scenario') continue;
    const key = item.options.find((o) => o.correct);
    if (!key) continue;
    items++;
    const others = item.options.filter((o) => o !== key).map((o) => length(o.text));
    if (others.every((n) => length(key.text) >= n)) longest++;
    if (others.every((n) => length(key.text) <= n)) shortest++;
  }
  return { items, longest: items ? longest / items : 0, shortest: items ? shortest / items : 0 };
}

const percent = (share: number): string => `${Math.round(share * 100)} %`;

export function checkKeyLength(quiz: Quiz): QualityFinding[] {
  const shares = keyLengthShares(quiz);
  if (shares.items < KEY_LENGTH_MIN_ITEMS) return [];
  const findings: QualityFinding[] = [];
  for (const [side, share, hint] of [
    ['längste', shares.longest, 'kürzen Sie die richtige Option oder ergänzen Sie die falschen'],
    ['kürzeste', shares.shortest, 'ergänzen Sie die richtige Option oder kürzen Sie die falschen'],
  ] as const)
    if (share > KEY_LENGTH_MAX_SHARE)
      findings.push({
        field: 'items',
        severity: 'error',
        message:
          `Bei ${Math.round(share * shares.items)} von ${shares.items} Einfach- und Szenario-Fragen (${percent(share)}) ist die richtige Option die ${side} ` +
          `(höchstens ${percent(KEY_LENGTH_MAX_SHARE)}). Wer rät, erkennt die Lösung an der Länge: ${hint}, ` +
          'damit die Optionen ähnlich lang sind.',
      });
  return findings;
}

// ---------------------------------------------------------------------------------------------------------------
// c. Facts in flux: flagged items need a Stand, and known in-flux facts need the flag
// ---------------------------------------------------------------------------------------------------------------

const ART = '\\bArt(?:\\.|ikel)\\s*';
/** Facts that changed in 2026 or are still moving (see the fact sheet); an item naming one must be dated. */
export const IN_FLUX_PATTERNS: ReadonlyArray<{ label: string; pattern: RegExp }> = [
  { label: 'Verordnung (EU) 2026/1744', pattern: /\b2026\/1744\b/ },
  { label: '02.12.2027', pattern: /\b0?2\.\s?12\.\s?2027\b/ },
  { label: '2. Dezember 2027', pattern: /\b2\.\s*Dezember\s+2027\b/ },
  { label: '02.08.2028', pattern: /\b0?2\.\s?0?8\.\s?2028\b/ },
  { label: '2. August 2028', pattern: /\b2\.\s*August\s+2028\b/ },
  { label: 'Art. 50', pattern: new RegExp(`${ART}50(?!\\d)`) },
  { label: '27.07.2026', pattern: /\b27\.\s?0?7\.\s?2026\b/ },
  { label: '27. Juli 2026', pattern: /\b27\.\s*Juli\s+2026\b/ },
  {
    label: 'neue Fassung von Art. 4',
    pattern: new RegExp(`neue[nrs]?\\s+Fassung[\\s\\S]{0,80}?${ART}4(?![\\d])|${ART}4(?![\\d])[\\s\\S]{0,80}?neue[nrs]?\\s+Fassung`),
  },
];

/** Labels of the in-flux facts a text mentions. */
export function findInFluxMentions(text: string): string[] {
  return IN_FLUX_PATTERNS.filter((p) => p.pattern.test(text)).map((p) => p.label);
}

/** Every text of an item a learner reads: case, prompt, options/steps/pairs with feedback, explanation. */
function itemTexts(item: QuizItem): string[] {
  const texts = [item.prompt, item.explanation];
  if (item.type === 'scenario') texts.push(item.case);
  if ('options' in item) for (const o of item.options) texts.push(o.text, o.feedback ?? '');
  if ('steps' in item) for (const s of item.steps) texts.push(s.text);
  if ('pairs' in item) for (const p of item.pairs) texts.push(p.left, p.right);
  return texts;
}

export function itemInFluxMentions(item: QuizItem): string[] {
  return [...new Set(itemTexts(item).flatMap(findInFluxMentions))];
}

/** Whether the item tests a fact in flux (flagged, or mentioning a known one). */
export function isInFlux(item: QuizItem): boolean {
  return item.imWandel || itemInFluxMentions(item).length > 0;
}

/** Whether an in-flux item carries what learners need to judge it: the flag and its Stand. */
export function isInFluxDated(item: QuizItem): boolean {
  return item.imWandel && item.stand !== undefined;
}

export function checkInFlux(quiz: Quiz): QualityFinding[] {
  const findings: QualityFinding[] = [];
  for (const item of quiz.items) {
    if (item.imWandel && !item.stand) {
      findings.push({
        itemId: item.id,
        field: `items.${item.id}.stand`,
        severity: 'error',
        message: `Frage "${item.id}" ist als imWandel markiert, hat aber keinen Stand: stand: JJJJ-MM-TT ergänzen (Tag der letzten Prüfung).`,
      });
      continue;
    }
    const mentions = itemInFluxMentions(item);
    if (mentions.length > 0 && !item.imWandel)
      findings.push({
        itemId: item.id,
        field: `items.${item.id}`,
        severity: 'error',
        message:
          `Frage "${item.id}" nennt eine Rechtslage im Wandel (${mentions.join(', ')}), ist aber nicht datiert: ` +
          'imWandel: true und stand: JJJJ-MM-TT ergänzen.',
      });
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------------------------
// d. Leichte Sprache: every upstream lesson has a summary, and its sentences are short
// ---------------------------------------------------------------------------------------------------------------

/** A sentence in Leichter Sprache has at most this many words … */
export const LEICHTE_SPRACHE_MAX_WORDS = 15;
/** … and at most this share of the sentences may be longer. */
export const LEICHTE_SPRACHE_MAX_LONG_SHARE = 0.1;

/** Sentences of a text: split after . ! ? when a space or the end of a line follows. */
export function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])(?:[ \t]+|\r?\n|$)/)
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => s.length > 0);
}

export function countWords(sentence: string): number {
  return sentence.split(/\s+/).filter(Boolean).length;
}

export function checkLeichteSprache(lesson: { frontmatter: LessonFrontmatter; origin: 'upstream' | 'overlay' }): QualityFinding[] {
  const summary = lesson.frontmatter.leichteSprache;
  if (!summary)
    return [
      lesson.origin === 'upstream'
        ? {
            field: 'leichteSprache',
            severity: 'error',
            message:
              'Zusammenfassung in Leichter Sprache fehlt: leichteSprache: | mit einem kurzen Satz je Zeile ergänzen (siehe docs/content-authoring.md).',
          }
        : {
            field: 'leichteSprache',
            severity: 'warning',
            message:
              'Diese Lektion des Landkreises hat keine Zusammenfassung in Leichter Sprache; die Ansicht „Leichte Sprache“ fehlt dann. Empfohlen: leichteSprache: | ergänzen.',
          },
    ];
  const sentences = splitSentences(summary);
  const long = sentences.filter((s) => countWords(s) > LEICHTE_SPRACHE_MAX_WORDS);
  if (sentences.length === 0 || long.length / sentences.length <= LEICHTE_SPRACHE_MAX_LONG_SHARE) return [];
  const longest = long.reduce((a, b) => (countWords(b) > countWords(a) ? b : a));
  return [
    {
      field: 'leichteSprache',
      severity: 'error',
      message:
        `${long.length} von ${sentences.length} Sätzen der Leichten Sprache haben mehr als ${LEICHTE_SPRACHE_MAX_WORDS} Wörter ` +
        `(erlaubt: höchstens ${percent(LEICHTE_SPRACHE_MAX_LONG_SHARE)}). Längster Satz (${countWords(longest)} Wörter): „${longest}“ – ` +
        'teilen Sie ihn in kurze Sätze mit je einer Aussage.',
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// e. A retry is a new check: the pool holds at least twice the draw, and a failed attempt means a short wait
// ---------------------------------------------------------------------------------------------------------------

/** Minutes a learner waits after a failed attempt at a quiz that closes a course (docs/decisions/009). */
export const MIN_RETRY_WAIT_MINUTES = 10;

/**
 * A quiz that closes a course (its certificate depends on it) shows the solution after every answer; the next attempt
 * draws items of the last one only when the pool runs short (draw-attempt.ts). So the pool must hold at least twice the
 * draw, and a failed attempt is followed by a wait.
 */
export function checkRetryPolicy(quiz: Quiz): QualityFinding[] {
  const findings: QualityFinding[] = [];
  const draw = quiz.draw ?? quiz.items.length;
  if (quiz.items.length < 2 * draw)
    findings.push({
      field: 'draw',
      severity: 'error',
      message:
        `Der Fragenpool (${quiz.items.length}) ist kleiner als das Doppelte der gezogenen Fragen (draw: ${draw}). Ein zweiter Versuch ` +
        `träfe auf Fragen, deren Lösung gerade angezeigt wurde: draw auf höchstens ${Math.floor(quiz.items.length / 2)} setzen oder Fragen ergänzen.`,
    });
  if (quiz.retryWaitMinutes < MIN_RETRY_WAIT_MINUTES)
    findings.push({
      field: 'retryWaitMinutes',
      severity: 'error',
      message: `Nach einem nicht bestandenen Versuch sollen mindestens ${MIN_RETRY_WAIT_MINUTES} Minuten Wartezeit liegen (retryWaitMinutes: ${quiz.retryWaitMinutes}).`,
    });
  return findings;
}

/** All quiz checks (a–c, e) of one quiz. */
export function checkQuizQuality(quiz: Quiz): QualityFinding[] {
  return [...checkLetterReferences(quiz), ...checkKeyLength(quiz), ...checkInFlux(quiz), ...checkRetryPolicy(quiz)];
}
