import { describe, expect, test } from 'vitest';
import { endOfDayBerlin } from '../../src/lib/shared/dates.ts';
import { formatDate, formatLongDate } from '../../src/lib/shared/format.ts';

describe('endOfDayBerlin', () => {
  test('returns 23:59:59 Berlin time in winter and in summer, shown as the same calendar day', () => {
    expect(endOfDayBerlin('2027-01-15').toISOString()).toBe('2027-01-15T22:59:59.000Z');
    expect(endOfDayBerlin('2027-06-30').toISOString()).toBe('2027-06-30T21:59:59.000Z');
    expect(formatDate(endOfDayBerlin('2027-06-30'))).toBe('30.06.2027');
    expect(formatDate(endOfDayBerlin('2027-12-31'))).toBe('31.12.2027');
  });
});

describe('formatLongDate', () => {
  test('returns the day with the month written out, in Europe/Berlin', () => {
    expect(formatLongDate('2026-12-03')).toBe('3. Dezember 2026');
    expect(formatLongDate(new Date('2026-12-02T23:30:00Z'))).toBe('3. Dezember 2026');
    expect(formatLongDate('2026-12-03', 'en')).toBe('3 December 2026');
  });
});
