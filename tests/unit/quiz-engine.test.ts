import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { type AttemptLayout, drawAttempt, seededRandom } from '../../src/lib/server/quizzes/draw-attempt.ts';
import { gradeAttempt } from '../../src/lib/server/quizzes/grade-attempt.ts';
import { gradeItem, InvalidResponseError, validateResponse } from '../../src/lib/server/quizzes/grade-item.ts';
import { idTranslation, toPublicItem } from '../../src/lib/server/quizzes/public-item.ts';
import { type Quiz, type QuizItem, quizItemSchema, quizSchema } from '../../src/lib/shared/content-schema.ts';
import type { ItemResponse } from '../../src/lib/shared/quiz-response.ts';

// ---- factories -------------------------------------------------------------------------------------------------
type Kind = QuizItem['type'];
const source = { title: 'Verordnung (EU) 2024/1689 (KI-Verordnung)', section: 'Art. 4' };

/** A valid item of `kind` with entry ids `ids`; `correct` = correct option ids (single/multiple/scenario). */
function makeItem(kind: Kind, id: string, ids: string[], correct: string[] = [], answer = true): QuizItem {
  const base = {
    id,
    objective: 'ziel',
    prompt: `Frage ${id}?`,
    explanation: 'Darum ist die Antwort richtig und nicht die andere.',
    source,
  };
  const options = ids.map((o) => ({
    id: o,
    text: `Option ${o}`,
    correct: correct.includes(o),
    ...(kind === 'scenario' || o === 'b' ? { feedback: `Rückmeldung ${o}` } : {}),
  }));
  const raw = {
    single: { ...base, type: kind, options },
    multiple: { ...base, type: kind, options },
    scenario: { ...base, type: kind, options, case: 'Im Kreishaus soll ein neues KI-Werkzeug Bescheide vorformulieren.' },
    truefalse: { ...base, type: kind, answer },
    ordering: { ...base, type: kind, steps: ids.map((s) => ({ id: s, text: `Schritt ${s}` })) },
    matching: { ...base, type: kind, pairs: ids.map((p) => ({ id: p, left: `Links ${p}`, right: `Rechts ${p}` })) },
  }[kind];
  return quizItemSchema.parse(raw);
}

function makeQuiz(items: QuizItem[], overrides: Record<string, unknown> = {}): Quiz {
  return quizSchema.parse({ id: 'test-quiz', course: 'test-kurs', title: 'Wissenscheck', items, ...overrides });
}

const entryIds = (item: QuizItem): string[] =>
  'options' in item
    ? item.options.map((o) => o.id)
    : 'steps' in item
      ? item.steps.map((s) => s.id)
      : 'pairs' in item
        ? item.pairs.map((p) => p.id)
        : [];
const layoutOf = (item: QuizItem, order: string[]): AttemptLayout => ({ itemIds: [item.id], order: { [item.id]: order } });

const single = makeItem('single', 'single-item', ['a', 'b', 'c'], ['a']);
const scenario = makeItem('scenario', 'fall', ['a', 'b', 'c'], ['c']);
const multiple = makeItem('multiple', 'mehrfach', ['a', 'b', 'c', 'd', 'e'], ['a', 'b']);
const multipleMostlyRight = makeItem('multiple', 'mehrfach-2', ['a', 'b', 'c', 'd'], ['a', 'b', 'c']);
const truefalse = makeItem('truefalse', 'wahr-falsch', [], [], false);
const ordering = makeItem('ordering', 'reihenfolge', ['s1', 's2', 's3', 's4', 's5']);
const matching = makeItem('matching', 'zuordnung', ['p1', 'p2', 'p3', 'p4']);

// ---- arbitraries -----------------------------------------------------------------------------------------------
const idPool = ['a', 'b', 'c', 'd', 'e', 'f', 's1', 's2', 'constructor', 'p-1', 'o1', 'r1', 'l1'];
const sizes: Record<Kind, [number, number]> = {
  single: [2, 6],
  scenario: [2, 6],
  multiple: [3, 8],
  truefalse: [0, 0],
  ordering: [3, 8],
  matching: [2, 8],
};
const kinds = Object.keys(sizes) as Kind[];

function itemArb(itemIds: string[] = ['frage', 'constructor']): fc.Arbitrary<QuizItem> {
  return fc.constantFrom(...kinds).chain((kind) =>
    fc
      .record({
        id: fc.constantFrom(...itemIds),
        ids: fc.uniqueArray(fc.constantFrom(...idPool), { minLength: sizes[kind][0], maxLength: sizes[kind][1] }),
        flags: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
        pick: fc.nat(),
        answer: fc.boolean(),
      })
      .map(({ id, ids, flags, pick, answer }) => {
        let correct = [ids[pick % Math.max(1, ids.length)] ?? 'a'];
        if (kind === 'multiple') {
          correct = ids.filter((_, i) => flags[i]);
          if (correct.length === 0) correct = ids.slice(0, 1);
          if (correct.length === ids.length) correct = ids.slice(1);
        }
        return makeItem(kind, id, ids, correct, answer);
      }),
  );
}

/** Valid responses (authored ids) and every kind of invalid one, with ids from the item and from elsewhere. */
function responseArb(item: QuizItem, extraIds: string[] = []): fc.Arbitrary<ItemResponse> {
  const own = entryIds(item);
  const id = fc.constantFrom(...own, ...idPool, ...extraIds, 'zz');
  const valid: Record<Kind, () => fc.Arbitrary<unknown>> = {
    single: () => fc.constantFrom(...own).map((optionId) => ({ type: 'single', optionId })),
    scenario: () => fc.constantFrom(...own).map((optionId) => ({ type: 'scenario', optionId })),
    multiple: () => fc.subarray(own, { minLength: 1 }).map((optionIds) => ({ type: 'multiple', optionIds })),
    truefalse: () => fc.boolean().map((value) => ({ type: 'truefalse', value })),
    ordering: () => fc.shuffledSubarray(own, { minLength: own.length }).map((order) => ({ type: 'ordering', order })),
    matching: () =>
      fc
        .shuffledSubarray(own, { minLength: own.length })
        .map((r) => ({ type: 'matching', pairs: Object.fromEntries(own.map((l, i) => [l, r[i]])) })),
  };
  const junk = fc.oneof(
    fc.record({ type: fc.constantFrom('single', 'scenario'), optionId: id }),
    fc.record({ type: fc.constant('multiple'), optionIds: fc.array(id, { maxLength: 10 }) }),
    fc.record({ type: fc.constant('ordering'), order: fc.array(id, { maxLength: 10 }) }),
    fc.record({ type: fc.constant('matching'), pairs: fc.dictionary(id, id, { maxKeys: 10 }) }),
    fc.record({ type: fc.constant('truefalse'), value: fc.boolean() }),
    fc.anything(),
  );
  return fc.oneof(valid[item.type](), junk) as fc.Arbitrary<ItemResponse>;
}

// ---- tests -----------------------------------------------------------------------------------------------------
describe('seededRandom', () => {
  test('returns the same sequence when the seed is the same', () => {
    const a = seededRandom('attempt-42');
    const b = seededRandom('attempt-42');
    expect(Array.from({ length: 20 }, a)).toEqual(Array.from({ length: 20 }, b));
  });
  test('returns different sequences when the seeds differ', () => {
    expect(Array.from({ length: 5 }, seededRandom('a'))).not.toEqual(Array.from({ length: 5 }, seededRandom('b')));
  });
  test('returns numbers in [0, 1) for any seed', () => {
    fc.assert(
      fc.property(fc.string(), (seed) => {
        const random = seededRandom(seed);
        for (let i = 0; i < 50; i++) {
          const r = random();
          expect(r >= 0 && r < 1).toBe(true);
        }
      }),
    );
  });
});

describe('drawAttempt', () => {
  const pool = [single, scenario, multiple, truefalse, ordering, matching];
  test('returns quiz.draw distinct items from the pool when draw is set', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: pool.length }), fc.string(), (draw, seed) => {
        const layout = drawAttempt(makeQuiz(pool, { draw }), seededRandom(seed));
        expect(layout.itemIds).toHaveLength(draw);
        expect(new Set(layout.itemIds).size).toBe(draw);
        expect(layout.itemIds.every((id) => pool.some((item) => item.id === id))).toBe(true);
        expect(Object.keys(layout.order).sort()).toEqual([...layout.itemIds].sort());
      }),
    );
  });
  test('returns only items the learner has not seen in the last attempt when the pool holds twice the draw', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (first, second) => {
        const quiz = makeQuiz(pool, { draw: 3 });
        const before = drawAttempt(quiz, seededRandom(first));
        const retry = drawAttempt(quiz, seededRandom(second), new Set(before.itemIds));
        expect(retry.itemIds.filter((id) => before.itemIds.includes(id))).toEqual([]);
      }),
    );
  });
  test('returns seen items only to fill the draw when the pool is too small for a fresh set', () => {
    const quiz = makeQuiz(pool, { draw: 4 });
    const before = drawAttempt(quiz, seededRandom('a'));
    const retry = drawAttempt(quiz, seededRandom('b'), new Set(before.itemIds));
    expect(retry.itemIds).toHaveLength(4);
    expect(retry.itemIds.filter((id) => !before.itemIds.includes(id))).toHaveLength(2);
  });
  test('returns every item with a permutation of its entry ids when draw is absent', () => {
    const layout = drawAttempt(makeQuiz(pool), seededRandom('x'));
    expect([...layout.itemIds].sort()).toEqual(pool.map((i) => i.id).sort());
    for (const item of pool) expect([...(layout.order[item.id] ?? [])].sort()).toEqual(entryIds(item).sort());
    expect(layout.order[truefalse.id]).toEqual([]);
  });
  test('returns the same layout when the seed is the same', () => {
    const quiz = makeQuiz(pool, { draw: 4 });
    expect(drawAttempt(quiz, seededRandom('s'))).toEqual(drawAttempt(quiz, seededRandom('s')));
  });
  test('keeps item and option order but shuffles ordering steps and matching sides when shuffle is false', () => {
    fc.assert(
      fc.property(fc.string(), (seed) => {
        const layout = drawAttempt(makeQuiz(pool, { shuffle: false, draw: 5 }), seededRandom(seed));
        const positions = layout.itemIds.map((id) => pool.findIndex((item) => item.id === id));
        expect(positions).toEqual([...positions].sort((x, y) => x - y));
        for (const item of [single, scenario, multiple])
          if (layout.itemIds.includes(item.id)) expect(layout.order[item.id]).toEqual(entryIds(item));
        if (layout.itemIds.includes(ordering.id)) expect(layout.order[ordering.id]).not.toEqual(entryIds(ordering));
      }),
    );
  });
  test('returns ordering steps never in the correct order, for any seed', () => {
    const short = makeItem('ordering', 'kurz', ['s1', 's2', 's3']);
    fc.assert(
      fc.property(fc.string(), (seed) => {
        expect(drawAttempt(makeQuiz([short]), seededRandom(seed)).order.kurz).not.toEqual(['s1', 's2', 's3']);
      }),
    );
  });
  test('returns ordering steps not in the correct order when random is degenerate', () => {
    for (const random of [() => 0, () => 0.999999, () => 1, () => Number.NaN])
      expect(drawAttempt(makeQuiz([ordering]), random).order[ordering.id]).not.toEqual(entryIds(ordering));
  });
});

describe('toPublicItem', () => {
  test('returns options in layout order with positional ids and without answer keys', () => {
    const view = toPublicItem(single, layoutOf(single, ['c', 'a', 'b']));
    expect(view).toEqual({
      id: single.id,
      type: 'single',
      prompt: single.prompt,
      options: [
        { id: 'o1', text: 'Option c' },
        { id: 'o2', text: 'Option a' },
        { id: 'o3', text: 'Option b' },
      ],
    });
  });
  test('returns the case but no feedback when the item is a scenario', () => {
    const view = toPublicItem(scenario, layoutOf(scenario, ['a', 'b', 'c']));
    expect(view.type === 'scenario' && view.case).toBe(scenario.type === 'scenario' && scenario.case);
    expect(JSON.stringify(view)).not.toContain('Rückmeldung');
  });
  test('returns only id, type and prompt when the item is true/false', () => {
    expect(toPublicItem(truefalse, layoutOf(truefalse, []))).toEqual({ id: truefalse.id, type: 'truefalse', prompt: truefalse.prompt });
  });
  test('returns lefts in authored order and rights in layout order whose ids do not reveal the pairs', () => {
    const view = toPublicItem(matching, layoutOf(matching, ['p3', 'p1', 'p4', 'p2']));
    if (view.type !== 'matching') throw new Error('expected matching');
    expect(view.lefts.map((l) => l.text)).toEqual(['Links p1', 'Links p2', 'Links p3', 'Links p4']);
    expect(view.rights).toEqual([
      { id: 'r1', text: 'Rechts p3' },
      { id: 'r2', text: 'Rechts p1' },
      { id: 'r3', text: 'Rechts p4' },
      { id: 'r4', text: 'Rechts p2' },
    ]);
    expect(JSON.stringify(view)).not.toMatch(/"p\d"/);
  });
  test('returns ordering steps rotated when a layout would show the correct order', () => {
    const view = toPublicItem(ordering, layoutOf(ordering, entryIds(ordering)));
    expect(view.type === 'ordering' && view.steps.map((s) => s.text)).toEqual([
      'Schritt s2',
      'Schritt s3',
      'Schritt s4',
      'Schritt s5',
      'Schritt s1',
    ]);
  });
  test('throws when the layout does not fit the item', () => {
    expect(() => toPublicItem(single, layoutOf(single, ['a', 'b']))).toThrow(/does not fit/);
    expect(() => toPublicItem(single, layoutOf(single, ['a', 'a', 'b']))).toThrow(/does not fit/);
    expect(() => toPublicItem(single, { itemIds: [], order: {} })).toThrow(/does not fit/);
  });
  test('returns no answer keys and no correct ordering for any item and any layout', () => {
    const arb = itemArb().chain((item) =>
      fc.tuple(
        fc.constant(item),
        fc.oneof(
          fc.shuffledSubarray(entryIds(item), { minLength: entryIds(item).length }),
          fc.string().map((seed) => drawAttempt(makeQuiz([item]), seededRandom(seed)).order[item.id] ?? []),
        ),
      ),
    );
    fc.assert(
      fc.property(arb, ([item, order]) => {
        const view = toPublicItem(item, layoutOf(item, order));
        const json = JSON.stringify(view);
        for (const key of ['correct', 'answer', 'feedback', 'explanation', 'source']) expect(json).not.toContain(`"${key}":`);
        if (item.type === 'ordering' && view.type === 'ordering')
          expect(view.steps.map((s) => s.text)).not.toEqual(item.steps.map((s) => s.text));
      }),
    );
  });
});

describe('validateResponse', () => {
  const invalid: Array<[string, QuizItem, unknown]> = [
    ['the type differs from the item', single, { type: 'multiple', optionIds: ['a'] }],
    ['a scenario item gets a single response', scenario, { type: 'single', optionId: 'c' }],
    ['an option id is unknown', single, { type: 'single', optionId: 'z' }],
    ['a multiple choice names an option twice', multiple, { type: 'multiple', optionIds: ['a', 'a'] }],
    ['a multiple choice names an unknown option', multiple, { type: 'multiple', optionIds: ['a', 'x'] }],
    ['a multiple choice names no option', multiple, { type: 'multiple', optionIds: [] }],
    ['an ordering leaves out a step', ordering, { type: 'ordering', order: ['s1', 's2', 's3', 's4'] }],
    ['an ordering repeats a step', ordering, { type: 'ordering', order: ['s1', 's2', 's3', 's4', 's4'] }],
    ['an ordering names an unknown step', ordering, { type: 'ordering', order: ['s1', 's2', 's3', 's4', 's9'] }],
    ['a matching leaves out a left entry', matching, { type: 'matching', pairs: { p1: 'p1', p2: 'p2', p3: 'p3' } }],
    ['a matching uses a right entry twice', matching, { type: 'matching', pairs: { p1: 'p1', p2: 'p1', p3: 'p3', p4: 'p4' } }],
    ['a matching names an unknown left entry', matching, { type: 'matching', pairs: { p1: 'p1', p2: 'p2', p3: 'p3', px: 'p4' } }],
    ['a matching names a prototype key', matching, { type: 'matching', pairs: { p1: 'p1', p2: 'p2', p3: 'p3', constructor: 'p4' } }],
    ['the response has an unknown key', truefalse, { type: 'truefalse', value: true, correct: true }],
    ['the response is not an object', truefalse, 'true'],
  ];
  test.each(invalid)('throws InvalidResponseError when %s', (_, item, response) => {
    expect(() => validateResponse(item, response)).toThrow(InvalidResponseError);
  });
  test('returns the parsed response when it fits the item', () => {
    const response = { type: 'matching', pairs: { p1: 'p2', p2: 'p1', p3: 'p3', p4: 'p4' } };
    expect(validateResponse(matching, response)).toEqual(response);
  });
});

describe('gradeItem', () => {
  const score = (item: QuizItem, response: unknown): number => gradeItem(item, response as ItemResponse).score;
  test('returns 1 or 0 when the item is single choice, with the feedback of the chosen option', () => {
    expect(gradeItem(single, { type: 'single', optionId: 'a' })).toMatchObject({ score: 1, correct: true, feedback: [] });
    expect(gradeItem(single, { type: 'single', optionId: 'b' })).toMatchObject({
      score: 0,
      correct: false,
      feedback: [{ optionId: 'b', text: 'Rückmeldung b' }],
    });
  });
  test("returns 1 or 0 with the chosen option's feedback when the item is a scenario", () => {
    expect(gradeItem(scenario, { type: 'scenario', optionId: 'c' })).toMatchObject({
      score: 1,
      feedback: [{ optionId: 'c', text: 'Rückmeldung c' }],
    });
    expect(score(scenario, { type: 'scenario', optionId: 'a' })).toBe(0);
  });
  test('returns 1 or 0 when the item is true/false', () => {
    expect(score(truefalse, { type: 'truefalse', value: false })).toBe(1);
    expect(score(truefalse, { type: 'truefalse', value: true })).toBe(0);
  });
  test.each([
    [['a', 'b'], 1],
    [['a'], 0.5],
    [['a', 'b', 'c'], 2 / 3],
    [['a', 'c'], 0.5 - 1 / 3],
    [['a', 'c', 'd'], 0],
    [['c'], 0],
    [['a', 'b', 'c', 'd', 'e'], 0],
  ])('returns partial credit %j -> %d when the item is multiple choice', (optionIds, expected) => {
    expect(score(multiple, { type: 'multiple', optionIds })).toBeCloseTo(expected);
  });
  test('returns 0 when every option is picked, even when most are right', () => {
    expect(score(multipleMostlyRight, { type: 'multiple', optionIds: ['a', 'b', 'c', 'd'] })).toBe(0);
    expect(score(multipleMostlyRight, { type: 'multiple', optionIds: ['a', 'b', 'c'] })).toBe(1);
  });
  test.each([
    [['s1', 's2', 's3', 's4', 's5'], 1],
    [['s5', 's4', 's3', 's2', 's1'], 0],
    [['s2', 's1', 's3', 's4', 's5'], 0.5],
    [['s2', 's3', 's4', 's5', 's1'], 0.75],
    [['s1', 's3', 's2', 's4', 's5'], 0.25],
  ])('returns the share of kept neighbours for order %j when the item is ordering', (order, expected) => {
    expect(score(ordering, { type: 'ordering', order })).toBeCloseTo(expected);
  });
  test('returns the share of correct pairs when the item is matching', () => {
    expect(score(matching, { type: 'matching', pairs: { p1: 'p1', p2: 'p2', p3: 'p3', p4: 'p4' } })).toBe(1);
    expect(score(matching, { type: 'matching', pairs: { p1: 'p1', p2: 'p2', p3: 'p4', p4: 'p3' } })).toBe(0.5);
    expect(score(matching, { type: 'matching', pairs: { p1: 'p2', p2: 'p1', p3: 'p4', p4: 'p3' } })).toBe(0);
  });
  test('returns score 0 and responseValid false instead of throwing when the response is invalid', () => {
    expect(gradeItem(ordering, { type: 'ordering', order: ['s1', 's2'] })).toMatchObject({
      score: 0,
      correct: false,
      responseValid: false,
      feedback: [],
    });
  });
  test('returns score 0 and responseValid true when there is no response', () => {
    expect(gradeItem(single, undefined)).toMatchObject({ score: 0, responseValid: true });
  });
  test('returns the solution, explanation and source for showing after submit', () => {
    expect(gradeItem(multiple, undefined)).toMatchObject({
      solution: { type: 'multiple', optionIds: ['a', 'b'] },
      explanation: multiple.explanation,
      source,
    });
    expect(gradeItem(truefalse, undefined).solution).toEqual({ type: 'truefalse', value: false });
    expect(gradeItem(ordering, undefined).solution).toEqual({ type: 'ordering', order: ['s1', 's2', 's3', 's4', 's5'] });
    expect(gradeItem(matching, undefined).solution).toEqual({ type: 'matching', pairs: { p1: 'p1', p2: 'p2', p3: 'p3', p4: 'p4' } });
  });
  test('returns a score in [0, 1], never NaN, for any valid or invalid response', () => {
    const arb = itemArb().chain((item) => fc.tuple(fc.constant(item), responseArb(item)));
    fc.assert(
      fc.property(arb, ([item, response]) => {
        const grade = gradeItem(item, response);
        expect(grade.score >= 0 && grade.score <= 1).toBe(true);
        expect(grade.correct).toBe(grade.score === 1);
        if (!grade.responseValid) expect(grade.score).toBe(0);
      }),
      { numRuns: 500 },
    );
  });
  test('returns 1 when the response is the solution, for any item', () => {
    fc.assert(
      fc.property(itemArb(), (item) => {
        expect(gradeItem(item, gradeItem(item, undefined).solution).score).toBe(1);
      }),
    );
  });
});

describe('gradeAttempt', () => {
  const statements = ['eins', 'zwei', 'drei', 'vier', 'fuenf'].map((id) => makeItem('truefalse', id, [], [], false));
  const tfQuiz = makeQuiz(statements, { passMark: 0.8 });
  const tfLayout = drawAttempt(tfQuiz, seededRandom('tf'));
  const answers = (right: number): Record<string, ItemResponse> =>
    Object.fromEntries(statements.map((item, i) => [item.id, { type: 'truefalse', value: i >= right }]));

  test('returns passed when the score reaches the pass mark exactly', () => {
    expect(gradeAttempt(tfQuiz, tfLayout, answers(4))).toMatchObject({ score: 4, max: 5, percent: 80, passed: true });
  });
  test('returns not passed when the score is below the pass mark', () => {
    expect(gradeAttempt(tfQuiz, tfLayout, answers(3))).toMatchObject({ score: 3, percent: 60, passed: false });
  });
  test('returns score 0 for items without a response', () => {
    const grade = gradeAttempt(tfQuiz, tfLayout, {});
    expect(grade).toMatchObject({ score: 0, max: 5, passed: false });
    expect(grade.items.every((g) => g.responseValid)).toBe(true);
  });
  test('throws InvalidResponseError when a response names an item outside the layout', () => {
    const layout = drawAttempt(makeQuiz(statements, { draw: 2 }), seededRandom('d'));
    const prototypeKey: string = 'constructor';
    const outside = statements.find((s) => !layout.itemIds.includes(s.id))?.id ?? '';
    expect(() => gradeAttempt(tfQuiz, layout, { [outside]: { type: 'truefalse', value: false } })).toThrow(InvalidResponseError);
    expect(() => gradeAttempt(tfQuiz, layout, JSON.parse('{"__proto__": {"type": "truefalse", "value": true}}'))).toThrow(
      InvalidResponseError,
    );
    expect(() => gradeAttempt(tfQuiz, layout, { [prototypeKey]: { type: 'truefalse', value: true } })).toThrow(InvalidResponseError);
  });
  test('returns full marks when responses use the public ids of the view models', () => {
    const quiz = makeQuiz([single, multiple, ordering, matching, scenario]);
    const layout = drawAttempt(quiz, seededRandom('public'));
    const responses: Record<string, ItemResponse> = {};
    for (const item of quiz.items) {
      const view = toPublicItem(item, layout);
      const idOf = (list: Array<{ id: string; text: string }>, text: string): string => list.find((e) => e.text === text)?.id ?? '';
      if (view.type === 'single') responses[item.id] = { type: 'single', optionId: idOf(view.options, 'Option a') };
      if (view.type === 'scenario') responses[item.id] = { type: 'scenario', optionId: idOf(view.options, 'Option c') };
      if (view.type === 'multiple')
        responses[item.id] = { type: 'multiple', optionIds: [idOf(view.options, 'Option a'), idOf(view.options, 'Option b')] };
      if (view.type === 'ordering')
        responses[item.id] = { type: 'ordering', order: [...view.steps].sort((x, y) => x.text.localeCompare(y.text)).map((s) => s.id) };
      if (view.type === 'matching')
        responses[item.id] = {
          type: 'matching',
          pairs: Object.fromEntries(view.lefts.map((l) => [l.id, idOf(view.rights, l.text.replace('Links', 'Rechts'))])),
        };
    }
    const grade = gradeAttempt(quiz, layout, responses);
    expect(grade).toMatchObject({ score: 5, max: 5, percent: 100, passed: true });
    for (const g of grade.items) expect(g.solution).toEqual(responses[g.itemId]);
  });
  test('returns feedback in public ids when the item is a scenario', () => {
    const quiz = makeQuiz([scenario]);
    const layout = layoutOf(scenario, ['b', 'c', 'a']);
    const grade = gradeAttempt(quiz, layout, { [scenario.id]: { type: 'scenario', optionId: 'o3' } });
    expect(grade.items[0]).toMatchObject({ score: 0, feedback: [{ optionId: 'o3', text: 'Rückmeldung a' }], solution: { optionId: 'o2' } });
  });
  test('returns responseValid false when a response uses authored instead of public ids', () => {
    const quiz = makeQuiz([matching]);
    const grade = gradeAttempt(quiz, drawAttempt(quiz, seededRandom('m')), {
      [matching.id]: { type: 'matching', pairs: { p1: 'p1', p2: 'p2', p3: 'p3', p4: 'p4' } },
    });
    expect(grade.items[0]).toMatchObject({ score: 0, responseValid: false });
  });
  test('returns a score between 0 and max for any quiz, layout and responses', () => {
    const publicIds = ['o1', 'o2', 'o3', 's1', 's2', 's3', 'r1', 'r2', 'r3', 'l1', 'l2', 'l3'];
    const arb = fc
      .tuple(
        fc.uniqueArray(itemArb(['frage-1', 'frage-2', 'frage-3', 'constructor']), { minLength: 1, maxLength: 4, selector: (i) => i.id }),
        fc.string(),
        fc.nat(),
      )
      .chain(([items, seed, draw]) => {
        const quiz = makeQuiz(items, { draw: 1 + (draw % items.length), passMark: 0.5 });
        const layout = drawAttempt(quiz, seededRandom(seed));
        const drawn = quiz.items.filter((item) => layout.itemIds.includes(item.id));
        const responses = fc.tuple(...drawn.map((item) => fc.option(responseArb(item, publicIds), { nil: undefined })));
        return fc.tuple(
          fc.constant(quiz),
          fc.constant(layout),
          responses.map((rs) => Object.fromEntries(drawn.flatMap((item, i) => (rs[i] ? [[item.id, rs[i]]] : [])))),
        );
      });
    fc.assert(
      fc.property(arb, ([quiz, layout, responses]) => {
        const grade = gradeAttempt(quiz, layout, responses);
        expect(grade.max).toBe(layout.itemIds.length);
        expect(grade.score >= 0 && grade.score <= grade.max + 1e-9).toBe(true);
        expect(grade.percent >= 0 && grade.percent <= 100).toBe(true);
        expect(grade.passed).toBe(grade.score / grade.max >= 0.5 - 1e-9);
        const perfect = Object.fromEntries(grade.items.map((g) => [g.itemId, g.solution]));
        expect(gradeAttempt(quiz, layout, perfect)).toMatchObject({ score: grade.max, passed: true });
      }),
      { numRuns: 300 },
    );
  });
});

describe('idTranslation', () => {
  test('returns the authored response when given the public one, and back', () => {
    const layout = layoutOf(ordering, ['s3', 's1', 's5', 's2', 's4']);
    const ids = idTranslation(ordering, layout);
    const authored: ItemResponse = { type: 'ordering', order: ['s1', 's2', 's3', 's4', 's5'] };
    expect(ids.toPublic(authored)).toEqual({ type: 'ordering', order: ['s2', 's4', 's1', 's5', 's3'] });
    expect(ids.toItem(ids.toPublic(authored))).toEqual(authored);
  });
});

describe('gradeItem and the Stand', () => {
  test("returns the item's own Stand with the grade, and none for an item without one", () => {
    const dated = quizItemSchema.parse({ ...single, id: 'datiert', imWandel: true, stand: '2026-12-03' });
    expect(gradeItem(dated, undefined).stand).toBe('2026-12-03');
    expect(gradeItem(single, undefined)).not.toHaveProperty('stand');
  });
});
