/**
 * A Vite plugin for the server build: Astro computes the CSP hash of every inline style and script of a page on each
 * request (`generateCspDigest`, an asynchronous Web Crypto call), although a built page's styles are the same text
 * every time. About 6 % of a lesson page's server time went there (bench/README.md, "Lesson page and quiz answer").
 * The plugin keeps each digest once computed (at most 512 texts, after which it computes without keeping), so the
 * Content-Security-Policy header stays exactly what Astro would send. The build fails if Astro's function is no longer
 * where the plugin expects it, so an Astro update cannot drop the change silently.
 */
import type { Plugin } from 'vite';

const FILE = /[\\/]astro[\\/]dist[\\/]core[\\/]encryption\.js$/;
const SIGNATURE = 'async function generateCspDigest(data, algorithm) {';
export const CSP_DIGEST_MEMO_SIZE = 512;

/** Rewrites Astro's `generateCspDigest` into a memoised wrapper around the original body. */
export function memoiseCspDigest(code: string): string {
  if (!code.includes(SIGNATURE)) throw new Error('Astro: generateCspDigest nicht gefunden (astro/dist/core/encryption.js)');
  return code.replace(
    SIGNATURE,
    [
      // one map per algorithm, keyed by the text itself: the same string each request, so its hash is kept by V8
      'const kikoCspDigests = new Map();',
      'let kikoCspKept = 0;',
      'async function generateCspDigest(data, algorithm) {',
      '  let byText = kikoCspDigests.get(algorithm);',
      '  if (byText === undefined) kikoCspDigests.set(algorithm, (byText = new Map()));',
      '  const kept = byText.get(data);',
      '  if (kept !== undefined) return kept;',
      '  const digest = await computeCspDigest(data, algorithm);',
      `  if (kikoCspKept < ${CSP_DIGEST_MEMO_SIZE}) {`,
      '    byText.set(data, digest);',
      '    kikoCspKept++;',
      '  }',
      '  return digest;',
      '}',
      'async function computeCspDigest(data, algorithm) {',
    ].join('\n'),
  );
}

export function memoCspDigest(): Plugin {
  // per build environment (client, prerender, ssr share one plugin object)
  const seen = new Set<string>();
  return {
    name: 'kiko:memo-csp-digest',
    transform(code, id) {
      if (!FILE.test(id)) return undefined;
      seen.add(this.environment?.name ?? '');
      return { code: memoiseCspDigest(code), map: null };
    },
    buildEnd() {
      if (this.environment?.name === 'ssr' && !seen.has('ssr'))
        this.error('Astro: astro/dist/core/encryption.js war nicht im Server-Build');
    },
  };
}
