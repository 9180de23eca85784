/**
 * The built browser files are listed once and served in front of the app (src/lib/server/http/built-files.ts): a
 * listed file comes from disk with its cache rule, everything else — pages, unknown or dot files, other methods,
 * a path that only differs by encoding — reaches the app, and an undecodable URL gets 400 from neither.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { builtFilePaths, withBuiltFiles } from '../../src/lib/server/http/built-files.ts';

let dir: string;
let server: Server;
let base: string;
const appSaw: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kiko-built-'));
  mkdirSync(join(dir, '_astro'));
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(dir, '_astro', 'Base.abc123.css'), 'body{margin:0}');
  writeFileSync(join(dir, '.env'), 'SECRET=1');
  server = createServer(
    withBuiltFiles(dir, (req, res) => {
      appSaw.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('app');
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('built browser files', () => {
  test('lists files as URL paths, without dot files or directories', () => {
    expect([...builtFilePaths(dir)].sort()).toEqual(['/_astro/Base.abc123.css', '/favicon.svg']);
  });

  test('a bundle comes from disk, cached for a year; the favicon without the immutable rule', async () => {
    const css = await fetch(`${base}/_astro/Base.abc123.css?v=1`);
    expect(css.status).toBe(200);
    expect(await css.text()).toBe('body{margin:0}');
    expect(css.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const icon = await fetch(`${base}/favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/image\/svg\+xml/);
    expect(icon.headers.get('cache-control')).not.toMatch(/immutable/);
    expect(appSaw).toEqual([]);
  });

  test('pages, unknown and dot files, other methods and re-encoded paths go to the app', async () => {
    appSaw.length = 0;
    for (const path of ['/kurse/a/b', '/_astro/missing.js', '/.env', '/_astro/', '/_astro/Base%2Eabc123.css'])
      expect(await (await fetch(base + path)).text()).toBe('app');
    expect((await fetch(`${base}/favicon.svg`, { method: 'POST', body: 'x' })).status).toBe(200);
    expect(appSaw).toEqual([
      'GET /kurse/a/b',
      'GET /_astro/missing.js',
      'GET /.env',
      'GET /_astro/',
      'GET /_astro/Base%2Eabc123.css',
      'POST /favicon.svg',
    ]);
  });

  test('an undecodable URL gets 400 and reaches neither', async () => {
    appSaw.length = 0;
    const r = await fetch(`${base}/kurse/%E0%A4%A`);
    expect(r.status).toBe(400);
    expect(await r.text()).toBe('Ungültige Adresse.');
    expect(appSaw).toEqual([]);
  });
});
