import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CertificatePayload } from '../../src/lib/server/certificates/certificate-payload.ts';
import { extractCertificateFromPdf, verifyCertificatePdf } from '../../src/lib/server/certificates/pdf-metadata.ts';
import { renderCertificateSvg } from '../../src/lib/server/certificates/render-certificate.ts';
import { renderCertificatePdf } from '../../src/lib/server/certificates/render-pdf.ts';
import { renderCertificatePng } from '../../src/lib/server/certificates/render-png.ts';
import { type KeyRing, loadOrCreateKeyRing, signPayload, verifyPayload } from '../../src/lib/server/certificates/signing-keys.ts';
import { makePayload, makeView } from '../fixtures/certificates/certificate-factory.ts';

const tmp = mkdtempSync(join(tmpdir(), 'kiko-cert-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const ring: KeyRing = loadOrCreateKeyRing({ dir: join(tmp, 'keys') });
const TIMEOUT = 60_000; // the first satori call loads wasm and 14 font files

/** Writes the PDF to the temp dir and runs a poppler/qpdf tool on it. */
function tool(pdf: Buffer, command: string, args: string[]): string {
  const file = join(tmp, `${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(file, pdf);
  return execFileSync(command, [...args.map((a) => (a === 'FILE' ? file : a))], { encoding: 'utf8' });
}

describe('renderCertificatePdf', () => {
  let payload: CertificatePayload;
  let signature: string;
  let pdf: Buffer;
  beforeAll(async () => {
    payload = makePayload({ keyId: ring.active.id });
    signature = signPayload(payload, ring);
    pdf = await renderCertificatePdf(makeView(payload, signature));
  }, TIMEOUT);

  test('returns a PDF that passes qpdf --check when rendered', () => {
    expect(pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.7');
    expect(tool(pdf, 'qpdf', ['--check', 'FILE'])).toMatch(/No syntax or stream encoding errors/);
  });

  test('returns real text with holder name, course title and legal note when extracted with pdftotext', () => {
    const text = tool(pdf, 'pdftotext', ['FILE', '-']);
    expect(text).toContain('Małgorzata Müller-Weiß');
    expect(text).toContain('Was ist KI? Grundlagen und Begriffe');
    expect(text).toContain('Zertifikat KI-Kompetenz');
    expect(text).toContain('Art. 4 Verordnung (EU) 2024/1689');
    expect(text).toContain('Gültig bis 1. März 2028');
  });

  test('returns a tagged German PDF/A-2a with district as author and embedded fonts', () => {
    const info = tool(pdf, 'pdfinfo', ['FILE']);
    expect(info).toMatch(/Title:\s+Zertifikat KI-Kompetenz: KI-Grundlagen für die Kreisverwaltung – Małgorzata Müller-Weiß/);
    expect(info).toMatch(/Author:\s+Landkreis Musterland/);
    expect(info).toMatch(/Subject:\s+.*Art\. 4 Verordnung/);
    expect(info).toMatch(/Keywords:\s+KI-Kompetenz/);
    expect(info).toMatch(/Tagged:\s+yes/);
    const xmp = tool(pdf, 'pdfinfo', ['-meta', 'FILE']);
    expect(xmp).toContain('<pdfaid:part>2</pdfaid:part>');
    expect(xmp).toContain('<pdfaid:conformance>A</pdfaid:conformance>');
    const fonts = tool(pdf, 'pdffonts', ['FILE']).trim().split('\n').slice(2);
    expect(fonts.length).toBeGreaterThan(0);
    for (const line of fonts) expect(line).toMatch(/NotoSans.*\syes\s+yes\s+yes\s/);
  });

  test(
    'returns the Teilnahmebescheinigung wording when the kind is course and nothing expires',
    async () => {
      const course = makePayload({
        kind: 'course',
        expiresAt: null,
        keyId: ring.active.id,
        holder: { name: 'Jörg O’Neill & Söhne <Test>' },
      });
      course.achievement = {
        ...course.achievement,
        title: 'Chancen & Risiken',
        courses: course.achievement.courses.slice(0, 1),
        topics: [],
      };
      const out = await renderCertificatePdf(makeView(course, signPayload(course, ring)));
      expect(tool(out, 'qpdf', ['--check', 'FILE'])).toMatch(/No syntax or stream encoding errors/);
      const text = tool(out, 'pdftotext', ['FILE', '-']);
      expect(text).toContain('Teilnahmebescheinigung');
      expect(text).toContain('Jörg O’Neill & Söhne <Test>');
      expect(text).toContain('Gültigkeit: unbefristet');
      expect(tool(out, 'pdfinfo', ['FILE'])).toMatch(/Title:\s+Teilnahmebescheinigung: Chancen ＆ Risiken/);
    },
    TIMEOUT,
  );
});

describe('extractCertificateFromPdf', () => {
  let payload: CertificatePayload;
  let signature: string;
  let pdf: Buffer;
  beforeAll(async () => {
    payload = makePayload({ keyId: ring.active.id });
    signature = signPayload(payload, ring);
    pdf = await renderCertificatePdf(makeView(payload, signature));
  }, TIMEOUT);

  test('returns id, signature and payload when the PDF was rendered by KIKO', () => {
    const extracted = extractCertificateFromPdf(pdf);
    expect(extracted).toEqual({ id: payload.id, signature, payload });
    expect(verifyCertificatePdf(pdf, ring).valid).toBe(true);
  });

  test('returns a payload that fails verification when the holder name differs by one byte', () => {
    const extracted = extractCertificateFromPdf(pdf);
    if (!extracted?.payload) throw new Error('no payload');
    const tampered = { ...extracted.payload, holder: { name: extracted.payload.holder.name.replace('Weiß', 'Weiz') } };
    expect(verifyPayload(extracted.payload, extracted.signature, ring)).toBe(true);
    expect(verifyPayload(tampered, extracted.signature, ring)).toBe(false);
  });

  test('returns valid false when one byte of the embedded payload is changed in the file', () => {
    const text = pdf.toString('latin1');
    const ref = /\/KikoPayload (\d+) 0 R/.exec(text)?.[1];
    const object = text.indexOf(`\n${ref} 0 obj\n(`);
    expect(object).toBeGreaterThan(0);
    const start = object + `\n${ref} 0 obj\n(`.length + 40; // a byte inside the base64url payload
    const tampered = Buffer.from(pdf);
    tampered[start] = tampered[start] === 0x41 ? 0x42 : 0x41;
    expect(verifyCertificatePdf(tampered, ring).valid).toBe(false);
  });

  test('returns null when the file is no KIKO certificate', () => {
    expect(extractCertificateFromPdf(Buffer.from('not a pdf'))).toBeNull();
    expect(extractCertificateFromPdf(Buffer.from('%PDF-1.7\n1 0 obj\n<< /Title (x) >>\nendobj\n%%EOF'))).toBeNull();
    expect(verifyCertificatePdf(Buffer.alloc(0), ring)).toEqual({ valid: false, certificate: null });
  });
});

describe('renderCertificatePng', () => {
  test(
    'returns a 1684 × 1190 PNG when rendered',
    async () => {
      const payload = makePayload({ keyId: ring.active.id });
      const png = await renderCertificatePng(makeView(payload, signPayload(payload, ring)));
      expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
      expect(png.readUInt32BE(16)).toBe(1684);
      expect(png.readUInt32BE(20)).toBe(1190);
      expect(png.length).toBeGreaterThan(20_000);
    },
    TIMEOUT,
  );
});

describe('renderCertificateSvg', () => {
  test(
    'returns an A4 landscape SVG with text as paths and the QR code when rendered',
    async () => {
      const payload = makePayload({ keyId: ring.active.id });
      const svg = await renderCertificateSvg(makeView(payload, signPayload(payload, ring)));
      expect(svg).toMatch(/^<svg width="842" height="595"/);
      expect(svg).not.toContain('<text');
      expect(svg).toContain('data:image/svg+xml;base64,');
    },
    TIMEOUT,
  );
});
