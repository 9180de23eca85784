/**
 * Draws the layout of one quiz attempt: which items, in which order, and in which order each item's options,
 * steps or right-hand matching entries are shown. Pure given `random`; with `seededRandom(seed)` the layout can be
 * recomputed from the attempt's stored seed (as long as the quiz has not changed).
 *
 * - `quiz.draw` items (default: all) are drawn from the pool without repetition.
 * - `quiz.shuffle: true` shuffles the drawn items and the options of single, multiple and scenario items;
 *   `false` keeps the authored order of both (the drawn subset is still random).
 * - Ordering steps are always shuffled and never shown in the correct order.
 * - Matching right-hand entries are always shuffled: in authored order each would stand next to its left partner.
 */
import type { Quiz, QuizItem } from '../../shared/content-schema.ts';

/** The drawn items of an attempt and the display order of each item's entries, in authored ids. */
export interface AttemptLayout {
  /** Ids of the drawn items, in display order. */
  itemIds: string[];
  /**
   * Per drawn item id: option ids (single, multiple, scenario), step ids (ordering) or the pair ids of the
   * right-hand entries (matching) in display order; [] for truefalse. Read with `Object.hasOwn`.
   */
  order: Record<string, string[]>;
}

/**
 * Deterministic pseudo-random numbers in [0, 1) from a string: the FNV-1a 32-bit hash of the seed's UTF-16 code
 * units is the start state of mulberry32 (public domain, https://gist.github.com/tommyettinger/46a874533244883189143505d203312c).
 * Not cryptographic: generate the seed itself randomly (e.g. `crypto.randomUUID()`) and keep it on the server.
 */
export function seededRandom(seed: string): () => number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) hash = Math.imul(hash ^ seed.charCodeAt(i), 0x01000193);
  let state = hash >>> 0;
  return (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Draws the items and display orders of a new attempt (see the module comment for the rules). Items of the
 * learner's previous attempt (`seen`) are drawn only when the unseen ones do not fill the draw: with a pool of at
 * least twice the draw (a content rule for quizzes that close a course) a retry meets only new questions, so the
 * solutions shown after each answer of the last attempt do not pass the next one.
 */
export function drawAttempt(quiz: Quiz, random: () => number, seen: ReadonlySet<string> = new Set()): AttemptLayout {
  const count = Math.min(quiz.draw ?? quiz.items.length, quiz.items.length);
  const fresh = shuffled(
    quiz.items.filter((item) => !seen.has(item.id)),
    random,
  );
  const again = shuffled(
    quiz.items.filter((item) => seen.has(item.id)),
    random,
  );
  const drawn = new Set([...fresh, ...again].slice(0, count));
  const items = quiz.shuffle ? [...drawn] : quiz.items.filter((item) => drawn.has(item));
  return {
    itemIds: items.map((item) => item.id),
    order: Object.fromEntries(items.map((item) => [item.id, displayOrder(item, quiz.shuffle, random)])),
  };
}

function displayOrder(item: QuizItem, shuffle: boolean, random: () => number): string[] {
  switch (item.type) {
    case 'single':
    case 'multiple':
    case 'scenario': {
      const ids = item.options.map((option) => option.id);
      return shuffle ? shuffled(ids, random) : ids;
    }
    case 'ordering':
      return shuffledAwayFrom(
        item.steps.map((step) => step.id),
        random,
      );
    case 'matching':
      return shuffled(
        item.pairs.map((pair) => pair.id),
        random,
      );
    case 'truefalse':
      return [];
  }
}

/** Fisher–Yates shuffle into a new array. */
function shuffled<T>(values: readonly T[], random: () => number): T[] {
  const out = [...values];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomIndex(random, i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * A shuffle of `ids` in any order but the given one (for ≥ 2 ids). Rejection sampling keeps the result uniform over
 * the other orders; a rotation by one is the fallback for a degenerate `random` (e.g. one that always returns 0).
 */
function shuffledAwayFrom(ids: readonly string[], random: () => number): string[] {
  if (ids.length < 2) return [...ids];
  for (let tries = 0; tries < 16; tries++) {
    const candidate = shuffled(ids, random);
    if (candidate.some((id, i) => id !== ids[i])) return candidate;
  }
  return [...ids.slice(1), ...ids.slice(0, 1)];
}

/** Integer in [0, n), robust against a `random` that returns 1, a negative number or NaN. */
function randomIndex(random: () => number, n: number): number {
  const r = random();
  return r >= 0 && r < 1 ? Math.min(n - 1, Math.floor(r * n)) : 0;
}
