/**
 * Properties of what parses input at the edge (fast-check, seeded and bounded): ids in forms and URLs, and the path
 * from a quiz form to a validated response. Whatever arrives, the parsers answer with a value or a refusal — never an
 * exception of another kind — and what they accept is only what the rule allows.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { loadContent } from '../../src/lib/server/content/load-content.ts';
import { drawAttempt, seededRandom } from '../../src/lib/server/quizzes/draw-attempt.ts';
import { InvalidResponseError, validateResponse } from '../../src/lib/server/quizzes/grade-item.ts';
import { idTranslation, toPublicItem } from '../../src/lib/server/quizzes/public-item.ts';
import { slugSchema } from '../../src/lib/shared/content-schema.ts';
import { responseFromForm } from '../../src/lib/shared/quiz-form.ts';
import { itemResponseSchema, responseIdSchema } from '../../src/lib/shared/quiz-response.ts';

/** Fixed seed: a failure prints its counterexample and reproduces with the same seed. */
const RUNS = { seed: 20261203, numRuns: 300 } as const;

/** Strings as they arrive from a form or a URL: any text, plus near-misses of valid ids. */
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom(
    '',
    ' ',
    '-',
    '--',
    'a-',
    '-a',
    'ä',
    'A',
    'a b',
    'a\n',
    'a\u0000',
    '../etc',
    '%2e%2e',
    "a'--",
    '<script>',
    'x'.repeat(21),
  ),
  fc.tuple(fc.stringMatching(/^[a-z0-9-]{1,20}$/), fc.string({ unit: 'binary', minLength: 1, maxLength: 3 })).map(([a, b]) => a + b),
);

describe('id schemas at the edge', () => {
  test('responseIdSchema accepts exactly lowercase letters, digits and hyphens (1–20) and never throws', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const r = responseIdSchema.safeParse(s);
        expect(r.success).toBe(/^[a-z0-9-]{1,20}$/.test(s));
        if (r.success) expect(r.data).toBe(s);
      }),
      RUNS,
    );
  });

  test('slugSchema accepts only words of a–z and 0–9 joined by single hyphens, nothing a path or query could abuse', () => {
    fc.assert(
      fc.property(fc.oneof(hostileString, fc.stringMatching(/^[a-z0-9]+(-[a-z0-9]+)*$/)), (s) => {
        const r = slugSchema.safeParse(s);
        if (r.success) {
          expect(s).toMatch(/^[a-z0-9]/);
          expect(s).not.toMatch(/--|-$|[^a-z0-9-]/);
        } else expect(s).not.toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      }),
      RUNS,
    );
  });

  test('the attempt id of the quiz actions (z.uuid) is a canonical UUID when accepted, whatever was sent', () => {
    const attemptId = z.uuid('Ungültiger Quizversuch.');
    fc.assert(
      fc.property(
        fc.oneof(
          hostileString,
          fc.uuid(),
          fc.uuid().map((u) => u.toUpperCase()),
          fc.uuid().map((u) => ` ${u}`),
        ),
        (s) => {
          const r = attemptId.safeParse(s);
          if (r.success) expect(r.data).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
          else expect(r.error.issues[0]?.message).toBe('Ungültiger Quizversuch.');
        },
      ),
      RUNS,
    );
  });

  test('itemResponseSchema never throws on any JSON value and accepts only public ids', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.record({ type: fc.constantFrom('single', 'scenario'), optionId: hostileString }),
          fc.record({ type: fc.constant('multiple'), optionIds: fc.array(hostileString, { maxLength: 10 }) }),
          fc.record({ type: fc.constant('ordering'), order: fc.array(hostileString, { maxLength: 10 }) }),
          fc.record({ type: fc.constant('matching'), pairs: fc.dictionary(hostileString, hostileString, { maxKeys: 10 }) }),
          fc.record({ type: fc.constant('truefalse'), value: fc.jsonValue() }),
        ),
        (value) => {
          const r = itemResponseSchema.safeParse(value);
          if (!r.success) return;
          const ids = JSON.stringify(r.data).match(/"[^"]*"/g) ?? [];
          for (const id of ids) expect(id.slice(1, -1)).toMatch(/^[a-z0-9-]{1,20}$|^(type|optionId|optionIds|order|pairs|value)$/);
        },
      ),
      RUNS,
    );
  });
});

describe('quiz form → response → validateResponse', () => {
  const content = loadContent({ root: process.cwd() });
  const items = [...content.quizzes.values()].flatMap((q) => q.quiz.items.map((item) => ({ quiz: q.quiz, item })));
  const fieldName = (prefix: string) =>
    fc.oneof(
      fc.constant(`${prefix}antwort`),
      fc.string({ maxLength: 12 }).map((s) => `${prefix}pos-${s}`),
      fc.string({ maxLength: 12 }).map((s) => `${prefix}paar-${s}`),
      fc.string({ maxLength: 12 }),
    );

  test('never throws anything but InvalidResponseError, and an accepted answer names only the item’s own entries', () => {
    expect(items.length).toBeGreaterThan(20);
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: items.length - 1 }),
        fc.string({ maxLength: 8 }),
        fc.array(fc.tuple(fieldName(''), hostileString), { maxLength: 12 }),
        fc.boolean(),
        (index, seed, randomFields, useOwnIds) => {
          const { quiz, item } = items[index] as (typeof items)[number];
          const layout = drawAttempt({ ...quiz, draw: quiz.items.length }, seededRandom(seed));
          const pub = toPublicItem(item, layout);
          // half the cases also carry the item's real public ids, so accepted answers occur
          const own: Array<[string, string]> = [];
          if (useOwnIds) {
            if ('options' in pub) own.push(['antwort', pub.options[0]?.id ?? '']);
            if (pub.type === 'truefalse') own.push(['antwort', 'wahr']);
            if (pub.type === 'ordering') for (const [i, s] of pub.steps.entries()) own.push([`pos-${s.id}`, String(i + 1)]);
            if (pub.type === 'matching') for (const [i, l] of pub.lefts.entries()) own.push([`paar-${l.id}`, pub.rights[i]?.id ?? '']);
          }
          const fields = [...own, ...randomFields];
          const read = (name: string): string[] => fields.filter(([n]) => n === name).map(([, v]) => v);
          const parsed = responseFromForm(pub, read);
          if (!parsed.ok) {
            expect(parsed.message).toMatch(/^(Bitte|Jede)/);
            return;
          }
          let validated: ReturnType<typeof validateResponse>;
          try {
            validated = validateResponse(item, idTranslation(item, layout).toItem(parsed.response));
          } catch (e) {
            expect(e).toBeInstanceOf(InvalidResponseError);
            return;
          }
          const authored = new Set(
            'options' in item
              ? item.options.map((o) => o.id)
              : 'steps' in item
                ? item.steps.map((s) => s.id)
                : 'pairs' in item
                  ? item.pairs.map((p) => p.id)
                  : [],
          );
          const named =
            validated.type === 'single' || validated.type === 'scenario'
              ? [validated.optionId]
              : validated.type === 'multiple'
                ? validated.optionIds
                : validated.type === 'ordering'
                  ? validated.order
                  : validated.type === 'matching'
                    ? [...Object.keys(validated.pairs), ...Object.values(validated.pairs)]
                    : [];
          for (const id of named) expect(authored.has(id), id).toBe(true);
          accepted++;
        },
      ),
      { ...RUNS, numRuns: 500 },
    );
    // not vacuous: a good share of the cases got through to a validated answer
    expect(accepted).toBeGreaterThan(50);
  });
});
