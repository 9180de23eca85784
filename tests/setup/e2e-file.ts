/**
 * Hooks of every browser test file (vitest.e2e.config.ts setupFiles): a test whose pages broke the
 * Content-Security-Policy fails, and at the end of the file all pages it visited must pass the Nu HTML Checker.
 */
import { afterAll, afterEach, expect } from 'vitest';
import { checkVisitedHtml, takePolicyViolations, vnuAvailable } from './page-checks.ts';

afterEach(() => {
  expect(takePolicyViolations(), 'Verstöße gegen Content-Security-Policy oder Permissions-Policy').toEqual([]);
});

afterAll(async () => {
  if (!vnuAvailable()) throw new Error('vnu-jar fehlt in node_modules (npm ci).');
  const { checked, errors } = await checkVisitedHtml();
  console.log(`HTML-Check (vnu): ${checked} Seiten geprüft, ${errors.length} Fehler`);
  expect(errors, 'Nu HTML Checker').toEqual([]);
}, 120_000);
