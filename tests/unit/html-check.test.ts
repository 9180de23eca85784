/**
 * The HTML check of the browser tests (tests/setup/page-checks.ts) finds what it is there for: a script after
 * </html> (as /suche once had) is an error with the page's URL and line; a valid page passes. Runs vnu.jar with the
 * system's Java (scripts/ensure-test-tools.mjs installs it).
 */
import { describe, expect, test } from 'vitest';
import { checkVisitedHtml, rememberPage } from '../setup/page-checks.ts';

const page = (body: string, after = ''): string =>
  `<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Test</title></head><body>${body}</body></html>${after}`;

describe('checkVisitedHtml', () => {
  test('reports a script after </html> with URL and line, and passes a valid page', async () => {
    rememberPage('http://kiko.test/suche', page('<main><h1>Suche</h1></main>', '\n<script type="module" src="/a.js"></script>'));
    rememberPage('http://kiko.test/ok', page('<main><h1>In Ordnung</h1></main>'));
    const { checked, errors } = await checkVisitedHtml();
    expect(checked).toBe(2);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(/^http:\/\/kiko\.test\/suche:2:\d+ /);
    expect(errors.some((e) => e.startsWith('http://kiko.test/ok'))).toBe(false);
  }, 60_000);
});
