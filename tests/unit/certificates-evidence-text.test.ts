/**
 * The certificate PDF is evidence: every course and every topic of the curriculum must be readable in it in full,
 * never cut with an ellipsis or hidden behind "und N weitere". Rendered from the real curriculum (the longest
 * course and the longest learning path by topic text), read back with poppler's pdftotext.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { type Achievement, courseAchievement, pathAchievement } from '../../src/lib/server/certificates/certificate-achievements.ts';
import type { CertificatePayload } from '../../src/lib/server/certificates/certificate-payload.ts';
import { formatMinutes } from '../../src/lib/server/certificates/certificate-texts.ts';
import { renderCertificatePdf } from '../../src/lib/server/certificates/render-pdf.ts';
import { type KeyRing, loadOrCreateKeyRing, signPayload } from '../../src/lib/server/certificates/signing-keys.ts';
import { loadContent } from '../../src/lib/server/content/load-content.ts';
import { makePayload, makeView } from '../fixtures/certificates/certificate-factory.ts';

const tmp = mkdtempSync(join(tmpdir(), 'kiko-evidence-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const ring: KeyRing = loadOrCreateKeyRing({ dir: join(tmp, 'keys') });
const content = loadContent({ root: join(import.meta.dirname, '..', '..') });
const TIMEOUT = 90_000;

function tool(pdf: Buffer, command: string, args: string[]): string {
  const file = join(tmp, `${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(file, pdf);
  return execFileSync(
    command,
    args.map((a) => (a === 'FILE' ? file : a)),
    { encoding: 'utf8' },
  );
}

/** pdftotext breaks lines where the layout wraps: join them again (a break after a hyphen joins without space). */
const flat = (s: string): string =>
  s
    .replace(/-\s*\n\s*/g, '-')
    .replace(/\s+/g, ' ')
    .trim();

const topicLength = (a: Achievement): number => a.topics.join('').length;

function longest(achievements: Achievement[]): Achievement {
  const sorted = [...achievements].sort((x, y) => topicLength(y) - topicLength(x));
  if (!sorted[0]) throw new Error('keine Inhalte');
  return sorted[0];
}

const longestCourse = longest([...content.courses.keys()].flatMap((id) => courseAchievement(content, id, 'v1') ?? []));
const longestPath = longest(
  [...content.paths.values()].flatMap((p) => pathAchievement(content, p, new Map(p.required.map((c) => [c, 'v1']))) ?? []),
);

describe('renderCertificatePdf: complete evidence text', () => {
  for (const [kind, achievement] of [
    ['course', longestCourse],
    ['path', longestPath],
  ] as const) {
    test(
      `returns every course and topic of the longest ${kind} (${achievement.id}) in full when read with pdftotext`,
      async () => {
        const payload: CertificatePayload = makePayload({ kind, achievement, keyId: ring.active.id });
        const pdf = await renderCertificatePdf(makeView(payload, signPayload(payload, ring)));
        expect(tool(pdf, 'qpdf', ['--check', 'FILE'])).toMatch(/No syntax or stream encoding errors/);
        const text = flat(tool(pdf, 'pdftotext', ['FILE', '-']));
        expect(text).not.toContain('…');
        for (const topic of achievement.topics) expect(text, `Thema „${topic}“`).toContain(flat(topic));
        for (const course of achievement.courses) expect(text).toContain(flat(`${course.title} · ${formatMinutes(course.minutes)}`));
        // the source texts are the curriculum's own (not shortened by the payload either)
        const source = new Set([...achievement.courses.map((c) => c.id)].flatMap((id) => content.courses.get(id)?.course.topics ?? []));
        expect(new Set(achievement.topics)).toEqual(source);
      },
      TIMEOUT,
    );
  }

  test(
    'returns the verify URL as a URI link annotation inside a Link structure element',
    async () => {
      const payload = makePayload({ keyId: ring.active.id });
      const view = makeView(payload, signPayload(payload, ring));
      const pdf = await renderCertificatePdf(view);
      expect(tool(pdf, 'pdfinfo', ['-url', 'FILE'])).toContain(view.verifyUrl);
      const raw = pdf.toString('latin1');
      expect(raw).toMatch(/\/Subtype \/Link/);
      expect(raw).toMatch(/\/S \/Link/);
      expect(raw).toMatch(/\/Type \/OBJR/);
    },
    TIMEOUT,
  );

  test(
    'returns one page when everything fits, and no link annotation other than the verify URL',
    async () => {
      const payload = makePayload({ keyId: ring.active.id });
      const view = makeView(payload, signPayload(payload, ring));
      const pdf = await renderCertificatePdf(view);
      expect(tool(pdf, 'pdfinfo', ['FILE'])).toMatch(/Pages:\s+1\n/);
      const urls = tool(pdf, 'pdfinfo', ['-url', 'FILE']).trim().split('\n').slice(1);
      expect(urls.length).toBeGreaterThan(0);
      for (const line of urls) expect(line).toContain(view.verifyUrl);
    },
    TIMEOUT,
  );
});
