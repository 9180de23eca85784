import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { safeNext } from '../../src/lib/web/guard.ts';

const SITE = 'https://kiko.landkreis.example';

/** Where a browser goes when it follows `Location: value` on a page of SITE. */
const browserTarget = (value: string): URL => new URL(value, `${SITE}/anmelden`);

describe('safeNext', () => {
  test('returns null for the known open-redirect payloads and never a value with a line break', () => {
    const payloads = [
      '/\t/evil.example/phish',
      '/\n/evil.example/phish',
      '/\r/evil.example/phish',
      '//evil.example/phish',
      '/\\evil.example/phish',
      '\\/evil.example',
      '/\\\\evil.example',
      'https://evil.example/phish',
      'javascript:alert(1)',
      ' //evil.example',
      '/%09/evil.example',
    ];
    for (const p of payloads) {
      const r = safeNext(p);
      if (r !== null) expect(browserTarget(r).origin, p).toBe(SITE);
      expect(r ?? '', p).not.toMatch(/[\r\n\t]/);
    }
    expect(safeNext('/\t/evil.example/phish')).toBeNull();
    expect(safeNext('/\n/evil.example')).toBeNull();
  });

  test('keeps same-origin paths with query and hash, normalised as the browser would', () => {
    expect(safeNext('/lernen')).toBe('/lernen');
    expect(safeNext('/kurse/ki-basis/01?x=1#teil')).toBe('/kurse/ki-basis/01?x=1#teil');
    expect(safeNext('/a/../personal')).toBe('/personal');
    expect(safeNext(null)).toBeNull();
    expect(safeNext('')).toBeNull();
    expect(safeNext('lernen')).toBeNull();
  });

  test('returns only values a browser resolves to the same origin (property)', () => {
    const nasty = fc.constantFrom('/', '\\', '\t', '\n', '\r', ' ', '.', ':', '@', '%', '?', '#', 'evil.example', 'http:', '%2F', '\u0000');
    const input = fc.oneof(
      fc.string(),
      fc.array(nasty, { maxLength: 12 }).map((a) => a.join('')),
      fc.webUrl(),
      fc.webPath(),
    );
    fc.assert(
      fc.property(input, (value) => {
        const r = safeNext(value);
        if (r === null) return true;
        const path = r.split(/[?#]/)[0] ?? '';
        return (
          r.startsWith('/') && ![...r].some((ch) => ch.charCodeAt(0) < 0x20) && !path.includes('\\') && browserTarget(r).origin === SITE
        );
      }),
      { numRuns: 5000 },
    );
  });
});
