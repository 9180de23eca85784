import { describe, expect, test } from 'vitest';
import { tableLabel, tableScrollWrapper } from '../../src/lib/shared/table-scroll-plugin.ts';

describe('tableLabel', () => {
  test('returns "Tabelle: <heading>" and numbers further tables under the same heading', () => {
    expect(tableLabel('  Die sieben   Bausteine ', 1)).toBe('Tabelle: Die sieben Bausteine');
    expect(tableLabel('Die sieben Bausteine', 2)).toBe('Tabelle: Die sieben Bausteine (2)');
    expect(tableLabel('', 1)).toBe('Tabelle');
  });
});

describe('tableScrollWrapper', () => {
  test('returns a focusable, labelled region whose label cannot break out of its attribute', () => {
    const html = tableScrollWrapper('Tabelle: "a" <b> & c');
    expect(html).toBe('<div class="table-scroll" role="region" tabindex="0" aria-label="Tabelle: &quot;a&quot; &lt;b&gt; &amp; c"></div>');
  });
});
