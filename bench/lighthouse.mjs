#!/usr/bin/env node
/**
 * Lighthouse scores of KIKO's main pages — login, a lesson, the quiz start page, the certificate check form and a
 * check result — with the mobile (default) and desktop presets, against the production build (`kiko serve`, demo
 * data, loopback only) in Debian's Chromium. Writes bench/results/lighthouse.json (lighthouse-mobile.json or
 * lighthouse-desktop.json with --preset; lighthouse-partial.json with --only): scores, every audit below full marks
 * and the unweighted insights that did not pass. Prints a table. Not part of `npm test`.
 *
 *   npm run build && node bench/lighthouse.mjs [--only login,lesson] [--preset mobile|desktop]
 *
 * CHROME_PATH names the browser (default /usr/bin/chromium). Each run gets a fresh profile (user-data-dir).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse, { desktopConfig } from 'lighthouse';
import { DEMO_PASSWORD } from '../src/lib/server/demo/demo-logins.ts';
import { DEMO_LEARNER_EMAIL } from '../src/lib/server/demo/seed-demo-learning.ts';
import { buildState, startKiko } from './lib/server.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: { only: { type: 'string' }, preset: { type: 'string' }, help: { type: 'boolean' } },
});
if (args.help) {
  console.log('node bench/lighthouse.mjs [--only login,lesson,quiz,verify,verify-result] [--preset mobile|desktop]');
  process.exit(0);
}
if (buildState(root) === 'missing') {
  console.error('dist/ fehlt: erst `npm run build` ausführen.');
  process.exit(1);
}

const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];
/** The flags every browser of this machine needs (closed network: no background connections). */
const CHROME_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Signs in through the login form (the action's POST) and returns the session cookie. */
async function signIn(base, email) {
  const body = new URLSearchParams({ email, password: DEMO_PASSWORD });
  const res = await fetch(`${base}/anmelden?_action=login`, {
    method: 'POST',
    body,
    redirect: 'manual',
    headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded' },
  });
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('kiko_session='));
  if (!cookie) throw new Error(`Anmeldung von ${email} fehlgeschlagen (Status ${res.status})`);
  return cookie.split(';')[0];
}

/** The first certificate of the signed-in learner, from their certificates page (null when there is none). */
async function firstCertificateId(base, cookie) {
  const html = await (await fetch(`${base}/zertifikate`, { headers: { cookie } })).text();
  return /href="\/zertifikat-pruefen\/([0-9A-Za-z-]+)"/.exec(html)?.[1] ?? null;
}

const dir = mkdtempSync(join(os.tmpdir(), 'kiko-lighthouse-'));
const server = await startKiko({
  root,
  dbUrl: `file:${join(dir, 'lighthouse.db')}`,
  keyDir: join(dir, 'keys'),
  env: { KIKO_DEMO: 'true' },
  timeoutMs: 120_000,
});
const results = [];
try {
  const base = server.url;
  const cookie = await signIn(base, DEMO_LEARNER_EMAIL);
  const certificate = await firstCertificateId(base, cookie);
  const pages = [
    { id: 'login', path: '/anmelden' },
    { id: 'lesson', path: '/kurse/ki-kompetenz-basis/artikel-4', cookie },
    { id: 'quiz', path: '/kurse/ki-kompetenz-basis/quiz', cookie },
    { id: 'verify', path: '/zertifikat-pruefen' },
    ...(certificate ? [{ id: 'verify-result', path: `/zertifikat-pruefen/${certificate}` }] : []),
  ].filter((p) => !args.only || args.only.split(',').includes(p.id));
  const presets = ['mobile', 'desktop'].filter((p) => !args.preset || args.preset === p);

  for (const preset of presets)
    for (const page of pages) {
      const profile = mkdtempSync(join(dir, 'profile-'));
      const chrome = await chromeLauncher.launch({
        chromePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
        chromeFlags: CHROME_FLAGS,
        userDataDir: profile,
        logLevel: 'silent',
      });
      try {
        const started = performance.now();
        const flags = {
          port: chrome.port,
          output: 'json',
          logLevel: 'error',
          onlyCategories: CATEGORIES,
          ...(page.cookie ? { extraHeaders: { Cookie: page.cookie } } : {}),
        };
        const run = await lighthouse(`${base}${page.path}`, flags, preset === 'desktop' ? desktopConfig : undefined);
        if (!run) throw new Error(`Lighthouse lieferte nichts für ${page.path}`);
        const lhr = run.lhr;
        const scores = Object.fromEntries(CATEGORIES.map((c) => [c, Math.round((lhr.categories[c]?.score ?? 0) * 100)]));
        // every audit that costs points, so a score below 100 names its cause
        const findings = CATEGORIES.flatMap((c) =>
          (lhr.categories[c]?.auditRefs ?? [])
            .filter((ref) => ref.weight > 0)
            .map((ref) => lhr.audits[ref.id])
            .filter((a) => a && a.score !== null && a.score < 1)
            .map((a) => ({ category: c, audit: a.id, score: a.score, title: a.title, displayValue: a.displayValue ?? null })),
        );
        // audits without weight (Lighthouse's insights, e.g. text compression) that did not pass: reported, not scored
        const insights = Object.values(lhr.audits)
          .filter((a) => a.score !== null && a.score < 1 && ['binary', 'numeric', 'metricSavings'].includes(a.scoreDisplayMode))
          .filter((a) => !findings.some((f) => f.audit === a.id))
          .map((a) => ({
            id: a.id,
            title: a.title,
            // the document-latency insight lists what it checked (redirects, server time, compression)
            failed: Object.entries(a.details?.type === 'checklist' ? a.details.items : {})
              .filter(([, v]) => v && v.value === false)
              .map(([k, v]) => `${k}: ${v.label}`),
          }));
        const metrics = Object.fromEntries(
          ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'speed-index'].map(
            (m) => [m, lhr.audits[m]?.numericValue ?? null],
          ),
        );
        results.push({
          page: page.id,
          path: page.path,
          preset,
          scores,
          metrics,
          findings,
          insights,
          runtimeError: lhr.runtimeError ?? null,
        });
        console.log(
          `${preset.padEnd(8)} ${page.id.padEnd(14)} ${CATEGORIES.map((c) => String(scores[c]).padStart(4)).join('')}  (${Math.round((performance.now() - started) / 1000)} s)`,
        );
      } finally {
        chrome.kill();
        rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
      }
    }
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}

const resultsDir = join(root, 'bench', 'results');
mkdirSync(resultsDir, { recursive: true });
const file = join(resultsDir, args.only ? 'lighthouse-partial.json' : `lighthouse${args.preset ? `-${args.preset}` : ''}.json`);
writeFileSync(
  file,
  `${JSON.stringify({ at: new Date().toISOString(), chrome: process.env.CHROME_PATH ?? '/usr/bin/chromium', results }, null, 2)}\n`,
);

console.log(`\n| preset | page | ${CATEGORIES.join(' | ')} |\n|---|---|${CATEGORIES.map(() => '---:').join('|')}|`);
for (const r of results) console.log(`| ${r.preset} | ${r.page} | ${CATEGORIES.map((c) => r.scores[c]).join(' | ')} |`);
const below = results.flatMap((r) =>
  r.findings.map((f) => `${r.preset} ${r.page}: [${f.category}] ${f.audit} — ${f.title}${f.displayValue ? ` (${f.displayValue})` : ''}`),
);
if (below.length > 0) console.log(`\nUnter voller Punktzahl:\n${[...new Set(below)].join('\n')}`);
const insights = [...new Set(results.flatMap((r) => r.insights.map((i) => (i.failed.length ? `${i.id} (${i.failed.join('; ')})` : i.id))))];
if (insights.length > 0) console.log(`\nHinweise ohne Gewicht (nicht bestanden):\n${insights.join('\n')}`);
console.log(`\nErgebnis: ${file}`);
