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

describe('formatDate', () => {
  test('a date given as text reads the same the first and every later time, and a missing one as a dash', () => {
    for (let i = 0; i < 2; i++) {
      expect(formatDate('2026-11-30')).toBe('30.11.2026');
      expect(formatDate('2026-11-30T23:30:00Z')).toBe('01.12.2026');
      expect(formatDate(new Date('2026-11-30T23:30:00Z'))).toBe('01.12.2026');
    }
    expect(formatDate(null)).toBe('–');
    expect(formatDate('')).toBe('–');
  });

  test('keeps formatting correctly beyond the texts it keeps', () => {
    for (let d = 0; d < 1_200; d++) {
      const day = new Date(Date.UTC(2026, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
      const [y, m, dd] = day.split('-');
      expect(formatDate(day)).toBe(`${dd}.${m}.${y}`);
    }
  });
});
