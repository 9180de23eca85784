/**
 * Upload attack while learners read:
 * `npx node bench/upload-attack.ts [--duration 10] [--connections 8] [--attackers 2] [--same-address] [--attackers-in-process] [--cpu-prof]`
 *
 * Measures the logged-in lesson page with autocannon three times in one run — without uploads, while anonymous
 * attackers keep sending the hostile credential uploads of the hardening issue's finding 1 to /zertifikat-pruefen,
 * and without uploads again — and prints p50/p99 side by side with the ratio to the same run's baseline (the mean of
 * the two runs without uploads). Target: p99 with uploads within 2× of the baseline.
 *
 * The uploads, sent in rotation by `--attackers` concurrent clients, each from a new address behind a trusted proxy
 * (so the per-address limit of the verification page never stops them: a worst case, as from many machines; with
 * `--same-address` all from one address, which the limit soon answers with 429):
 *  - tags:    a KIKO-shaped credential with 150,000 `achievement.tag` strings (~1.5 MB; once 767 s of CPU),
 *  - deep:    the same credential with 5,000 levels of nested arrays,
 *  - max:     a credential at the shape limits (50 tags of 300 characters): passes the shape check, so its proof is
 *             canonicalised in the verification worker (the most expensive work an upload can still cause),
 *  - fake-pdf: 1.9 MB that start like a PDF.
 * The attackers run in a process of their own (bench/lib/upload-attackers.ts), as an attack comes from other machines:
 * with `--attackers-in-process` they share the event loop that times the lesson requests, and their own work (copying
 * the bodies, its garbage collection) then shows up in the lesson latencies — the way this bench measured until
 * 2026-12-04 19:40. `--cpu-prof` writes a CPU profile of the server to bench/results/prof/.
 * Needs dist/ (`npm run build`); loopback only, a fresh database in a temp folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openDb } from '../db/client.ts';
import { issueOpenBadge } from '../src/lib/server/certificates/open-badge.ts';
import { loadOrCreateKeyRing } from '../src/lib/server/certificates/signing-keys.ts';
import { loadContent } from '../src/lib/server/content/load-content.ts';
import { generateTenant } from '../src/lib/server/demo/generate-district.ts';
import { prepareDatabase } from '../src/lib/server/evidence/prepare-database.ts';
import { makePayload } from '../tests/fixtures/certificates/certificate-factory.ts';
import { UNUSABLE_PASSWORD_HASH } from '../tests/setup/small-district.ts';
import { createSessions, pickUsers } from './lib/fixtures.ts';
import { type LoadResult, runLoad } from './lib/load.ts';
import { buildState, startKiko } from './lib/server.ts';
import { summarize } from './lib/stats.ts';
import { attackFromChildProcess, attackInProcess } from './lib/upload-attackers.ts';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '8' },
    attackers: { type: 'string', default: '2' },
    'same-address': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    'attackers-in-process': { type: 'boolean', default: false },
  },
});
const durationS = Number(flags.duration);
const connections = Number(flags.connections);
const attackers = Number(flags.attackers);
const sameAddress = flags['same-address'] === true;
const inProcess = flags['attackers-in-process'] === true;
/** With --cpu-prof the server writes a V8 CPU profile of the whole run here (read it with bench/profile-top.mjs). */
const cpuProfDir = flags['cpu-prof'] ? resolve(import.meta.dirname, 'results', 'prof', `upload-attack-${Date.now()}`) : undefined;
const root = resolve(import.meta.dirname, '..');

if (buildState(root) !== 'ok') {
  console.error('dist/ fehlt oder ist veraltet: erst `npm run build` ausführen.');
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'kiko-bench-upload-'));
const dbUrl = `file:${join(work, 'bench.db')}`;
const log = (line: string): void => console.error(line);

/** The hostile files, built from a credential in KIKO's shape (signed by a key the server does not know). */
async function attackFiles(): Promise<Array<{ name: string; filename: string; type: string; bytes: Buffer }>> {
  const ring = loadOrCreateKeyRing({ dir: join(work, 'fremde-schluessel') });
  const credential = await issueOpenBadge(makePayload({ id: 'ABCDEFGHJK', keyId: ring.active.id }), ring, {
    issuerUrl: 'https://kiko.example',
    verifyUrl: 'https://kiko.example/zertifikat-pruefen/ABCDEFGHJK',
    holderEmail: 'angreifer@example.org',
  });
  const withTags = (tags: string[]): unknown => {
    const copy = structuredClone(credential) as unknown as { credentialSubject: { achievement: { tag?: string[] } } };
    copy.credentialSubject.achievement.tag = tags;
    return copy;
  };
  const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
  const deep = `${JSON.stringify(credential).slice(0, -1)},"evidence":${'['.repeat(5_000)}"x"${']'.repeat(5_000)}}`;
  return [
    {
      name: 'tags',
      filename: 'nachweis.json',
      type: 'application/json',
      bytes: json(withTags(Array.from({ length: 150_000 }, (_, i) => `t${i}`))),
    },
    { name: 'deep', filename: 'nachweis.json', type: 'application/json', bytes: Buffer.from(deep) },
    {
      name: 'max',
      filename: 'nachweis.json',
      type: 'application/json',
      bytes: json(withTags(Array.from({ length: 50 }, (_, i) => `${i}`.padEnd(300, 'x')))),
    },
    {
      name: 'fake-pdf',
      filename: 'zertifikat.pdf',
      type: 'application/pdf',
      bytes: Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(1_900_000, 0x41)]),
    },
  ];
}

function multipart(file: { filename: string; type: string; bytes: Buffer }): { body: Buffer; type: string } {
  const boundary = 'kikoBenchGrenze';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="datei"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`;
  return {
    body: Buffer.concat([Buffer.from(head), file.bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    type: `multipart/form-data; boundary=${boundary}`,
  };
}

try {
  log('preparing: district of 200, 100 sessions …');
  const handle = await openDb({ url: dbUrl });
  await prepareDatabase(handle.db, root);
  await generateTenant(handle.client, {
    tenant: 'bench',
    staff: 200,
    orgUnits: 5,
    progressRows: 400,
    passwordHash: UNUSABLE_PASSWORD_HASH,
  });
  const cookies = await createSessions(handle.db, await pickUsers(handle.client, 'bench', 1, 100));
  handle.close();
  const content = loadContent({ root });
  const lessons = [...content.courses.values()].flatMap((c) => c.lessons.map((l) => `/kurse/${c.course.id}/${l.id}`));
  const files = (await attackFiles()).map((f) => ({ ...f, ...multipart(f) }));
  log(`attack files: ${files.map((f) => `${f.name} ${(f.body.length / 1024).toFixed(0)} KB`).join(', ')}`);

  const server = await startKiko({
    root,
    dbUrl,
    keyDir: join(work, 'keys'),
    cpuProfDir,
    env: { KIKO_TRUST_PROXY: '127.0.0.1' },
  });
  const base = server.url;
  const lessonLoad = (): Promise<LoadResult> =>
    runLoad({
      baseUrl: base,
      connections,
      durationS,
      expect: [200],
      next: (i) => ({ path: lessons[i % lessons.length] as string, headers: { cookie: cookies[i % cookies.length] as string } }),
    });

  try {
    log('warm-up …');
    await runLoad({
      ...{ baseUrl: base, connections, durationS: 3, expect: [200] },
      next: (i) => ({ path: lessons[i % lessons.length] as string, headers: { cookie: cookies[i % cookies.length] as string } }),
    });
    for (const f of files) {
      await fetch(`${base}/zertifikat-pruefen`, {
        method: 'POST',
        headers: { origin: base, 'content-type': f.type, 'x-forwarded-for': '203.0.113.1' },
        body: new Uint8Array(f.body),
      }).then((r) => r.arrayBuffer());
    }

    log(`lesson page without uploads (${durationS} s) …`);
    const before = await lessonLoad();

    log(`lesson page while ${attackers} attackers upload (${durationS} s) …`);
    const attack = inProcess
      ? attackInProcess({ base, files, attackers, sameAddress })
      : await attackFromChildProcess({ base, files, attackers, sameAddress }, work);
    const during = await lessonLoad();
    const tally = await attack.stop();
    const { sent, statuses: uploadStatus, perFile } = tally;

    log(`lesson page without uploads again (${durationS} s) …`);
    const after = await lessonLoad();
    const health = await fetch(`${base}/api/health`);

    const baseP50 = (before.latency.p50 + after.latency.p50) / 2;
    const baseP99 = (before.latency.p99 + after.latency.p99) / 2;
    const ratio = (x: number, b: number): string => (b > 0 ? `${(x / b).toFixed(2)}×` : '–');
    const row = (label: string, r: LoadResult): string =>
      `| ${label} | ${r.requestsPerS} | ${r.latency.p50} | ${r.latency.p99} | ${ratio(r.latency.p50, baseP50)} | ${ratio(r.latency.p99, baseP99)} | ${r.errors} |`;
    const u = summarize(tally.ms);
    console.log(
      `\n### Upload attack (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; ${connections} connections, ${durationS} s each, ${attackers} attackers${sameAddress ? ' from one address' : ', a new address per upload'}${inProcess ? ', in the bench process' : ', in a process of their own'})\n`,
    );
    console.log('| lesson page | req/s | p50 ms | p99 ms | p50 vs baseline | p99 vs baseline | errors |');
    console.log('|---|---|---|---|---|---|---|');
    console.log(row('without uploads (before)', before));
    console.log(row('while uploading', during));
    console.log(row('without uploads (after)', after));
    console.log(
      `\nUploads during the measurement: ${sent} (${Object.entries(uploadStatus)
        .map(([s, n]) => `${n}× HTTP ${s}`)
        .join(', ')}), p50 ${u.p50} ms, p99 ${u.p99} ms; per file p50: ${Object.entries(perFile)
        .map(([k, s]) => `${k} ${summarize(s).p50} ms`)
        .join(', ')}.`,
    );
    const ok = during.latency.p99 <= 2 * baseP99;
    console.log(
      `Target p99 with uploads ≤ 2× baseline: ${ratio(during.latency.p99, baseP99)} → ${ok ? 'met' : 'NOT met'}; /api/health afterwards: ${health.status}.`,
    );
    process.exitCode = ok && health.status === 200 ? 0 : 1;
  } finally {
    await server.stop();
    if (cpuProfDir) log(`server CPU profile: ${cpuProfDir} (node bench/profile-top.mjs FILE.cpuprofile)`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
