/**
 * Reads a staff file as HR systems and directories export it: the encoding is UTF-8 (with or without BOM), UTF-16 or
 * Windows-1252, the separator `;` or `,`. Valid UTF-8 is taken as UTF-8 (short German files fool statistical
 * detection, and valid multi-byte UTF-8 is practically never accidental Windows-1252); otherwise chardet decides
 * between UTF-16 and the single-byte encodings, which iconv-lite decodes (ISO-8859-1 is read as its superset
 * Windows-1252). The rows are parsed by csv-parse with their line numbers.
 */
import chardet from 'chardet';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { ValidationError } from '../../errors/domain-errors.ts';

export interface ParsedStaffFile {
  encoding: 'UTF-8' | 'UTF-16LE' | 'UTF-16BE' | 'Windows-1252';
  delimiter: ';' | ',';
  headers: string[];
  /** Data rows with the line of the file they end on (the header is line 1; a quoted line break spans two). */
  rows: Array<{ line: number; cells: string[] }>;
}

/** Most data rows a file may have (a district's staff with room to spare). */
export const MAX_IMPORT_ROWS = 200_000;

export function decodeStaffFile(buf: Buffer): { text: string; encoding: ParsedStaffFile['encoding'] } {
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return { text: buf.subarray(3).toString('utf8'), encoding: 'UTF-8' };
  if (buf[0] === 0xff && buf[1] === 0xfe) return { text: iconv.decode(buf.subarray(2), 'utf-16le'), encoding: 'UTF-16LE' };
  if (buf[0] === 0xfe && buf[1] === 0xff) return { text: iconv.decode(buf.subarray(2), 'utf-16be'), encoding: 'UTF-16BE' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(buf), encoding: 'UTF-8' };
  } catch {
    // not UTF-8: let the detector choose
  }
  const detected = chardet.detect(buf.subarray(0, 64 * 1024)) ?? '';
  if (detected === 'UTF-16LE' || detected === 'UTF-16BE') return { text: iconv.decode(buf, detected), encoding: detected };
  return { text: iconv.decode(buf, 'win1252'), encoding: 'Windows-1252' };
}

/** The separator of the header line: whichever of `;` and `,` occurs more often outside quotes. */
export function detectDelimiter(text: string): ';' | ',' {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  let semi = 0;
  let comma = 0;
  let quoted = false;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === ';') semi++;
    else if (!quoted && ch === ',') comma++;
  }
  return semi >= comma && semi > 0 ? ';' : ',';
}

export function parseStaffFile(buf: Buffer): ParsedStaffFile {
  if (buf.length === 0) throw new ValidationError('Die Datei ist leer.');
  const { text, encoding } = decodeStaffFile(buf);
  const delimiter = detectDelimiter(text);
  let records: Array<{ line: number; cells: string[] }>;
  try {
    // each record becomes its row as parsed (cells and the line it ends on), without csv-parse's info object
    records = parse(text, {
      delimiter,
      bom: true,
      on_record: ((cells: string[], context: { lines: number }) => ({ line: context.lines, cells })) as unknown as (
        r: string[],
      ) => string[],
      relax_column_count: true,
      // HR exports leave quotes inside unquoted cells (=HYPERLINK("…")); such a cell is read as it stands
      relax_quotes: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as Array<{ line: number; cells: string[] }>;
  } catch (e) {
    const line = (e as { lines?: number }).lines;
    throw new ValidationError(
      `Die Datei ist keine lesbare CSV-Datei${line ? ` (Problem in Zeile ${line})` : ''}: Prüfen Sie Anführungszeichen und Trennzeichen.`,
    );
  }
  const header = records[0];
  if (!header) throw new ValidationError('Die Datei ist leer.');
  const dataRows = records.length - 1;
  if (dataRows > MAX_IMPORT_ROWS)
    throw new ValidationError(`Die Datei hat ${dataRows} Zeilen; höchstens ${MAX_IMPORT_ROWS} sind möglich. Bitte teilen Sie sie auf.`);
  // the rows in place (no copy of 50,000 rows): the header out, rows of empty cells only dropped
  let kept = 0;
  for (let i = 1; i < records.length; i++) {
    const r = records[i] as { line: number; cells: string[] };
    if (r.cells.some((c) => c !== '')) records[kept++] = r;
  }
  records.length = kept;
  return { encoding, delimiter, headers: header.cells.map((h) => h.trim()), rows: records };
}
