/**
 * Server-rendered SVG charts (Observable Plot on a linkedom document): readable without JavaScript, each with
 * role="img", an aria-label, a text summary for screen readers and a table alternative (rendered by
 * src/components/Chart.astro). Multiplier and HR pages share them.
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';

/** A table with the same figures as the chart. */
export interface ChartTable {
  caption: string;
  columns: string[];
  rows: Array<Array<string | number>>;
}

export interface Chart {
  /** Short name of the chart (figure caption and aria-label). */
  label: string;
  /** The chart's message in one or two sentences (read by screen readers, shown under the chart). */
  summary: string;
  svg: string;
  table: ChartTable;
  /** Colour key of the series (shown as an HTML legend). */
  legend: Array<{ label: string; color: string }>;
}

/** Colour-blind-safe series colours (Okabe–Ito), dark enough against white. */
export const seriesColors = ['#0072b2', '#56b4e9', '#d55e00', '#999999', '#cc79a7', '#009e73', '#e69f00'];

function countOf(values: Readonly<Record<string, unknown>> | undefined, key: string): number {
  const v = Number(values?.[key] ?? 0);
  return Number.isFinite(v) ? v : 0;
}

/**
 * Plot writes font-variant="tabular-nums" on axis groups, which SVG's font-variant attribute does not accept (the
 * browser tests check every page's HTML); as a style it is the CSS property it means.
 */
export function validSvgAttributes(svg: Element): void {
  for (const part of svg.querySelectorAll('[font-variant]')) {
    const value = part.getAttribute('font-variant');
    part.removeAttribute('font-variant');
    if (value === 'tabular-nums') part.setAttribute('style', `font-variant-numeric:tabular-nums;${part.getAttribute('style') ?? ''}`);
  }
}

function render(make: (document: Document) => Element, label: string, summary: string): string {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const el = make(document as unknown as Document);
  const svg = el.tagName.toLowerCase() === 'svg' ? el : el.querySelector('svg');
  if (!svg) return '';
  // the chart is one image: its parts carry no roles or labels of their own (the table alternative has the figures)
  for (const part of svg.querySelectorAll('[aria-label], [aria-description], [aria-hidden]')) {
    part.removeAttribute('aria-label');
    part.removeAttribute('aria-description');
    part.removeAttribute('aria-hidden');
  }
  validSvgAttributes(svg);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `${label}. ${summary}`);
  svg.removeAttribute('aria-description');
  return svg.outerHTML;
}

/**
 * Horizontal stacked bars: one bar per category (course, job role), one segment per series (state), counts of people.
 */
export function stackedBarChart(opts: {
  label: string;
  summary: string;
  categoryHeading: string;
  categories: string[];
  series: Array<{ key: string; label: string }>;
  /** Per category (same order): series key → count (other keys are ignored). */
  values: ReadonlyArray<Readonly<Record<string, unknown>>>;
}): Chart {
  const colors = opts.series.map((_, i) => seriesColors[i % seriesColors.length] as string);
  const data = opts.categories.flatMap((category, i) =>
    opts.series.map((s) => ({ category, series: s.label, value: countOf(opts.values[i], s.key) })),
  );
  const longest = Math.max(10, ...opts.categories.map((c) => c.length));
  const svg = render(
    (document) =>
      Plot.plot({
        document,
        width: 760,
        height: 40 + opts.categories.length * 30,
        marginLeft: Math.min(340, Math.round(5.6 * longest) + 14),
        x: { label: 'Personen', grid: true },
        y: { label: null, domain: opts.categories },
        color: { domain: opts.series.map((s) => s.label), range: colors },
        marks: [
          Plot.barX(data, Plot.stackX({ x: 'value', y: 'category', fill: 'series', order: opts.series.map((s) => s.label) })),
          Plot.ruleX([0]),
        ],
      }) as unknown as Element,
    opts.label,
    opts.summary,
  );
  return {
    label: opts.label,
    summary: opts.summary,
    svg,
    legend: opts.series.map((s, i) => ({ label: s.label, color: colors[i] as string })),
    table: {
      caption: opts.label,
      columns: [opts.categoryHeading, ...opts.series.map((s) => s.label)],
      rows: opts.categories.map((c, i) => [c, ...opts.series.map((s) => countOf(opts.values[i], s.key))]),
    },
  };
}

/** Columns over time: one per week (start date and count). */
export function weeklyChart(opts: {
  label: string;
  summary: string;
  valueHeading: string;
  weeks: Array<{ start: Date; label: string; count: number }>;
}): Chart {
  const WEEK = 7 * 86_400_000;
  const data = opts.weeks.map((w) => ({ x1: w.start, x2: new Date(w.start.getTime() + WEEK), y: w.count }));
  const color = seriesColors[0] as string;
  const svg = render(
    (document) =>
      Plot.plot({
        document,
        width: 720,
        height: 220,
        x: {
          type: 'utc',
          label: null,
          tickFormat: (d: Date) => d.toLocaleDateString('de-DE', { month: 'short', year: '2-digit', timeZone: 'Europe/Berlin' }),
        },
        y: { label: opts.valueHeading, grid: true, tickFormat: 'd' },
        marks: [Plot.rectY(data, { x1: 'x1', x2: 'x2', y: 'y', fill: color, inset: 0.5 }), Plot.ruleY([0])],
      }) as unknown as Element,
    opts.label,
    opts.summary,
  );
  return {
    label: opts.label,
    summary: opts.summary,
    svg,
    legend: [],
    table: { caption: opts.label, columns: ['Woche ab', opts.valueHeading], rows: opts.weeks.map((w) => [w.label, w.count]) },
  };
}
