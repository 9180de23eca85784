/**
 * The small-group rules of every quiz item analysis (a cohort's, the district's): aggregates of quiz answers are shown
 * only where no one's answers can be read off. One place, so the multiplier's and the content team's views cannot
 * drift apart (decision records 011 and 020).
 * - An item is shown only when at least `minGroupSize` people answered it (district setting, never below 3).
 * - A group that a reader can compare with a bigger one (a filter against the whole) must differ from it by 0 or at
 *   least `minGroupSize` answering people: otherwise subtracting the two reveals a handful of people's answers.
 * - No option distribution when all answers fall on one option (everyone's answer would be known).
 */

/** Whether `answered` people are enough to show an item's figures. */
export function enoughAnswers(answered: number, minGroupSize: number): boolean {
  return answered >= minGroupSize;
}

/** Whether a group of `answered` people may be shown next to a comparable superset of `supersetAnswered` people. */
export function safeAgainstSuperset(answered: number, supersetAnswered: number, minGroupSize: number): boolean {
  const d = supersetAnswered - answered;
  return d === 0 || d >= minGroupSize;
}

/** Whether an option distribution may be shown: the answers did not all fall on one and the same choice. */
export function distributionShown(distinctAnswers: number): boolean {
  return distinctAnswers > 1;
}

/** German note for the distributions that are not shown. */
export const SAME_ANSWER_NOTE = 'Alle haben gleich geantwortet; die Verteilung wird deshalb nicht gezeigt.';
export const NO_OPTIONS_NOTE = 'Bei dieser Fragenart gibt es keine einzelnen Antwortoptionen.';
