/**
 * The built server (`kiko serve`, dist/) on 127.0.0.1 against hostile requests: a credential upload made to stall
 * canonicalisation, chunked bodies without Content-Length, logins through a trusted proxy, a Host header on a
 * certificate download, redirect payloads after login, and the production start without KIKO_PUBLIC_URL.
 * Needs dist/ (`astro build`); without it the suite is skipped with a message.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type RunningProcess, startKiko } from '../../bench/lib/server.ts';
import { certificateTable } from '../../db/schema/index.ts';
import { createSession } from '../../src/lib/server/auth/sessions.ts';
import { configureCertificateIssuing } from '../../src/lib/server/certificates/certificate-hook.ts';
import { VERIFY_LIMITS } from '../../src/lib/server/certificates/verify-certificate.ts';
import { loadContent } from '../../src/lib/server/content/load-content.ts';
import { completeCourseWithAnswerKey } from '../../src/lib/server/demo/seed-demo-learning.ts';
import { LINGER_READ_BYTES } from '../../src/lib/server/http/body-limit.ts';
import type { AuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const built = existsSync(join(process.cwd(), 'dist', 'server', 'entry.mjs'));
if (!built) console.warn('server-hardening: übersprungen, dist/ fehlt (erst `npx astro build` ausführen).');

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request with node:http (custom Host, no keep-alive). */
function send(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Reply & { ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', agent: false, headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          ms: performance.now() - started,
        }),
      );
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** A multipart body with one file field `datei`. */
function multipart(filename: string, content: Buffer | string): { body: Buffer; type: string } {
  const boundary = `----kiko${Date.now()}`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="datei"; filename="${filename}"\r\nContent-Type: application/json\r\n\r\n`;
  return {
    body: Buffer.concat([Buffer.from(head), Buffer.from(content), Buffer.from(`\r\n--${boundary}--\r\n`)]),
    type: `multipart/form-data; boundary=${boundary}`,
  };
}

/**
 * Streams up to `totalBytes` as a chunked body (no Content-Length) and stops when the answer comes.
 * Returns the answer and how many bytes were written before it.
 */
function streamChunked(
  url: string,
  path: string,
  headers: Record<string, string>,
  totalBytes: number,
): Promise<Reply & { written: number }> {
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = request(`${url}${path}`, { method: 'POST', agent: false, headers }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), written }),
      );
      res.on('error', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), written }),
      );
    });
    // the server closes the connection after its answer: a write error (EPIPE) may come before the answer is read
    req.on('error', (e) => {
      setTimeout(() => {
        if (!answered) reject(new Error(`${path}: ${e.message} after ${written} bytes, no answer`));
      }, 2_000);
    });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const pump = (): void => {
      while (!answered && written < totalBytes) {
        written += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    req.flushHeaders();
    pump();
  });
}

/** An upload to the check page of `base` from `address` announcing 400 KB, of which only the first 16 KB are ever sent. */
function partialUpload(base: string, address: string): Promise<{ status: number; body: string }> {
  const boundary = 'kikogrenze';
  const head = `--${boundary}\r\ncontent-disposition: form-data; name="datei"; filename="gross.json"\r\ncontent-type: application/json\r\n\r\n`;
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}/zertifikat-pruefen`,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(400 * 1024),
          origin: base,
          'x-forwarded-for': address,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error('no answer while the body was incomplete'));
    }, 10_000);
    req.on('close', () => clearTimeout(timer));
    req.on('error', () => {});
    req.write(head);
    req.write(Buffer.alloc(16 * 1024, 0x20));
  });
}

/**
 * A client that ignores the answer: announces `announcedBytes`, keeps its side open after the server's (half-open)
 * and writes until the server closes the connection. Returns the bytes written and the first line of the answer.
 */
function pushIgnoringAnswer(url: string, announcedBytes: number): Promise<{ written: number; answer: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port), allowHalfOpen: true });
    let written = 0;
    let answer = '';
    socket.on('data', (d: Buffer) => {
      answer += d.toString('utf8');
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve({ written, answer }));
    socket.write(
      `POST /zertifikat-pruefen HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: ${announcedBytes}\r\n\r\n`,
    );
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    const pump = (): void => {
      while (!socket.destroyed && written < announcedBytes) {
        written += chunk.length;
        if (!socket.write(chunk)) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}

describe.skipIf(!built)('kiko serve against hostile requests', () => {
  let t: TestDb;
  let server: RunningProcess | undefined;
  let base = '';
  let learner: AuthUser;
  let cookie = '';
  let certificateId = '';
  let credentialJson = '';
  beforeAll(async () => {
    t = await createTestDb();
    const keyDir = join(t.dir, 'keys');
    configureCertificateIssuing({ keyDir });
    const tenant = await makeTenant(t.db);
    learner = await makeUser(t.db, { tenant: tenant.slug, name: 'Lena Lernende' });
    await completeCourseWithAnswerKey(
      t.db,
      learner,
      loadContent({ root: process.cwd() }),
      'ki-kompetenz-basis',
      new Date('2026-10-01T08:00:00Z'),
    );
    certificateId = (await t.db.select().from(certificateTable).where(eq(certificateTable.userId, learner.id)))[0]?.id ?? '';
    cookie = `kiko_session=${(await createSession(t.db, learner.id)).token}`;
    server = await startKiko({
      root: process.cwd(),
      dbUrl: t.url,
      keyDir,
      env: { KIKO_PUBLIC_URL: 'https://kiko.landkreis.example', KIKO_TRUST_PROXY: '127.0.0.1' },
    });
    base = server.url;
    credentialJson = (await send(`${base}/zertifikate/${certificateId}.json`, { headers: { cookie, host: 'evil.example' } })).body;
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    t?.cleanup();
  });

  test('signs only the configured public URL into a download requested with Host: evil.example', () => {
    expect(credentialJson).toContain('https://kiko.landkreis.example/zertifikat-pruefen/');
    expect(credentialJson).not.toContain('evil.example');
  });

  test('answers /api/health at once while hostile credential uploads are handled, and refuses them in German', async () => {
    const attack = JSON.parse(credentialJson) as { credentialSubject: { achievement: { tag: string[] } } };
    // the 1.4 MB file of the finding (150,000 tags) is refused before it is read: the check takes at most 512 KB
    attack.credentialSubject.achievement.tag = Array.from({ length: 150_000 }, (_, i) => `t${i}`);
    const huge = multipart('nachweis.json', JSON.stringify(attack));
    const refused = await send(`${base}/zertifikat-pruefen`, {
      method: 'POST',
      headers: { 'content-type': huge.type, origin: base, 'x-forwarded-for': '198.51.100.78' },
      body: huge.body,
    });
    expect(refused.status).toBe(413);
    expect(refused.body).toContain('Die Datei ist zu groß (höchstens 512 KB)');
    // within the limit, an oddly shaped credential (40,000 tags) is refused by its shape, off the event loop
    attack.credentialSubject.achievement.tag = Array.from({ length: 40_000 }, (_, i) => `t${i}`);
    const file = multipart('nachweis.json', JSON.stringify(attack));
    expect(file.body.length).toBeLessThan(512 * 1024);
    const headers = { 'content-type': file.type, origin: base, 'x-forwarded-for': '198.51.100.77' };
    // warm-up: the page's modules load on its first request; that one-time cost is not what is measured here
    const warm = multipart('notiz.txt', 'keine Zertifikatsdatei');
    expect(
      (await send(`${base}/zertifikat-pruefen`, { method: 'POST', headers: { ...headers, 'content-type': warm.type }, body: warm.body }))
        .body,
    ).toContain('Nicht echt');
    const health: number[] = [];
    const replies: Array<Reply & { ms: number }> = [];
    for (let round = 0; round < 3; round++) {
      // one hostile upload in flight, /api/health asked every 25 ms meanwhile
      let done = false;
      const upload = send(`${base}/zertifikat-pruefen`, { method: 'POST', headers, body: file.body }).finally(() => {
        done = true;
      });
      while (!done) {
        health.push((await send(`${base}/api/health`)).ms);
        await new Promise((r) => setTimeout(r, 25));
      }
      replies.push(await upload);
    }
    for (const r of replies) {
      expect(r.body).toContain('Nicht echt');
      expect(r.body).toContain('kein Open-Badges-Nachweis in der Form, in der KIKO ihn ausstellt');
      expect(r.ms).toBeLessThan(5_000);
    }
    const worst = Math.max(...health);
    console.log(
      `hostile uploads (${Math.round(file.body.length / 1024)} KB, 40,000 tags): ${replies.map((r) => Math.round(r.ms)).join(', ')} ms; /api/health worst ${Math.round(worst)} ms over ${health.length} calls`,
    );
    expect(worst).toBeLessThan(1_000);

    // the genuine file still verifies (proof in the worker thread)
    const genuine = multipart('nachweis.json', credentialJson);
    const ok = await send(`${base}/zertifikat-pruefen`, {
      method: 'POST',
      headers: { ...headers, 'content-type': genuine.type },
      body: genuine.body,
    });
    expect(ok.body).toContain('Ergebnis: Echt');
  });

  test('answers 413 in German to chunked bodies without Content-Length, on any route, before reading them in full', async () => {
    const total = 64 * 1024 * 1024;
    const seen: string[] = [];
    for (const path of ['/zertifikat-pruefen', '/anmelden?_action=login', '/sprache', '/gibt-es-nicht']) {
      const r = await streamChunked(base, path, { 'content-type': 'multipart/form-data; boundary=x', origin: base }, total);
      seen.push(`${path} → ${r.status} after ${(r.written / 1024 / 1024).toFixed(1)} MB sent`);
      if (path === '/gibt-es-nicht' && r.status === 404) continue; // a route that never reads its body
      expect(r.status, path).toBe(413);
      expect(r.body, path).toContain(
        path === '/zertifikat-pruefen' ? 'Die Datei ist zu groß (höchstens 512 KB).' : 'Die Anfrage ist zu groß (höchstens 2 MB).',
      );
      expect(r.written, path).toBeLessThan(total / 2);
    }
    console.log(`chunked 64 MB uploads: ${seen.join('; ')}`);
    expect((await send(`${base}/api/health`)).status).toBe(200);
  }, 60_000);

  test('reads only a little of a refused body, also from a client that ignores the 413 and keeps sending', async () => {
    const announced = 1024 * 1024 * 1024;
    const r = await pushIgnoringAnswer(base, announced);
    expect(r.answer).toMatch(/^HTTP\/1\.1 413/);
    expect(r.answer).toContain('Die Datei ist zu groß (höchstens 512 KB).');
    // what the server read, plus what the two systems' socket buffers held when it closed
    expect(r.written).toBeLessThan(LINGER_READ_BYTES + 32 * 1024 * 1024);
    console.log(
      `client ignoring its 413: ${(r.written / 1024 / 1024).toFixed(1)} MB of ${announced / 1024 / 1024} MB written before the server closed`,
    );
    expect((await send(`${base}/api/health`)).status).toBe(200);
  });

  test('answers an upload over the per-address limit with 429 before the body is read', async () => {
    const client = '198.51.100.90';
    // the address uses up its checks with certificate numbers (the same limit counts uploads and numbers)
    let last = 0;
    for (let i = 0; i < 80 && last !== 429; i++)
      last = (await send(`${base}/zertifikat-pruefen/ZZZZZZZZZZ`, { headers: { 'x-forwarded-for': client } })).status;
    expect(last).toBe(429);
    // an upload announcing 400 KB, of which only the first 16 KB are ever sent: the answer must come anyway
    const reply = await partialUpload(base, client);
    expect(reply.status).toBe(429);
    expect(reply.body).toContain('Zu viele Prüfungen in kurzer Zeit');
    // another address still gets its upload checked
    const file = multipart('nachweis.json', '{"kein": "Nachweis"}');
    const other = await send(`${base}/zertifikat-pruefen`, {
      method: 'POST',
      headers: { 'content-type': file.type, origin: base, 'x-forwarded-for': '198.51.100.91' },
      body: file.body,
    });
    expect(other.status).toBe(200);
  });

  test('uses X-Forwarded-For and -Proto from the trusted proxy: Secure cookies, origin check with https, limits per client', async () => {
    const origin = base.replace('http:', 'https:');
    const form = (password: string): string => new URLSearchParams({ email: learner.email, password }).toString();
    const post = (password: string, client: string, weiter = ''): Promise<Reply & { ms: number }> =>
      send(`${base}/anmelden?_action=login${weiter ? `&weiter=${weiter}` : ''}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin, 'x-forwarded-proto': 'https', 'x-forwarded-for': client },
        body: form(password),
      });
    for (let i = 0; i < 6; i++) await post(`falsch-${i}`, '203.0.113.5');
    const attacker = await post('richtiges-passwort', '203.0.113.5');
    expect(attacker.status).toBe(429);
    expect(attacker.body).toMatch(/ab \d{2}:\d{2} Uhr wieder versuchen/);

    const owner = await post('richtiges-passwort', '192.0.2.55', '%2F%09%2Fevil.example%2Fphish');
    expect(owner.status).toBe(302);
    expect(String(owner.headers.location)).not.toContain('evil.example');
    const cookies = ([] as string[]).concat(owner.headers['set-cookie'] ?? []);
    expect(cookies.find((c) => c.startsWith('kiko_session='))).toMatch(/; Secure/i);
    expect(cookies.find((c) => c.startsWith('kiko_geraet_'))).toMatch(/HttpOnly/i);

    // without the proxy's https the same Origin is cross-site
    const plain = await send(`${base}/anmelden?_action=login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: form('richtiges-passwort'),
    });
    expect(plain.status).toBe(403);
  });

  test('limits uploads for the whole server, also from a new address each time, before the body is read; the number check stays open', async () => {
    const file = multipart('nachweis.json', '{"kein": "Nachweis"}');
    const statuses: number[] = [];
    let refusal = '';
    for (let i = 0; i < VERIFY_LIMITS.uploadsPerWindow + 5; i++) {
      const r = await send(`${base}/zertifikat-pruefen`, {
        method: 'POST',
        headers: { 'content-type': file.type, origin: base, 'x-forwarded-for': `203.0.113.${i + 1}` },
        body: file.body,
      });
      statuses.push(r.status);
      if (r.status === 429) {
        refusal = r.body;
        expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      }
    }
    // earlier tests of this server uploaded a few files in the same window: at most the window's uploads are checked
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(VERIFY_LIMITS.uploadsPerWindow);
    expect(statuses.at(-1)).toBe(429);
    expect(refusal).toContain('Gerade werden sehr viele Dateien geprüft');
    // a further upload from yet another address announcing 400 KB, of which 16 KB are sent: answered all the same
    const reply = (await partialUpload(base, '203.0.113.200')).status;
    expect(reply).toBe(429);
    // the check by certificate number is not limited for the whole server
    const byNumber = await send(`${base}/zertifikat-pruefen/ZZZZZZZZZZ`, { headers: { 'x-forwarded-for': '203.0.113.201' } });
    expect(byNumber.status).not.toBe(429);
  });

  test('never answers 500 or an outside Location to line breaks and backslashes in weiter', async () => {
    for (const weiter of ['%0A', '%0D%0ASet-Cookie:x=1', '%2F%5Cevil.example', '%2F%0A%2Fevil.example']) {
      const r = await send(`${base}/anmelden?weiter=${weiter}`, { headers: { cookie } });
      expect(r.status, weiter).toBeLessThan(500);
      expect(String(r.headers.location ?? ''), weiter).not.toContain('evil.example');
      expect(
        ([] as string[]).concat(r.headers['set-cookie'] ?? []).some((c) => c.startsWith('x=')),
        weiter,
      ).toBe(false);
    }
  });
});

describe.skipIf(!built)('kiko serve in production', () => {
  test('refuses to start without KIKO_PUBLIC_URL and says why', () => {
    const r = spawnSync(process.execPath, ['bin/kiko.mjs', 'serve'], {
      env: { ...process.env, NODE_ENV: 'production', KIKO_DEMO: 'false', KIKO_PUBLIC_URL: '', DATABASE_URL: 'file:/nonexistent/never.db' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('KIKO_PUBLIC_URL fehlt');
  });
});
