import { describe, expect, test } from 'vitest';
import { safeCell, toExcelCsv } from '../../src/lib/server/exports/excel-csv.ts';

describe('toExcelCsv', () => {
  test('returns UTF-8 with BOM, semicolons, CRLF and German dates; numbers stay numbers', () => {
    const csv = toExcelCsv(
      ['Name', 'Datum', 'Anteil'],
      [
        ['Jürgen Müller', new Date('2026-03-05T10:00:00Z'), 12.5],
        ['A; B', null, 3],
      ],
    );
    expect(csv).toBe('\uFEFFName;Datum;Anteil\r\nJürgen Müller;05.03.2026;12,5\r\n"A; B";;3\r\n');
  });

  test('neutralises text that a spreadsheet would run as a formula', () => {
    for (const v of ['=HYPERLINK("x")', '+1', '-2+3', '@SUM(A1)', '\tx', '\rx']) expect(safeCell(v)).toBe(`'${v}`);
    expect(safeCell('Müller-Lüdenscheidt')).toBe('Müller-Lüdenscheidt');
    expect(toExcelCsv(['x'], [['=1+1'], [-3]])).toBe("\uFEFFx\r\n'=1+1\r\n-3\r\n");
  });
});
