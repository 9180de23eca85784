/**
 * Properties of the Excel CSV export (fast-check, seeded): whatever text people typed into names, org units or
 * reasons, no cell of the file starts a formula, no value adds a row or a column, and numbers and dates stay numbers
 * and dates. The file is read back with csv-parse as a spreadsheet would split it.
 */
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { safeCell, toExcelCsv } from '../../src/lib/server/exports/excel-csv.ts';
import { formatDate } from '../../src/lib/shared/format.ts';

const RUNS = { seed: 20261203, numRuns: 300 } as const;
const FORMULA_START = /^[=+\-@\t\r]/;

/** Text as people type it, with the characters that matter for CSV and formulas over-represented. */
const text = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc
    .tuple(fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', ';', '"', "'", ' ', ''), fc.string({ maxLength: 20 }))
    .map(([a, b]) => a + b),
  fc.constantFrom(
    '=HYPERLINK("https://evil.example","Klick")',
    '=1+1',
    '+49 170 1234567',
    '-3',
    '@SUM(A1:A9)',
    'A;B',
    'Zeile\r\nzwei',
    '"',
  ),
);
const cell = fc.oneof(
  text,
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }),
  fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }),
  fc.constant(null),
);

describe('safeCell', () => {
  test('never returns text that starts a formula, and changes nothing else', () => {
    fc.assert(
      fc.property(text, (v) => {
        const safe = safeCell(v);
        expect(safe).not.toMatch(FORMULA_START);
        if (FORMULA_START.test(v)) expect(safe).toBe(`'${v}`);
        else expect(safe).toBe(v);
      }),
      RUNS,
    );
  });
});

describe('toExcelCsv', () => {
  test('reads back as exactly the rows and columns given, text neutralised, numbers and dates as values', () => {
    fc.assert(
      fc.property(
        fc
          .array(text, { minLength: 1, maxLength: 5 })
          .chain((header) =>
            fc.tuple(
              fc.constant(header),
              fc.array(fc.array(cell, { minLength: header.length, maxLength: header.length }), { maxLength: 8 }),
            ),
          ),
        ([header, rows]) => {
          const csv = toExcelCsv(header, rows);
          expect(csv.startsWith('\uFEFF')).toBe(true);
          const back = parse(csv, { delimiter: ';', bom: true, record_delimiter: '\r\n', relax_column_count: false }) as string[][];
          expect(back.length).toBe(rows.length + 1);
          expect(back[0]).toEqual(header.map(safeCell));
          for (const [r, row] of rows.entries()) {
            const read = back[r + 1] as string[];
            expect(read.length).toBe(header.length);
            for (const [c, v] of row.entries()) {
              const got = read[c] as string;
              expect(got).not.toMatch(typeof v === 'number' ? /^[=+@\t\r]/ : FORMULA_START);
              if (v === null) expect(got).toBe('');
              else if (v instanceof Date) expect(got).toBe(formatDate(v));
              else if (typeof v === 'number') expect(Number(got.replace(',', '.')) === v, got).toBe(true);
              else expect(got).toBe(safeCell(v));
            }
          }
        },
      ),
      RUNS,
    );
  });
});
