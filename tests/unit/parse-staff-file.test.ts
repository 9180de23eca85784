/** Reading staff files: encodings, separators, line numbers, recognised headers and formula-like cells. */
import iconv from 'iconv-lite';
import { describe, expect, test } from 'vitest';
import { decodeStaffFile, detectDelimiter, parseStaffFile } from '../../src/lib/server/users/import/parse-staff-file.ts';
import { isFormulaLike, knownHeader, knownJobRole } from '../../src/lib/server/users/import/staff-fields.ts';

const text = 'Nachname;Vorname;E-Mail\nMüller;Jörg;j@lk.example\nGroß;Änne;a@lk.example\n';

describe('decodeStaffFile', () => {
  test('reads UTF-8 with and without BOM, UTF-16LE with BOM, Windows-1252 and ISO-8859-1 (as Windows-1252)', () => {
    expect(decodeStaffFile(Buffer.from(text))).toEqual({ text, encoding: 'UTF-8' });
    expect(decodeStaffFile(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]))).toEqual({ text, encoding: 'UTF-8' });
    expect(decodeStaffFile(Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf-16le')]))).toEqual({
      text,
      encoding: 'UTF-16LE',
    });
    expect(decodeStaffFile(iconv.encode(text, 'win1252'))).toEqual({ text, encoding: 'Windows-1252' });
    expect(decodeStaffFile(iconv.encode(`${text}€`, 'win1252')).text).toBe(`${text}€`);
    expect(decodeStaffFile(iconv.encode(text, 'latin1')).text).toBe(text);
  });
});

describe('parseStaffFile', () => {
  test('detects the separator and keeps the line number of every row, skipping empty lines', () => {
    expect(detectDelimiter('a;b;c')).toBe(';');
    expect(detectDelimiter('a,b,c')).toBe(',');
    expect(detectDelimiter('"Name, Vorname";E-Mail')).toBe(';');
    const f = parseStaffFile(Buffer.from('E-Mail,Name\r\n\r\na@lk.example,"Groß, Änne"\r\nb@lk.example,Bernd\r\n'));
    expect(f.delimiter).toBe(',');
    expect(f.headers).toEqual(['E-Mail', 'Name']);
    expect(f.rows).toEqual([
      { line: 3, cells: ['a@lk.example', 'Groß, Änne'] },
      { line: 4, cells: ['b@lk.example', 'Bernd'] },
    ]);
    expect(parseStaffFile(Buffer.from('E-Mail;Name\na@lk.example;A\n\nb@lk.example;B')).rows.map((r) => r.line)).toEqual([2, 4]);
  });
});

describe('staff fields', () => {
  test('recognises German and English headers and job roles without a mapping', () => {
    expect(['E-Mail', 'Email', 'e-mail-adresse'].map(knownHeader)).toEqual(['email', 'email', 'email']);
    expect(['Vorname', 'First name', 'Nachname', 'Last name', 'Name'].map(knownHeader)).toEqual([
      'firstName',
      'firstName',
      'lastName',
      'lastName',
      'lastName',
    ]);
    expect(['Organisationseinheit', 'Org unit', 'Abteilung', 'Funktion', 'Tätigkeitsprofil', 'Job role'].map(knownHeader)).toEqual([
      'orgUnit',
      'orgUnit',
      'orgUnit',
      'jobRole',
      'jobRole',
      'jobRole',
    ]);
    expect(['Personalnummer', 'Personnel number', 'Pers.-Nr.'].map(knownHeader)).toEqual(['externalId', 'externalId', 'externalId']);
    expect(knownHeader('Lieblingsfarbe')).toBeNull();
    expect(['Sachbearbeitung', 'Führungskraft', 'IT', 'sachbearbeitung'].map(knownJobRole)).toEqual([
      'sachbearbeitung',
      'fuehrungskraft',
      'it-digitalisierung',
      'sachbearbeitung',
    ]);
    expect(knownJobRole('Hausmeister')).toBeNull();
  });

  test('cells that a spreadsheet would run as a formula are recognised', () => {
    for (const c of ['=1+1', '+49', '-2', '@SUM(A1)', '\tx', '\rx']) expect(isFormulaLike(c), c).toBe(true);
    for (const c of ['Müller', 'a@lk.example', '12-3']) expect(isFormulaLike(c), c).toBe(false);
  });
});
