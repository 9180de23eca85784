/**
 * Observable Plot writes a small <style> element into every chart it renders (display, max-width, white-space for
 * its default class name; its ramp legends need a canvas and are not rendered on the server). Server-rendered charts are inlined into pages, so the
 * Content-Security-Policy (astro.config.mjs, security.csp) must allow exactly these style elements: their hashes are
 * computed here by rendering Plot once, so they follow Plot's version. A chart with its own `className` writes
 * another style text, which the policy refuses (the browser tests report it) — keep Plot's default class name.
 */
import { createHash } from 'node:crypto';
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';

/** The CSP hash sources ("sha256-…", without quotes) of the style elements Plot renders with its defaults. */
export function plotStyleHashes(): Array<`sha256-${string}`> {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const doc = document as unknown as Document;
  const chart = Plot.plot({ document: doc, marks: [Plot.dot([{ x: 1, y: 1 }], { x: 'x', y: 'y' })] });
  const texts = new Set([...chart.querySelectorAll('style')].map((s) => s.textContent ?? ''));
  return [...texts].map((text) => `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}` as const);
}
