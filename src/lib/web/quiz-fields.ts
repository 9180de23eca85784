/** Ids of a quiz item's form controls (QuizItemFields.astro), shared with the page's error summary. */
import type { PublicItem } from '../server/quizzes/public-item.ts';

/** Id of control `name` of an item (`prefix` separates the items of an all-on-one-page quiz). */
export const quizFieldId = (item: Pick<PublicItem, 'id'>, name: string, prefix = ''): string => `${prefix}${item.id}-${name}`;

/** Id of the item's first control: where the error summary's link takes the keyboard focus. */
export function firstQuizControlId(item: PublicItem, prefix = ''): string {
  switch (item.type) {
    case 'truefalse':
      return quizFieldId(item, 'wahr', prefix);
    case 'ordering':
      return quizFieldId(item, item.steps[0]?.id ?? '', prefix);
    case 'matching':
      return quizFieldId(item, item.lefts[0]?.id ?? '', prefix);
    default:
      return quizFieldId(item, item.options[0]?.id ?? '', prefix);
  }
}
