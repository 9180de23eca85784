/**
 * Writes a prepared evidence export (prepare-evidence-export.ts) to a stream, one record at a time, in constant
 * memory beyond the selection itself:
 * - `csv-excel`: what German Excel opens with a double click: UTF-8 with BOM, `;`, dates dd.mm.yyyy, decimal commas;
 * - `csv`: plain RFC 4180 (comma, CRLF, quotes as needed), ISO dates (yyyy-mm-dd), decimal points;
 *   both begin with a block "what this is" (district, as-of date, cut-off, filters, fingerprint), an empty line,
 *   then the people table with its header row (also when no one is selected);
 * - `xlsx`: sheets Personen, Kurse, Organisationseinheiten, Präsenztermine (real date and number cells, frozen header
 *   row, filters) and Angaben (dates, filters, content versions, fingerprint); exceljs' streaming writer;
 * - `json`: `{ fingerprint, exportedAt, exportedBy, selection }`, the selection in canonical JSON
 *   (docs/evidence-export-schema.md);
 * - `pdf`: the report with summary, trend, training concept and annex (write-evidence-report.ts).
 * Formula injection: in CSV, a text cell starting with = + - @, tab or CR gets a leading apostrophe (the OWASP
 * advice); in XLSX every text is a typed string cell, which a spreadsheet never evaluates. Numbers and dates stay
 * numbers and dates. Dates are calendar days in Europe/Berlin.
 */

import { once } from 'node:events';
import { Readable, type Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { Style } from 'exceljs';
import { berlinDateAndTime } from '../../shared/dates.ts';
import { safeCell } from '../exports/excel-csv.ts';
import { sessionKindLabel } from '../sessions/session-labels.ts';
import { coverageClassLabel } from './coverage.ts';
import { berlinDay } from './evidence-dates.ts';
import { completionWayLabel, courseStateLabel, formatLabel, jobRoleName, pathStateLabel } from './evidence-labels.ts';
import {
  canonicalSelectionJson,
  type EvidenceCourseRecord,
  type EvidenceExport,
  type EvidenceFormat,
  type EvidencePersonRecord,
  type EvidenceSessionRecord,
  type EvidenceUnitRecord,
} from './prepare-evidence-export.ts';

/** `datetime`: a Berlin wall-clock instant; `hours`: a decimal number. */
type Kind = 'text' | 'date' | 'datetime' | 'int' | 'hours' | 'share';
type Value = string | number | null;
export interface Column<R> {
  header: string;
  kind: Kind;
  width?: number;
  get: (r: R) => Value;
}

const yesNo = (b: boolean): string => (b ? 'ja' : 'nein');

export const personColumns: Column<EvidencePersonRecord>[] = [
  { header: 'Name', kind: 'text', width: 28, get: (p) => p.name },
  { header: 'E-Mail', kind: 'text', width: 30, get: (p) => p.email },
  { header: 'Einheit (Kürzel)', kind: 'text', width: 12, get: (p) => p.orgUnit?.code ?? null },
  { header: 'Organisationseinheit', kind: 'text', width: 32, get: (p) => p.orgUnit?.name ?? null },
  { header: 'Tätigkeitsprofil', kind: 'text', width: 22, get: (p) => jobRoleName(p.jobRole) },
  { header: 'Lernpfad', kind: 'text', width: 24, get: (p) => p.path?.title ?? p.path?.id ?? null },
  { header: 'Lernpfad-Version', kind: 'text', width: 18, get: (p) => p.path?.version ?? null },
  { header: 'Nachweis', kind: 'text', width: 18, get: (p) => coverageClassLabel[p.coverage] },
  { header: 'Stand des Lernpfads', kind: 'text', width: 18, get: (p) => (p.path ? pathStateLabel[p.path.state] : null) },
  { header: 'Fällig am', kind: 'date', width: 12, get: (p) => p.path?.dueAt ?? null },
  { header: 'Pflichtkurse erledigt', kind: 'int', width: 10, get: (p) => p.path?.requiredDone ?? null },
  { header: 'Pflichtkurse gesamt', kind: 'int', width: 10, get: (p) => p.path?.requiredTotal ?? null },
  { header: 'Fortschritt in %', kind: 'int', width: 10, get: (p) => p.path?.percent ?? null },
  { header: 'Nachgewiesen seit', kind: 'date', width: 12, get: (p) => p.path?.completedAt ?? null },
  { header: 'Nächste Auffrischung', kind: 'date', width: 12, get: (p) => p.nextRefresherAt },
  { header: 'Gelöscht (pseudonymisiert)', kind: 'text', width: 10, get: (p) => yesNo(p.erased) },
  { header: 'Personen-ID', kind: 'text', width: 38, get: (p) => p.id },
];

/** With a period: what each person did in it, after the person columns. */
const activityColumns: Column<EvidencePersonRecord>[] = [
  { header: 'Lektionen im Zeitraum', kind: 'int', width: 10, get: (p) => p.activity?.lessonsCompleted ?? null },
  { header: 'Quizversuche im Zeitraum', kind: 'int', width: 10, get: (p) => p.activity?.quizAttempts ?? null },
  { header: 'davon bestanden', kind: 'int', width: 10, get: (p) => p.activity?.quizPassed ?? null },
  { header: 'Kursabschlüsse im Zeitraum', kind: 'int', width: 10, get: (p) => p.activity?.courseCompletions ?? null },
  { header: 'davon in Präsenz', kind: 'int', width: 10, get: (p) => p.activity?.inPerson ?? null },
];

/** The people table's columns of an export (the activity columns only when it has a period). */
export function personColumnsOf(exp: EvidenceExport): Column<EvidencePersonRecord>[] {
  return exp.head.filters.period ? [...personColumns, ...activityColumns] : personColumns;
}

type CourseRow = { person: EvidencePersonRecord; course: EvidenceCourseRecord };
const courseColumns: Column<CourseRow>[] = [
  { header: 'Name', kind: 'text', width: 28, get: (r) => r.person.name },
  { header: 'Einheit (Kürzel)', kind: 'text', width: 12, get: (r) => r.person.orgUnit?.code ?? null },
  { header: 'Kurs', kind: 'text', width: 32, get: (r) => r.course.title },
  { header: 'Kurs-ID', kind: 'text', width: 22, get: (r) => r.course.id },
  { header: 'Pflichtkurs', kind: 'text', width: 8, get: (r) => yesNo(r.course.required) },
  { header: 'Stand', kind: 'text', width: 20, get: (r) => courseStateLabel[r.course.state] },
  { header: 'Fortschritt in %', kind: 'int', width: 10, get: (r) => r.course.percent },
  { header: 'Lektionen erledigt', kind: 'int', width: 10, get: (r) => r.course.lessonsDone },
  { header: 'Lektionen gesamt', kind: 'int', width: 10, get: (r) => r.course.lessonsTotal },
  { header: 'Bestes Quizergebnis in %', kind: 'int', width: 10, get: (r) => r.course.quizBestPercent },
  { header: 'Abgeschlossen am', kind: 'date', width: 12, get: (r) => r.course.completedAt },
  { header: 'Kursversion', kind: 'text', width: 18, get: (r) => r.course.completedVersion },
  {
    header: 'Art des Abschlusses',
    kind: 'text',
    width: 12,
    get: (r) => (r.course.completedHow ? completionWayLabel[r.course.completedHow] : null),
  },
  { header: 'Auffrischung fällig am', kind: 'date', width: 12, get: (r) => r.course.refresherDueAt },
  { header: 'Fällig am', kind: 'date', width: 12, get: (r) => r.course.dueAt },
  { header: 'Personen-ID', kind: 'text', width: 38, get: (r) => r.person.id },
];

const unitColumns: Column<EvidenceUnitRecord>[] = [
  { header: 'Kürzel', kind: 'text', width: 12, get: (u) => u.code },
  { header: 'Organisationseinheit', kind: 'text', width: 36, get: (u) => `${'  '.repeat(u.depth)}${u.name}` },
  { header: 'Ebene', kind: 'int', width: 6, get: (u) => u.depth },
  { header: 'Aktive Beschäftigte', kind: 'int', width: 10, get: (u) => u.active },
  { header: 'mit Pflichtkursen', kind: 'int', width: 10, get: (u) => u.withPath },
  { header: 'nachgewiesen', kind: 'int', width: 10, get: (u) => u.covered },
  { header: 'Abdeckung (Anteil)', kind: 'share', width: 10, get: (u) => u.share },
  { header: 'überfällig', kind: 'int', width: 10, get: (u) => u.overdue },
  { header: 'noch nicht fällig', kind: 'int', width: 10, get: (u) => u.notDue },
  { header: 'ohne Pflichtkurse', kind: 'int', width: 10, get: (u) => u.noPath },
  { header: 'Auffrischung fällig', kind: 'int', width: 10, get: (u) => u.refresherDue },
];

const sessionColumns: Column<EvidenceSessionRecord>[] = [
  { header: 'Beginn', kind: 'datetime', width: 16, get: (s) => s.startsAt },
  { header: 'Art', kind: 'text', width: 16, get: (s) => sessionKindLabel[s.kind] },
  { header: 'Thema', kind: 'text', width: 36, get: (s) => s.topic },
  { header: 'Kurs', kind: 'text', width: 28, get: (s) => s.course?.title ?? null },
  { header: 'Lektion', kind: 'text', width: 28, get: (s) => s.lesson?.title ?? null },
  { header: 'Dauer in Stunden', kind: 'hours', width: 10, get: (s) => s.minutes / 60 },
  { header: 'Ort', kind: 'text', width: 28, get: (s) => s.place },
  { header: 'Online', kind: 'text', width: 8, get: (s) => yesNo(s.online) },
  { header: 'Leitung', kind: 'text', width: 30, get: (s) => s.leads.map((l) => l.name).join(', ') || null },
  { header: 'Kohorte', kind: 'text', width: 24, get: (s) => s.cohort.name },
  { header: 'Eingeladen', kind: 'int', width: 10, get: (s) => s.invited },
  { header: 'Anwesend', kind: 'int', width: 10, get: (s) => s.attended },
  { header: 'Abgesagt', kind: 'text', width: 8, get: (s) => yesNo(s.cancelled) },
  { header: 'Termin-ID', kind: 'text', width: 38, get: (s) => s.id },
];

/** dd.mm.yyyy of a Berlin calendar day. */
function germanDay(isoInstant: string): string {
  const [y, m, d] = berlinDay(new Date(isoInstant)).split('-');
  return `${d}.${m}.${y}`;
}

/** The "what this is" lines of every export. */
export function describeExport(exp: EvidenceExport, german: boolean): Array<[string, string]> {
  const h = exp.head;
  const day = (s: string): string => (german ? germanDay(s) : berlinDay(new Date(s)));
  const minute = (s: string): string => {
    const d = new Date(s);
    const time = new Intl.DateTimeFormat('de-DE', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Berlin' }).format(d);
    return `${day(s)} ${time}`;
  };
  return [
    ['Nachweis der KI-Kompetenz (Art. 4 KI-VO)', h.tenant.name],
    ['Stand am', minute(h.asOf)],
    ['Erfasst bis', minute(h.recordedBy)],
    [
      'Organisationseinheit',
      h.filters.orgUnit ? `${h.filters.orgUnit.code} ${h.filters.orgUnit.name} (mit untergeordneten Einheiten)` : 'alle',
    ],
    ['Tätigkeitsprofil', h.filters.jobRole ? jobRoleName(h.filters.jobRole) : 'alle'],
    ['Nachweis-Status', h.filters.status ? coverageClassLabel[h.filters.status] : 'alle'],
    [
      'Zeitraum der Aktivität',
      h.filters.period
        ? `${day(h.filters.period.from)} bis ${day(h.filters.period.to)} (nur Personen mit Lektionen, Quizversuchen oder Abschlüssen darin)`
        : 'ohne Einschränkung',
    ],
    ['Personen', String(exp.count)],
    [
      'Präsenztermine',
      `${h.sessions.length} (begonnen ${h.filters.period ? 'im Zeitraum' : 'bis zum Stichtag'}; eingeladene und anwesende Personen nur aus dieser Auswahl)`,
    ],
    [
      'Inhaltsversionen',
      h.contentVersions.map((v) => `${v.kind === 'path' ? 'Lernpfad' : 'Kurs'} ${v.id}@${v.version ?? 'aktuell'}`).join(', '),
    ],
    ['Fingerabdruck (SHA-256 des kanonischen JSON)', exp.fingerprint],
    ['Datenformat', `${h.schema} Version ${h.schemaVersion}`],
  ];
}

function csvCell(kind: Kind, v: Value, german: boolean): string {
  if (v === null) return '';
  if (kind === 'text') return safeCell(String(v));
  if (kind === 'date') return german ? germanDay(String(v)) : berlinDay(new Date(String(v)));
  if (kind === 'datetime') {
    const { time } = berlinDateAndTime(new Date(String(v)));
    return `${german ? germanDay(String(v)) : berlinDay(new Date(String(v)))} ${time}`;
  }
  if (kind === 'hours') {
    const s = String(Math.round((v as number) * 100) / 100);
    return german ? s.replace('.', ',') : s;
  }
  if (kind === 'share') {
    const s = (v as number).toFixed(4);
    return german ? s.replace('.', ',') : s;
  }
  return String(v);
}

async function writeCsv(exp: EvidenceExport, out: Writable, german: boolean): Promise<void> {
  function* records(): Generator<string[]> {
    for (const [k, v] of describeExport(exp, german)) yield [safeCell(k), safeCell(v)];
    yield [];
    const columns = personColumnsOf(exp);
    yield columns.map((c) => c.header);
    for (const p of exp.people()) yield columns.map((c) => csvCell(c.kind, c.get(p), german));
  }
  const stringifier = stringify({
    delimiter: german ? ';' : ',',
    bom: german,
    record_delimiter: 'windows',
  });
  await pipeline(Readable.from(records()), stringifier, out);
}

/** A Berlin calendar day as a spreadsheet date (midnight UTC, the form spreadsheets store days in). */
function sheetDay(isoInstant: string): Date {
  return new Date(`${berlinDay(new Date(isoInstant))}T00:00:00Z`);
}

/** An instant as a spreadsheet date and time: its Berlin wall-clock time (spreadsheets have no time zones). */
function sheetTime(isoInstant: string): Date {
  const { date, time } = berlinDateAndTime(new Date(isoInstant));
  return new Date(`${date}T${time}:00Z`);
}

function xlsxCell(kind: Kind, v: Value): string | number | Date | null {
  if (v === null) return null;
  if (kind === 'date') return sheetDay(String(v));
  if (kind === 'datetime') return sheetTime(String(v));
  return v;
}

const numFmt: Partial<Record<Kind, string>> = {
  date: 'dd.mm.yyyy',
  datetime: 'dd.mm.yyyy hh:mm',
  share: '0.0%',
  int: '0',
  hours: '0.00',
};

async function writeXlsx(exp: EvidenceExport, out: Writable): Promise<void> {
  // loaded for XLSX only: exceljs and its zip library add about 45 MB to a process that writes CSV or JSON
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'KIKO';
  const sheet = async <R>(name: string, columns: Column<R>[], rows: Iterable<R>): Promise<void> => {
    const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    // one style object per column, shared by all its cells: exceljs recognises a style object it has seen and skips
    // working out its style entry again (per cell, it would build a fresh copy of the column's style)
    const styles = columns.map((c) => (numFmt[c.kind] ? { numFmt: numFmt[c.kind] } : {}));
    ws.columns = columns.map((c, i) => ({ header: c.header, width: c.width ?? 14, style: styles[i] }));
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
    ws.getRow(1).font = { bold: true };
    ws.getRow(1).commit();
    let n = 0;
    for (const r of rows) {
      const row = ws.addRow(columns.map((c) => xlsxCell(c.kind, c.get(r))));
      row.eachCell({ includeEmpty: true }, (cell, col) => {
        cell.style = styles[col - 1] as Partial<Style>;
      });
      row.commit();
      // let the zip stream drain now and then
      if (++n % 2000 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    ws.commit();
  };
  await sheet('Personen', personColumnsOf(exp), exp.people());
  await sheet(
    'Kurse',
    courseColumns,
    (function* () {
      for (const person of exp.people()) for (const course of person.courses) yield { person, course };
    })(),
  );
  await sheet('Organisationseinheiten', unitColumns, exp.head.orgUnits);
  await sheet('Präsenztermine', sessionColumns, exp.head.sessions);
  const about = wb.addWorksheet('Angaben');
  about.columns = [
    { header: 'Angabe', width: 44 },
    { header: 'Wert', width: 90 },
  ];
  about.getRow(1).font = { bold: true };
  about.getRow(1).commit();
  for (const [k, v] of describeExport(exp, true)) about.addRow([k, v]).commit();
  about.commit();
  await wb.commit();
  await finished(out);
}

async function write(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

async function writeJson(exp: EvidenceExport, out: Writable, meta: { exportedAt: Date; exportedBy: string }): Promise<void> {
  await write(
    out,
    `{"fingerprint":${JSON.stringify(exp.fingerprint)},"exportedAt":${JSON.stringify(meta.exportedAt.toISOString())},"exportedBy":${JSON.stringify(meta.exportedBy)},"selection":`,
  );
  let buffer = '';
  for (const chunk of canonicalSelectionJson(exp.head, exp.peopleJson())) {
    buffer += chunk;
    if (buffer.length > 64 * 1024) {
      await write(out, buffer);
      buffer = '';
    }
  }
  await write(out, `${buffer}}\n`);
  out.end();
  await finished(out);
}

/** File name extension and media type of a format. */
export const formatFile: Record<EvidenceFormat, { ext: string; type: string; label: string }> = {
  'csv-excel': { ext: 'csv', type: 'text/csv; charset=utf-8', label: formatLabel['csv-excel'] },
  csv: { ext: 'csv', type: 'text/csv; charset=utf-8', label: formatLabel.csv },
  xlsx: { ext: 'xlsx', type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', label: formatLabel.xlsx },
  json: { ext: 'json', type: 'application/json', label: formatLabel.json },
  pdf: { ext: 'pdf', type: 'application/pdf', label: formatLabel.pdf },
};

/** A file name that says what the export holds: district, as-of day, filter and format. */
export function exportFileName(exp: EvidenceExport, format: EvidenceFormat): string {
  const unit = exp.head.filters.orgUnit ? `-${exp.head.filters.orgUnit.code.replace(/[^\p{L}\p{N}]+/gu, '')}` : '';
  const variant = format === 'csv-excel' ? '-excel' : '';
  return `nachweis-${exp.head.tenant.slug}-${berlinDay(new Date(exp.head.asOf))}${unit}${variant}.${formatFile[format].ext}`;
}

/** Writes the export in `format` to `out`, ends it and resolves once everything is written. */
export async function writeEvidenceExport(
  exp: EvidenceExport,
  format: EvidenceFormat,
  out: Writable,
  meta: { exportedAt: Date; exportedBy: string },
): Promise<void> {
  if (format === 'csv' || format === 'csv-excel') return writeCsv(exp, out, format === 'csv-excel');
  if (format === 'xlsx') return writeXlsx(exp, out);
  if (format === 'pdf') {
    // loaded on demand: pdfkit and the fonts are only needed for the report
    const { writeEvidenceReport } = await import('./write-evidence-report.ts');
    return writeEvidenceReport(exp, out);
  }
  return writeJson(exp, out, meta);
}
