/**
 * A line chart over time as server-rendered SVG (@observablehq/plot on a linkedom document, no browser needed). The
 * SVG carries role="img" and an aria-label with the chart's text summary; pages show the same data as a table next to
 * it (charts are never the only way to read a figure).
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import { validSvgAttributes } from './charts.ts';

export interface LinePoint {
  at: Date;
  /** The value, or null where there is none (a gap in the line). */
  value: number | null;
}

export interface LineChartInput {
  points: readonly LinePoint[];
  /** Short description of what the chart shows, the start of its accessible name. */
  label: string;
  /** Text summary, appended to the label (e.g. "von 40 % im Januar 2025 auf 72 % im Dezember 2026"). */
  summary: string;
  yLabel: string;
  /** Fixed y range, e.g. [0, 100] for percentages. */
  yDomain?: [number, number];
  /** Formats an x tick (default: month and year in German). */
  formatX?: (d: Date) => string;
  width?: number;
  height?: number;
}

const monthFmt = new Intl.DateTimeFormat('de-DE', { month: 'short', year: '2-digit', timeZone: 'Europe/Berlin' });

/** The chart as an SVG string, ready to be inlined in a page. */
export function renderLineChart(input: LineChartInput): string {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const data = input.points.map((p) => ({ at: p.at, value: p.value }));
  const svg = Plot.plot({
    document,
    width: input.width ?? 720,
    height: input.height ?? 260,
    marginLeft: 48,
    style: { fontSize: '12px' },
    x: { type: 'time', label: null, tickFormat: input.formatX ?? ((d: Date) => monthFmt.format(d)) },
    y: { label: input.yLabel, labelArrow: 'none', grid: true, ...(input.yDomain ? { domain: input.yDomain } : {}) },
    marks: [
      Plot.ruleY([input.yDomain?.[0] ?? 0]),
      // a null value leaves a gap in the line
      Plot.lineY(data, { x: 'at', y: 'value', stroke: '#1f4e79', strokeWidth: 2 }),
      Plot.dot(
        data.filter((d) => d.value !== null),
        { x: 'at', y: 'value', fill: '#1f4e79', r: 3 },
      ),
    ],
  }) as unknown as Element;
  // Plot labels its groups ("line", "dot", ticks); inside role="img" they are not allowed and say nothing useful,
  // the chart's own label and the table carry the content
  for (const el of svg.querySelectorAll('[aria-label], [aria-description]')) {
    el.removeAttribute('aria-label');
    el.removeAttribute('aria-description');
  }
  validSvgAttributes(svg);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `${input.label}: ${input.summary}`);
  svg.setAttribute('data-chart', 'line');
  return svg.outerHTML;
}
