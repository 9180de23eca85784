/**
 * The server build keeps Astro's CSP digests per text (src/lib/build/memo-csp-digest.ts): the rewrite must find
 * Astro's function in the installed version, give the same digest as the original and compute each text only once.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { CSP_DIGEST_MEMO_SIZE, memoiseCspDigest } from '../../src/lib/build/memo-csp-digest.ts';

const original = `
const ALGORITHMS = { 'SHA-256': 'sha256-' };
let computed = 0;
async function generateCspDigest(data, algorithm) {
  computed++;
  const hashBuffer = await crypto.subtle.digest(algorithm, new TextEncoder().encode(data));
  return ALGORITHMS[algorithm] + Buffer.from(hashBuffer).toString('base64');
}`;
type Digest = (data: string, algorithm: string) => Promise<string>;
const load = (code: string) =>
  new Function('Buffer', `${code}\nreturn { generateCspDigest, computed: () => computed };`)(Buffer) as {
    generateCspDigest: Digest;
    computed: () => number;
  };

describe('memoised CSP digest', () => {
  test('finds generateCspDigest in the installed Astro', () => {
    const astro = readFileSync('node_modules/astro/dist/core/encryption.js', 'utf8');
    expect(memoiseCspDigest(astro)).toContain('kikoCspDigests');
  });

  test('gives the digest Astro gives, computing each text once', async () => {
    const m = load(memoiseCspDigest(original));
    const style = 'main{max-width:70ch}';
    const want = `sha256-${createHash('sha256').update(style).digest('base64')}`;
    expect(await m.generateCspDigest(style, 'SHA-256')).toBe(want);
    expect(await m.generateCspDigest(style, 'SHA-256')).toBe(want);
    expect(m.computed()).toBe(1);
    expect(await m.generateCspDigest(`${style} `, 'SHA-256')).not.toBe(want);
    expect(m.computed()).toBe(2);
  });

  test('keeps at most the memo size and still answers beyond it', async () => {
    const m = load(memoiseCspDigest(original));
    for (let i = 0; i < CSP_DIGEST_MEMO_SIZE + 10; i++) await m.generateCspDigest(`s${i}`, 'SHA-256');
    const before = m.computed();
    await m.generateCspDigest(`s${CSP_DIGEST_MEMO_SIZE + 5}`, 'SHA-256'); // beyond the memo: computed again
    await m.generateCspDigest('s1', 'SHA-256'); // kept
    expect(m.computed()).toBe(before + 1);
  });

  test('refuses an Astro without the function', () => {
    expect(() => memoiseCspDigest('export const x = 1;')).toThrow(/generateCspDigest/);
  });
});
