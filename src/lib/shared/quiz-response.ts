/**
 * A learner's response to one quiz item, as the browser sends it. The ids are the public ids of the item's view
 * model (`toPublicItem`), which the server maps to the authored ids before grading. The schemas check the shape
 * only; whether the ids exist and form a complete answer is checked against the item by `validateResponse`.
 * Browser-safe: depends on zod only.
 */
import { z } from 'zod';
import './zod-locale.ts';

/** Id of an option, step or matching entry: lowercase letters, digits, hyphens, at most 20 characters. */
export const responseIdSchema = z.string().regex(/^[a-z0-9-]{1,20}$/, 'id: a–z, 0–9, hyphen, 1–20 characters');

/** Single choice: the one chosen option. */
export const singleResponseSchema = z.strictObject({ type: z.literal('single'), optionId: responseIdSchema });

/** Scenario: the one chosen option. */
export const scenarioResponseSchema = z.strictObject({ type: z.literal('scenario'), optionId: responseIdSchema });

/** Multiple choice: every chosen option, each once. */
export const multipleResponseSchema = z.strictObject({
  type: z.literal('multiple'),
  optionIds: z
    .array(responseIdSchema)
    .min(1)
    .max(8)
    .refine((ids) => new Set(ids).size === ids.length, 'an option is chosen twice'),
});

/** True/false: the learner's verdict on the statement. */
export const trueFalseResponseSchema = z.strictObject({ type: z.literal('truefalse'), value: z.boolean() });

/** Ordering: every step id, in the order the learner put them. */
export const orderingResponseSchema = z.strictObject({
  type: z.literal('ordering'),
  order: z.array(responseIdSchema).min(1).max(8),
});

/** Matching: left id -> the right id the learner matched it with. */
export const matchingResponseSchema = z.strictObject({
  type: z.literal('matching'),
  pairs: z.record(responseIdSchema, responseIdSchema).refine((pairs) => {
    const n = Object.keys(pairs).length;
    return n >= 1 && n <= 8;
  }, '1–8 pairs'),
});

/** A response to any item type, discriminated by `type` (which must equal the item's type). */
export const itemResponseSchema = z.discriminatedUnion('type', [
  singleResponseSchema,
  multipleResponseSchema,
  trueFalseResponseSchema,
  orderingResponseSchema,
  matchingResponseSchema,
  scenarioResponseSchema,
]);

export type SingleResponse = z.infer<typeof singleResponseSchema>;
export type ScenarioResponse = z.infer<typeof scenarioResponseSchema>;
export type MultipleResponse = z.infer<typeof multipleResponseSchema>;
export type TrueFalseResponse = z.infer<typeof trueFalseResponseSchema>;
export type OrderingResponse = z.infer<typeof orderingResponseSchema>;
export type MatchingResponse = z.infer<typeof matchingResponseSchema>;
export type ItemResponse = z.infer<typeof itemResponseSchema>;
