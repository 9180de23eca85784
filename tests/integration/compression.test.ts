/**
 * kiko serve compresses what a browser accepts (Brotli, gzip) and nothing else: pages, CSS and JS come smaller and
 * decode to the same bytes, images and a client without Accept-Encoding get them as they are, and the security
 * headers and the body limit stay in front. Needs dist/ (`astro build`); without it the suite is skipped.
 */
import { existsSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type RunningProcess, startKiko } from '../../bench/lib/server.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const root = process.cwd();
const built = existsSync(join(root, 'dist', 'server', 'entry.mjs'));
if (!built) console.warn('compression: übersprungen, dist/ fehlt (erst `npx astro build` ausführen).');

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One GET with node:http, which does not decode: the bytes as sent. */
function get(url: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function decode(r: Raw): Buffer {
  const enc = r.headers['content-encoding'];
  if (enc === 'br') return brotliDecompressSync(r.body);
  if (enc === 'gzip') return gunzipSync(r.body);
  return r.body;
}

describe.skipIf(!built)('kiko serve compression', () => {
  let t: TestDb;
  let server: RunningProcess | undefined;
  let base = '';
  let css = '';
  beforeAll(async () => {
    t = await createTestDb();
    server = await startKiko({ root, dbUrl: t.url, keyDir: join(t.dir, 'keys') });
    base = server.url;
    const file = readdirSync(join(root, 'dist', 'client', '_astro')).find((f) => f.endsWith('.css'));
    css = `/_astro/${file}`;
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    t?.cleanup();
  });

  test('sends a stylesheet in Brotli or gzip as asked, decoding to the same bytes, and as it is without Accept-Encoding', async () => {
    const plain = await get(`${base}${css}`);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(1024);
    for (const [accept, encoding] of [
      ['br, gzip', 'br'],
      ['gzip', 'gzip'],
      ['gzip;q=0, br', 'br'],
    ] as const) {
      const r = await get(`${base}${css}`, { 'accept-encoding': accept });
      expect(r.headers['content-encoding'], accept).toBe(encoding);
      expect(String(r.headers.vary)).toMatch(/accept-encoding/i);
      expect(r.body.length).toBeLessThan(plain.body.length);
      expect(decode(r).equals(plain.body), accept).toBe(true);
      // the security headers stay on compressed static files
      expect(r.headers['x-content-type-options']).toBe('nosniff');
    }
    expect((await get(`${base}${css}`, { 'accept-encoding': 'identity' })).headers['content-encoding']).toBeUndefined();
  });

  test('compresses pages and leaves images, which are compressed already, alone', async () => {
    const page = await get(`${base}/anmelden`, { 'accept-encoding': 'br' });
    expect(page.status).toBe(200);
    expect(page.headers['content-encoding']).toBe('br');
    expect(decode(page).toString('utf8')).toContain('<html lang="de"');
    expect(page.headers['content-security-policy']).toBeDefined();
    const image = await get(`${base}/abzeichen/kurs/ki-kompetenz-basis.png`, { 'accept-encoding': 'br, gzip' });
    expect(image.status).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.headers['content-encoding']).toBeUndefined();
  });
});
