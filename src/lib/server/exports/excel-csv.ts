/**
 * CSV that German Excel opens as a table: UTF-8 with byte order mark, `;` as separator, CRLF, dates as TT.MM.JJJJ,
 * numbers as numbers. Text cells that a spreadsheet would read as a formula (starting with = + - @, tab or CR) get a
 * leading apostrophe (OWASP "CSV injection"), so a name like "=HYPERLINK(…)" stays text.
 */
import { stringify } from 'csv-stringify/sync';
import { formatDate } from '../../shared/format.ts';

export type CsvCell = string | number | Date | null | undefined;

/** Neutralises a text cell that would start a formula. */
export function safeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export function toExcelCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<CsvCell>>): string {
  const cells = rows.map((r) =>
    r.map((v) => {
      if (v === null || v === undefined) return '';
      if (v instanceof Date) return formatDate(v);
      // German Excel reads "12,5" as a number; integers stay as they are
      if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v).replace('.', ',');
      return safeCell(v);
    }),
  );
  return `\uFEFF${stringify([header.map((h) => safeCell(h)), ...cells], { delimiter: ';', record_delimiter: '\r\n' })}`;
}
