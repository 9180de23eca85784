/**
 * The built server (`kiko serve`, dist/) as a browser and an outside tester see it: the search index holds every
 * lesson's text and answers signed-in learners only; every answer — page, static file, error page, refused upload —
 * carries the security headers; pages carry a Content-Security-Policy without inline scripts.
 * Needs dist/ (`npm run build`: `astro build` and the search index); without it the suite is skipped with a message.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type RunningProcess, startKiko } from '../../bench/lib/server.ts';
import { createSession } from '../../src/lib/server/auth/sessions.ts';
import { plotStyleHashes } from '../../src/lib/server/charts/plot-style-hashes.ts';
import { searchIndexDir } from '../../src/lib/server/content/search-index-files.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const root = process.cwd();
const built = existsSync(join(root, 'dist', 'server', 'entry.mjs')) && existsSync(join(searchIndexDir(root), 'pagefind.js'));
if (!built) console.warn('web-hardening: übersprungen, dist/ oder der Suchindex fehlt (erst `npm run build` ausführen).');

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One request with node:http: the path is sent exactly as given (no URL normalisation). */
function send(base: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: init.method ?? 'GET', agent: false, headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** The policy as directive → sources. */
function parseCsp(value: string | string[] | undefined): Map<string, string[]> {
  const policy = new Map<string, string[]>();
  for (const part of String(value ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) policy.set(name, sources);
  }
  return policy;
}

function expectBaseHeaders(r: Reply, what: string): void {
  expect(r.headers['x-content-type-options'], what).toBe('nosniff');
  expect(r.headers['x-frame-options'], what).toBe('DENY');
  expect(r.headers['referrer-policy'], what).toBe('same-origin');
  const permissions = String(r.headers['permissions-policy']);
  for (const feature of ['camera', 'microphone', 'geolocation', 'payment', 'usb']) expect(permissions, what).toContain(`${feature}=()`);
  const csp = parseCsp(r.headers['content-security-policy']);
  expect(csp.get('frame-ancestors'), what).toEqual(["'none'"]);
  expect(csp.has('default-src'), what).toBe(true);
  for (const [directive, sources] of csp) expect(sources, `${what}: ${directive}`).not.toContain("'unsafe-eval'");
}

/** A page's policy: Astro's hashes for scripts, never 'unsafe-inline' for them; inline style attributes only. */
function expectPagePolicy(r: Reply, what: string): void {
  const csp = parseCsp(r.headers['content-security-policy']);
  for (const d of ['script-src', 'script-src-elem', 'script-src-attr', 'default-src'])
    expect(csp.get(d) ?? [], `${what}: ${d}`).not.toContain("'unsafe-inline'");
  expect(csp.get('script-src'), what).toContain("'self'");
  expect(csp.get('object-src'), what).toEqual(["'none'"]);
  expect(csp.get('base-uri'), what).toEqual(["'self'"]);
  expect(csp.get('form-action'), what).toEqual(["'self'"]);
  expect(csp.get('style-src') ?? [], what).not.toContain("'unsafe-inline'");
  expect(csp.get('style-src-attr'), what).toEqual(["'unsafe-inline'"]);
  // the style element of server-rendered charts (Observable Plot) is allowed by its hash
  for (const hash of plotStyleHashes()) expect(csp.get('style-src'), what).toContain(`'${hash}'`);
}

describe.skipIf(!built)('kiko serve: private search index and security headers', () => {
  let t: TestDb;
  let server: RunningProcess | undefined;
  let base = '';
  let learnerCookie = '';
  let operatorCookie = '';
  const fragment = readdirSync(join(searchIndexDir(root), 'fragment'))[0] ?? '';

  beforeAll(async () => {
    t = await createTestDb();
    const tenant = await makeTenant(t.db);
    const learner = await makeUser(t.db, { tenant: tenant.slug });
    const operator = await makeUser(t.db, { roles: ['operator'] });
    learnerCookie = `kiko_session=${(await createSession(t.db, learner.id)).token}`;
    operatorCookie = `kiko_session=${(await createSession(t.db, operator.id)).token}`;
    server = await startKiko({ root, dbUrl: t.url, keyDir: join(t.dir, 'keys'), env: { KIKO_TRUST_PROXY: '127.0.0.1' } });
    base = server.url;
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    t?.cleanup();
  });

  describe('search index', () => {
    test('is not in the public static folder', () => {
      expect(existsSync(join(root, 'dist', 'client', 'pagefind'))).toBe(false);
      expect(fragment).toMatch(/\.pf_fragment$/);
    });

    test('sends anonymous requests to the login page, with no lesson text', async () => {
      for (const path of ['/pagefind/pagefind.js', '/pagefind/pagefind-entry.json', `/pagefind/fragment/${fragment}`]) {
        const r = await send(base, path);
        expect(r.status, path).toBe(302);
        expect(r.headers.location, path).toBe('/anmelden');
        expect(r.body.length, path).toBe(0);
        expect(r.headers['cache-control'], path).toBe('no-store');
      }
    });

    test('answers a signed-in learner with the index files', async () => {
      const js = await send(base, '/pagefind/pagefind.js', { headers: { cookie: learnerCookie } });
      expect(js.status).toBe(200);
      expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(js.body.equals(readFileSync(join(searchIndexDir(root), 'pagefind.js')))).toBe(true);
      expect(js.headers['cache-control']).toBe('private, no-cache');
      // the search worker's own policy: fetch the index and compile Pagefind's WebAssembly, nothing else
      const worker = parseCsp(js.headers['content-security-policy']);
      expect(worker.get('default-src')).toEqual(["'none'"]);
      expect(worker.get('connect-src')).toEqual(["'self'"]);
      expect(worker.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
      const frag = await send(base, `/pagefind/fragment/${fragment}`, { headers: { cookie: learnerCookie } });
      expect(frag.status).toBe(200);
      expect(frag.body.equals(readFileSync(join(searchIndexDir(root), 'fragment', fragment)))).toBe(true);
      expect(frag.headers['cache-control']).toBe('private, max-age=86400, immutable');
    });

    test('refuses a signed-in person without learning (operator) and answers 404 for names outside the index', async () => {
      const op = await send(base, '/pagefind/pagefind.js', { headers: { cookie: operatorCookie } });
      expect(op.status).toBe(403);
      expect(op.body.length).toBeLessThan(200);
      for (const path of [
        '/pagefind/%2e%2e/%2e%2e/package.json',
        '/pagefind/..%2f..%2fpackage.json',
        '/pagefind/../package.json',
        '/pagefind/nicht-da.js',
        '/pagefind/',
      ]) {
        const r = await send(base, path, { headers: { cookie: learnerCookie } });
        expect(r.status, path).not.toBe(200);
        expect(r.body.toString('utf8'), path).not.toContain('"name": "kiko"');
      }
    });
  });

  describe('security headers', () => {
    test('an HTML page has the policy and every header; no HSTS over http', async () => {
      const r = await send(base, '/anmelden');
      expect(r.status).toBe(200);
      expectBaseHeaders(r, '/anmelden');
      expectPagePolicy(r, '/anmelden');
      expect(r.headers['strict-transport-security']).toBeUndefined();
      expect(r.body.toString('utf8')).toMatch(/<meta name="description" content="[^"]{40,}"/);
    });

    test('HSTS only when a trusted proxy says the browser used https', async () => {
      const https = await send(base, '/anmelden', { headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.7' } });
      expect(https.headers['strict-transport-security']).toBe('max-age=31536000');
      const css = await send(base, '/favicon.svg', { headers: { 'x-forwarded-proto': 'https' } });
      expect(css.headers['strict-transport-security']).toBe('max-age=31536000');
      const http = await send(base, '/anmelden', { headers: { 'x-forwarded-proto': 'http' } });
      expect(http.headers['strict-transport-security']).toBeUndefined();
    });

    test('static CSS, JS and SVG files have the headers too (served before the middleware)', async () => {
      const assets = readdirSync(join(root, 'dist', 'client', '_astro'));
      const css = assets.find((f) => f.endsWith('.css'));
      const js = assets.find((f) => f.endsWith('.js'));
      for (const path of [`/_astro/${css}`, `/_astro/${js}`, '/favicon.svg']) {
        const r = await send(base, path);
        expect(r.status, path).toBe(200);
        expectBaseHeaders(r, path);
        expect(r.headers['content-security-policy'], path).toBe(
          "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        );
      }
    });

    test('error pages, endpoints and the body limit answer have them', async () => {
      const missing = await send(base, '/gibt-es-nicht');
      expect(missing.status).toBe(404);
      expectBaseHeaders(missing, '404');
      expectPagePolicy(missing, '404');
      const health = await send(base, '/api/health');
      expectBaseHeaders(health, '/api/health');
      const tooLarge = await send(base, '/sprache', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(3 * 1024 * 1024), origin: base },
      });
      expect(tooLarge.status).toBe(413);
      expectBaseHeaders(tooLarge, '413');
    });

    test('a signed-in page is not stored; lesson pages describe themselves', async () => {
      const r = await send(base, '/kurse/ki-kompetenz-basis/artikel-4', { headers: { cookie: learnerCookie } });
      expect(r.status).toBe(200);
      expect(r.headers['cache-control']).toBe('private, no-store');
      expectPagePolicy(r, 'lesson');
      const description = /<meta name="description" content="([^"]*)"/.exec(r.body.toString('utf8'))?.[1] ?? '';
      expect(description.length).toBeGreaterThan(30);
      expect(description).not.toContain('KIKO, die Lernplattform');
    });
  });
});
