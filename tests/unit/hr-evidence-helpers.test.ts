/** Pure helpers of HR's evidence: the two dates as HR enters them, the month ends of the trend, the line chart. */
import { parseHTML } from 'linkedom';
import { describe, expect, test } from 'vitest';
import { renderLineChart } from '../../src/lib/server/charts/line-chart.ts';
import { ValidationError } from '../../src/lib/server/errors/domain-errors.ts';
import { safeCell as neutralizeFormula } from '../../src/lib/server/exports/excel-csv.ts';
import { monthEnds } from '../../src/lib/server/hr/coverage-trend.ts';
import { berlinDay, berlinMinute, resolveEvidenceDates } from '../../src/lib/server/hr/evidence-dates.ts';

const now = new Date('2026-12-03T12:34:56Z');

describe('resolveEvidenceDates', () => {
  test('returns now to the minute without input, and for today', () => {
    const d = resolveEvidenceDates({}, now);
    expect(d.asOf.toISOString()).toBe('2026-12-03T12:34:00.000Z');
    expect(d.recordedBy).toEqual(d.asOf);
    expect(resolveEvidenceDates({ asOf: '2026-12-03' }, now).asOf.toISOString()).toBe('2026-12-03T12:34:00.000Z');
  });

  test('returns the end of a past day in Berlin, in ISO and German spelling, summer and winter', () => {
    expect(resolveEvidenceDates({ asOf: '2026-06-30' }, now).asOf.toISOString()).toBe('2026-06-30T21:59:00.000Z');
    expect(resolveEvidenceDates({ asOf: '30.06.2026' }, now).asOf.toISOString()).toBe('2026-06-30T21:59:00.000Z');
    expect(resolveEvidenceDates({ asOf: '2026-01-31' }, now).asOf.toISOString()).toBe('2026-01-31T22:59:00.000Z');
    expect(resolveEvidenceDates({ recordedBy: '2026-07-15T12:00' }, now).recordedBy.toISOString()).toBe('2026-07-15T10:00:00.000Z');
  });

  test('refuses days that do not exist and unreadable input with a German message', () => {
    expect(() => resolveEvidenceDates({ asOf: '31.02.2026' }, now)).toThrow(/Den 31.02.2026 gibt es nicht/);
    expect(() => resolveEvidenceDates({ asOf: 'gestern' }, now)).toThrow(ValidationError);
    expect(() => resolveEvidenceDates({ recordedBy: '2026-07-15T25:00' }, now)).toThrow(/gibt es nicht/);
  });

  test('the form values of an instant are its Berlin day and minute', () => {
    expect(berlinDay(new Date('2026-06-30T22:30:00Z'))).toBe('2026-07-01');
    expect(berlinMinute(new Date('2026-06-30T22:30:00Z'))).toBe('2026-07-01T00:30');
  });

  test('the Berlin minute agrees with the time zone database every quarter hour around the clock changes', () => {
    const tz = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin', dateStyle: 'short', timeStyle: 'short' });
    // the nights of the switches 2024–2030 and a few ordinary days, every 15 minutes over 48 hours
    const days = ['2024-03-31', '2024-10-27', '2026-03-29', '2026-10-25', '2030-03-31', '2030-10-27', '2026-01-01', '2026-12-31'];
    let checked = 0;
    for (const day of days) {
      const from = Date.parse(`${day}T00:00:00Z`) - 86_400_000;
      for (let t = from; t < from + 2 * 86_400_000; t += 15 * 60_000) {
        const d = new Date(t + 7_000);
        expect(berlinMinute(d), d.toISOString()).toBe(tz.format(d).replace(' ', 'T'));
        checked++;
      }
    }
    expect(checked).toBe(days.length * 192);
  });
});

describe('monthEnds', () => {
  test('gives the month ends before T and T itself, none before the record began', () => {
    const asOf = new Date('2026-12-03T12:00:00Z');
    const all = monthEnds(asOf, 24, new Date('2020-01-01'));
    expect(all).toHaveLength(24);
    expect(all.at(-1)).toEqual(asOf);
    expect(berlinMinute(all.at(-2) as Date)).toBe('2026-11-30T23:59');
    expect(berlinMinute(all[0] as Date)).toBe('2025-01-31T23:59');
    expect(monthEnds(asOf, 24, new Date('2026-10-15'))).toHaveLength(3);
  });
});

describe('renderLineChart', () => {
  test('is an SVG image with its label and summary, with no other ARIA labels inside', () => {
    const svg = renderLineChart({
      points: [
        { at: new Date('2026-10-31T22:59:00Z'), value: 40 },
        { at: new Date('2026-11-30T22:59:00Z'), value: null },
        { at: new Date('2026-12-03T12:00:00Z'), value: 72 },
      ],
      label: 'Abdeckung je Monat',
      summary: 'von 40 % auf 72 %',
      yLabel: 'Abdeckung in %',
      yDomain: [0, 100],
    });
    const { document } = parseHTML(`<html><body>${svg}</body></html>`);
    const root = document.querySelector('svg');
    expect(root?.getAttribute('role')).toBe('img');
    expect(root?.getAttribute('aria-label')).toBe('Abdeckung je Monat: von 40 % auf 72 %');
    expect(document.querySelectorAll('svg [aria-label]').length).toBe(0);
    expect(document.querySelectorAll('circle').length).toBe(2);
  });
});

describe('neutralizeFormula', () => {
  test('prefixes text that a spreadsheet would read as a formula and leaves other text alone', () => {
    for (const s of ['=1+1', '+49 123', '-2', '@SUM(A1)', '\tx', '\rx']) expect(neutralizeFormula(s)).toBe(`'${s}`);
    for (const s of ['Müller', "O'Brien", '1+1', ' =x']) expect(neutralizeFormula(s)).toBe(s);
  });
});
