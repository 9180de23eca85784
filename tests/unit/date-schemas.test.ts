import { describe, expect, test } from 'vitest';
import { assignPathInputSchema } from '../../src/lib/server/learning/assign-path.ts';
import { dueDateSchema, isoDateSchema } from '../../src/lib/shared/content-schema.ts';

describe('isoDateSchema', () => {
  test('returns an error for calendar dates that do not exist (no rollover into the next month)', () => {
    for (const s of ['2026-02-31', '2026-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00']) {
      expect(isoDateSchema.safeParse(s).success, s).toBe(false);
    }
  });
  test('accepts real dates, leap days included', () => {
    for (const s of ['2024-02-29', '2026-02-28', '2026-12-31', '2000-01-01']) expect(isoDateSchema.safeParse(s).success, s).toBe(true);
  });
});

describe('dueDateSchema', () => {
  const now = new Date();
  const inYears = (n: number): string => `${now.getUTCFullYear() + n}-01-01`;
  test('returns an error before 2020, more than 10 years ahead, or for an impossible date', () => {
    for (const s of ['1900-01-01', '2019-12-31', inYears(11), '2026-02-31']) expect(dueDateSchema.safeParse(s).success, s).toBe(false);
  });
  test('accepts dates from 2020 up to ten years ahead', () => {
    for (const s of ['2020-01-01', inYears(1), inYears(9)]) expect(dueDateSchema.safeParse(s).success, s).toBe(true);
  });
  test('is the rule of the assign-path input', () => {
    const base = { pathId: 'sachbearbeitung', userId: 'u1' };
    expect(assignPathInputSchema.safeParse({ ...base, dueOn: '2026-02-31' }).success).toBe(false);
    expect(assignPathInputSchema.safeParse({ ...base, dueOn: '1900-01-01' }).success).toBe(false);
    expect(assignPathInputSchema.safeParse({ ...base, dueOn: inYears(1) }).success).toBe(true);
    expect(assignPathInputSchema.safeParse({ ...base, dueOn: '' }).success).toBe(true);
  });
});
