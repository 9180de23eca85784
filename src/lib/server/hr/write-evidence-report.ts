/**
 * The evidence report as PDF (pdfkit; tagged, German, Noto Sans embedded): summary figures, the coverage trend as a
 * vector chart with its alt text, figures per org unit and job role, the training concept generated from the
 * learning paths valid at T (who learns what, why, how long, when, how often refreshed), the measures taken
 * (completions per course and how, in-person sessions by kind, the multiplier programme's cascade), and the per-person
 * table as annex per org unit. For more than
 * ANNEX_LIMIT people the annex is left to the XLSX export of the same selection. Every page carries a footer with
 * both dates, the fingerprint of the selection and the page number; the content versions have their own section.
 */
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import { pdfFontFaces, splitIntoFontRuns } from '../certificates/certificate-fonts.ts';
import { renderLineChart } from '../charts/line-chart.ts';
import { sessionKindLabel } from '../sessions/session-labels.ts';
import { type CoverageCounts, coverageClassLabel, germanOrder } from './coverage.ts';
import { berlinDay } from './evidence-dates.ts';
import { completionWayLabel, jobRoleName } from './evidence-labels.ts';
import type { EvidenceExport, EvidenceHead, EvidencePersonRecord } from './prepare-evidence-export.ts';
import { describeExport } from './write-evidence-export.ts';

/** Largest number of people listed in the PDF annex; beyond it the XLSX export carries the per-person table. */
export const ANNEX_LIMIT = 2000;

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 50;
const FOOTER = 40;

const germanDay = (iso: string | null): string => {
  if (!iso) return '–';
  const [y, m, d] = berlinDay(new Date(iso)).split('-');
  return `${d}.${m}.${y}`;
};

type Doc = PDFKit.PDFDocument;
type Struct = PDFKit.PDFStructureElement;

/** Text in the font subsets that cover it (names in any script), as one structure element of `role`. */
function runs(
  doc: Doc,
  text: string,
  size: number,
  bold: boolean,
  opts: PDFKit.Mixins.TextOptions & { x?: number; y?: number } = {},
): void {
  const parts = splitIntoFontRuns(text || ' ', bold ? 700 : 400);
  doc.fontSize(size);
  parts.forEach((r, i) => {
    doc.font(r.font);
    const last = i === parts.length - 1;
    if (i === 0 && opts.x !== undefined) doc.text(r.text, opts.x, opts.y, { ...opts, continued: !last });
    else doc.text(r.text, { ...opts, continued: !last });
  });
}

function block(doc: Doc, root: Struct, role: 'H1' | 'H2' | 'H3' | 'P', text: string, size = 10, bold = false): void {
  ensureSpace(doc, size * 3);
  root.add(doc.struct(role, {}, () => runs(doc, text, size, bold, { width: A4[0] - 2 * MARGIN })));
  doc.moveDown(role === 'P' ? 0.4 : 0.3);
}

function ensureSpace(doc: Doc, height: number): void {
  if (doc.y + height > A4[1] - MARGIN - FOOTER) doc.addPage();
}

/** A table as Table > TR > TH/TD structure, with the header repeated on each new page. */
function table(doc: Doc, root: Struct, headers: string[], widths: number[], rows: Iterable<string[]>): void {
  const size = 8;
  const rowHeight = 13;
  const t = doc.struct('Table');
  root.add(t);
  const cellText = (text: string, width: number): string => {
    const max = Math.max(4, Math.floor(width / (size * 0.5)));
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
  };
  const drawRow = (cells: string[], header: boolean): void => {
    ensureSpace(doc, rowHeight);
    const y = doc.y;
    const tr = doc.struct('TR');
    t.add(tr);
    let x = MARGIN;
    cells.forEach((c, i) => {
      const w = widths[i] ?? 60;
      const cx = x;
      tr.add(
        doc.struct(header ? 'TH' : 'TD', {}, () =>
          runs(doc, cellText(c, w - 4), size, header, { x: cx, y, width: w - 4, lineBreak: false }),
        ),
      );
      x += w;
    });
    tr.end();
    doc.x = MARGIN;
    doc.y = y + rowHeight;
    doc.markContent('Artifact', { type: 'Layout' });
    doc
      .moveTo(MARGIN, doc.y - 2)
      .lineTo(x, doc.y - 2)
      .lineWidth(header ? 0.8 : 0.3)
      .strokeColor('#8a94a0')
      .stroke();
    doc.endMarkedContent();
  };
  drawRow(headers, true);
  for (const r of rows) {
    // a new page repeats the header row
    if (doc.y + rowHeight > A4[1] - MARGIN - FOOTER) {
      doc.addPage();
      drawRow(headers, true);
    }
    drawRow(r, false);
  }
  t.end();
  doc.moveDown(0.8);
}

const countsRow = (label: string, c: CoverageCounts): string[] => [
  label,
  c.withPath > 0 ? `${c.percent} %` : '–',
  String(c.covered),
  String(c.withPath),
  String(c.overdue),
  String(c.notDue),
  String(c.refresherDue),
  String(c.active),
];
const countHeaders = ['Gruppe', 'Abdeckung', 'nachgew.', 'mit Pflicht', 'überfällig', 'nicht fällig', 'Auffr.', 'aktiv'];
const countWidths = [175, 50, 50, 55, 45, 55, 35, 30];

const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** Hours of some minutes in German, one decimal ("1,5"). */
const hours = (minutes: number): string =>
  (Math.round((minutes / 60) * 10) / 10).toLocaleString('de-DE', { minimumFractionDigits: 0, maximumFractionDigits: 1 });

/** The measures of the multiplier programme: in-person sessions by kind, then the cascade across all multipliers. */
function sessionMeasures(doc: Doc, root: Struct, h: EvidenceHead): void {
  const period = h.filters.period;
  const when = period ? `im Zeitraum ${germanDay(period.from)} bis ${germanDay(period.to)}` : `bis zum Stichtag ${germanDay(h.asOf)}`;
  block(doc, root, 'H3', 'Präsenztermine', 11, true);
  const held = h.sessions.filter((s) => !s.cancelled);
  const cancelled = h.sessions.length - held.length;
  const attendances = held.reduce((n, s) => n + s.attended, 0);
  const minutes = held.reduce((n, s) => n + s.minutes, 0);
  block(
    doc,
    root,
    'P',
    held.length > 0
      ? `${count(held.length, 'Präsenztermin', 'Präsenztermine')} ${when} mit zusammen ${hours(minutes)} Stunden und ${count(attendances, 'Teilnahme', 'Teilnahmen')} von Beschäftigten dieser Auswahl${cancelled > 0 ? `; ${count(cancelled, 'weiterer Termin wurde', 'weitere Termine wurden')} abgesagt` : ''}. Die Liste der Termine steht in der Excel-Arbeitsmappe (Blatt „Präsenztermine“).`
      : `Keine Präsenztermine ${when}${cancelled > 0 ? ` (${cancelled} abgesagt)` : ''}.`,
  );
  if (h.sessions.length > 0) {
    const byKind = new Map<string, { held: number; minutes: number; attended: number; cancelled: number }>();
    for (const s of h.sessions) {
      const e = byKind.get(s.kind) ?? { held: 0, minutes: 0, attended: 0, cancelled: 0 };
      if (s.cancelled) e.cancelled++;
      else {
        e.held++;
        e.minutes += s.minutes;
        e.attended += s.attended;
      }
      byKind.set(s.kind, e);
    }
    const rows = (Object.keys(sessionKindLabel) as Array<keyof typeof sessionKindLabel>)
      .filter((k) => byKind.has(k))
      .map((k) => {
        const e = byKind.get(k) as { held: number; minutes: number; attended: number; cancelled: number };
        return [sessionKindLabel[k], String(e.held), hours(e.minutes), String(e.attended), String(e.cancelled)];
      });
    rows.push(['Zusammen', String(held.length), hours(minutes), String(attendances), String(cancelled)]);
    table(doc, root, ['Art', 'stattgefunden', 'Stunden', 'Teilnahmen', 'abgesagt'], [175, 80, 80, 80, 80], rows);
  }

  const p = h.programme;
  block(doc, root, 'H3', 'Multiplikator:innen-Programm', 11, true);
  if (p.sessionsHeld === 0) {
    block(
      doc,
      root,
      'P',
      `${when[0]?.toUpperCase()}${when.slice(1)} haben Multiplikator:innen keine Präsenztermine für diese Auswahl gehalten.`,
    );
    return;
  }
  const shares =
    p.reachedCompletedPercent !== null && p.notReachedCompletedPercent !== null
      ? `Ihren Pflicht-Lernpfad abgeschlossen haben ${p.reachedCompletedPercent} % der Erreichten und ${p.notReachedCompletedPercent} % der übrigen.`
      : `Die Abschlussquoten der erreichten und der übrigen Beschäftigten werden nicht gezeigt, weil eine der beiden Gruppen kleiner als ${p.minGroupSize} Personen ist.`;
  block(
    doc,
    root,
    'P',
    `${count(p.multipliers, 'Multiplikator:in', 'Multiplikator:innen')} aus ${count(p.cohorts, 'Kohorte', 'Kohorten')} ${p.multipliers === 1 ? 'hat' : 'haben'} ${when} ${count(p.sessionsHeld, 'Termin', 'Termine')} mit ${hours(p.minutesHeld)} Stunden gehalten und damit ${p.reached} aktive Beschäftigte dieser Auswahl erreicht (mindestens einen Termin besucht); ${p.notReached} wurden noch nicht erreicht. ${shares}`,
  );
  table(
    doc,
    root,
    ['Kennzahl', 'Wert'],
    [335, 160],
    [
      ['Kohorten mit Terminen', String(p.cohorts)],
      ['Multiplikator:innen mit Terminen', String(p.multipliers)],
      ['Termine gehalten', String(p.sessionsHeld)],
      ['Stunden', hours(p.minutesHeld)],
      ['Teilnahmen', String(p.attendances)],
      ['Erreichte Beschäftigte', String(p.reached)],
      ['Noch nicht erreichte Beschäftigte', String(p.notReached)],
      [
        'Pflicht-Lernpfad abgeschlossen: erreicht / übrige',
        p.reachedCompletedPercent !== null && p.notReachedCompletedPercent !== null
          ? `${p.reachedCompletedPercent} % / ${p.notReachedCompletedPercent} %`
          : `nicht gezeigt (Gruppe unter ${p.minGroupSize})`,
      ],
    ],
  );
}

export async function writeEvidenceReport(exp: EvidenceExport, out: Writable): Promise<void> {
  const h = exp.head;
  const doc = new PDFDocument({
    size: A4,
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: MARGIN },
    pdfVersion: '1.7',
    tagged: true,
    lang: 'de-DE',
    displayTitle: true,
    bufferPages: true,
    font: '',
    info: {
      Title: `Nachweis der KI-Kompetenz (Art. 4 KI-VO) – ${h.tenant.name.replace(/[&<>]/g, ' ')}`,
      Author: h.tenant.name.replace(/[&<>]/g, ' '),
      Subject: `Stand am ${germanDay(h.asOf)}, Fingerabdruck ${exp.fingerprint}`,
      Creator: 'KIKO',
    },
  });
  for (const face of pdfFontFaces()) doc.registerFont(face.name, face.data);
  doc.pipe(out);
  const root = doc.struct('Document');
  doc.addStructure(root);
  const about = describeExport(exp, true);

  block(doc, root, 'H1', 'Nachweis der KI-Kompetenz nach Art. 4 KI-Verordnung', 18, true);
  block(doc, root, 'P', h.tenant.name, 12, true);
  for (const [k, v] of about.filter(([k]) => !['Inhaltsversionen', 'Datenformat'].includes(k)).slice(1))
    block(doc, root, 'P', `${k}: ${v}`, 9);

  const t = h.totals;
  block(doc, root, 'H2', 'Zusammenfassung', 14, true);
  block(
    doc,
    root,
    'P',
    t.withPath > 0
      ? `Abdeckung ${t.percent} %: ${t.covered} von ${t.withPath} aktiven Beschäftigten mit Pflichtkursen haben alle Pflichtkurse ihres Lernpfads abgeschlossen, und der Nachweis war am Stichtag gültig. ${t.overdue} waren überfällig, ${t.notDue} noch nicht fällig; bei ${t.refresherDue} stand eine Auffrischung an. ${t.noPath} aktive Beschäftigte hatten keine Pflichtkurse.`
      : 'In dieser Auswahl gab es am Stichtag keine aktiven Beschäftigten mit Pflichtkursen.',
  );

  const trend = exp.report?.trend ?? [];
  const shown = trend.filter((p) => p.counts.withPath > 0);
  if (shown.length > 0) {
    block(doc, root, 'H2', 'Entwicklung der Abdeckung', 14, true);
    const first = shown[0] as (typeof shown)[number];
    const last = shown[shown.length - 1] as (typeof shown)[number];
    const summary = `von ${first.counts.percent} % am ${germanDay(first.at.toISOString())} auf ${last.counts.percent} % am ${germanDay(last.at.toISOString())}`;
    block(doc, root, 'P', `Abdeckung am Ende jedes Monats, jeweils mit demselben Erfassungsstand: ${summary}.`);
    ensureSpace(doc, 190);
    const svg = renderLineChart({
      points: trend.map((p) => ({ at: p.at, value: p.counts.withPath > 0 ? p.counts.percent : null })),
      label: 'Abdeckung je Monat',
      summary,
      yLabel: 'Abdeckung in %',
      yDomain: [0, 100],
      width: 640,
      height: 240,
    });
    const y = doc.y;
    root.add(
      doc.struct('Figure', { alt: `Liniendiagramm: Abdeckung je Monat, ${summary}.` }, () =>
        SVGtoPDF(doc, svg.replace(/<style>[\s\S]*?<\/style>/, ''), MARGIN, y, {
          width: A4[0] - 2 * MARGIN,
          height: 180,
          fontCallback: () => 'NotoSans-latin-400',
          documentCallback: () => undefined,
          imageCallback: () => undefined,
          warningCallback: () => {},
        }),
      ),
    );
    doc.x = MARGIN;
    doc.y = y + 190;
  }

  block(doc, root, 'H2', 'Nach Organisationseinheit', 14, true);
  table(
    doc,
    root,
    countHeaders,
    countWidths,
    h.orgUnits.map((u) => countsRow(`${'  '.repeat(u.depth)}${u.code} ${u.name}`, u)),
  );

  const concept = exp.report?.concept ?? [];
  block(doc, root, 'H2', 'Schulungskonzept', 14, true);
  block(
    doc,
    root,
    'P',
    'Das Konzept ergibt sich aus den Lernpfaden, wie sie am Stichtag galten: welche Tätigkeitsprofile was lernen, warum, wie lange, bis wann und wie oft aufgefrischt wird.',
  );
  for (const c of concept) {
    block(doc, root, 'H3', c.title, 11, true);
    block(doc, root, 'P', `Für: ${c.jobRoles.map(jobRoleName).join(', ') || '–'}. ${c.summary}`);
    const minutes = c.required.reduce((s, x) => s + x.minutes, 0);
    block(
      doc,
      root,
      'P',
      `Pflicht: ${c.required.map((x) => `${x.title} (${x.minutes} Min.)`).join(', ') || '–'}; zusammen etwa ${minutes} Minuten. ${c.optional.length > 0 ? `Wahl: ${c.optional.map((x) => x.title).join(', ')}. ` : ''}Fällig ${c.dueDays} Tage nach der Zuweisung, Auffrischung alle ${c.refresherMonths} Monate.`,
    );
  }

  block(doc, root, 'H2', 'Ergriffene Maßnahmen', 14, true);
  block(doc, root, 'H3', 'Kursabschlüsse', 11, true);
  const completions = new Map<string, { title: string; online: number; 'in-person': number; recognised: number }>();
  const period = h.filters.period;
  const inPeriod = (at: string): boolean => !period || (at >= period.from && at <= period.to);
  for (const p of exp.people())
    for (const c of p.courses)
      if (c.completedAt && c.completedHow && inPeriod(c.completedAt)) {
        const e = completions.get(c.id) ?? { title: c.title, online: 0, 'in-person': 0, recognised: 0 };
        e[c.completedHow]++;
        completions.set(c.id, e);
      }
  block(
    doc,
    root,
    'P',
    period
      ? `Abgeschlossene Kurse der Personen dieser Auswahl im Zeitraum ${germanDay(period.from)} bis ${germanDay(period.to)}, nach Art des Abschlusses (letzter Abschluss je Kurs).`
      : 'Abgeschlossene Kurse der Personen dieser Auswahl bis zum Stichtag, nach Art des Abschlusses.',
  );
  table(
    doc,
    root,
    ['Kurs', completionWayLabel.online, completionWayLabel['in-person'], completionWayLabel.recognised],
    [255, 80, 80, 80],
    [...completions.values()]
      .sort((a, b) => germanOrder(a.title, b.title))
      .map((e) => [e.title, String(e.online), String(e['in-person']), String(e.recognised)]),
  );
  sessionMeasures(doc, root, h);

  block(doc, root, 'H2', 'Anhang: Personen nach Organisationseinheit', 14, true);
  if (exp.count > ANNEX_LIMIT) {
    block(
      doc,
      root,
      'P',
      `Die Auswahl umfasst ${exp.count} Personen; die Liste je Person steht in der Excel-Arbeitsmappe (XLSX) derselben Auswahl.`,
    );
  } else if (exp.count === 0) {
    block(doc, root, 'P', 'Keine Personen in dieser Auswahl.');
  } else {
    let unit: string | null | undefined;
    let batch: EvidencePersonRecord[] = [];
    const flush = (): void => {
      if (batch.length === 0) return;
      const u = batch[0]?.orgUnit;
      block(doc, root, 'H3', u ? `${u.code} ${u.name}` : 'Ohne Organisationseinheit', 11, true);
      table(
        doc,
        root,
        ['Name', 'Tätigkeitsprofil', 'Nachweis', 'Fällig am', 'Pflichtkurse', 'Nachgewiesen seit'],
        [150, 95, 80, 55, 55, 60],
        batch.map((p) => [
          p.name,
          jobRoleName(p.jobRole),
          coverageClassLabel[p.coverage],
          germanDay(p.path?.dueAt ?? null),
          p.path ? `${p.path.requiredDone} von ${p.path.requiredTotal}` : '–',
          germanDay(p.path?.completedAt ?? null),
        ]),
      );
      batch = [];
    };
    for (const p of exp.people()) {
      if (p.orgUnit?.id !== unit) {
        flush();
        unit = p.orgUnit?.id;
      }
      batch.push(p);
    }
    flush();
  }

  block(doc, root, 'H2', 'Inhaltsversionen am Stichtag', 14, true);
  for (const v of h.contentVersions)
    block(doc, root, 'P', `${v.kind === 'path' ? 'Lernpfad' : 'Kurs'} „${v.title}“ (${v.id}): ${v.version ?? 'aktuell'}`, 8);
  block(
    doc,
    root,
    'P',
    `Fingerabdruck der Auswahl (SHA-256 des kanonischen JSON, Datenformat ${h.schema} Version ${h.schemaVersion}): ${exp.fingerprint}. Dieselbe Auswahl als JSON-Export ergibt denselben Fingerabdruck.`,
    8,
  );
  root.end();

  // footers: both dates, fingerprint and page number on every page (layout artifacts, not content)
  const range = doc.bufferedPageRange();
  const stand = about.find(([k]) => k === 'Stand am')?.[1] ?? '';
  const erfasst = about.find(([k]) => k === 'Erfasst bis')?.[1] ?? '';
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.markContent('Artifact', { type: 'Pagination' });
    doc
      .font('NotoSans-latin-400')
      .fontSize(6)
      .fillColor('#333333')
      .text(
        `Stand am ${stand} · erfasst bis ${erfasst} · ${exp.fingerprint} · Seite ${i + 1} von ${range.count}`,
        MARGIN,
        A4[1] - MARGIN + 10,
        {
          width: A4[0] - 2 * MARGIN,
          lineBreak: false,
        },
      );
    doc.endMarkedContent();
    doc.fillColor('#000000');
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  await finished(out);
}
