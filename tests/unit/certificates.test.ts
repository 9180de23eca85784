import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  canonicalPayload,
  formatCertificateId,
  newCertificateId,
  normalizeCertificateId,
} from '../../src/lib/server/certificates/certificate-payload.ts';
import {
  KeyRingError,
  loadOrCreateKeyRing,
  rotateKey,
  signPayload,
  verifyPayload,
} from '../../src/lib/server/certificates/signing-keys.ts';
import { makePayload } from '../fixtures/certificates/certificate-factory.ts';

const dirs: string[] = [];
function keyDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiko-keys-'));
  dirs.push(dir);
  return join(dir, 'keys');
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Replaces one character in the middle of a string by another one (same length, different value). */
function flipOne(s: string): string {
  const i = Math.floor(s.length / 2);
  return s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
}

describe('newCertificateId', () => {
  test('returns 10 Crockford base32 characters when called', () => {
    expect(newCertificateId()).toMatch(/^[0-9A-HJKMNP-TV-Z]{10}$/);
  });

  test('returns distinct ids when called many times', () => {
    const ids = new Set(Array.from({ length: 5000 }, newCertificateId));
    expect(ids.size).toBe(5000);
  });
});

describe('normalizeCertificateId', () => {
  test('returns the canonical id when typed in lower case with hyphen and look-alikes', () => {
    expect(normalizeCertificateId('abcde-fghjk')).toBe('ABCDEFGHJK');
    expect(normalizeCertificateId('o1il0 abcde')).toBe('01110ABCDE');
    expect(formatCertificateId('ABCDEFGHJK')).toBe('ABCDE-FGHJK');
  });

  test('returns null when the input cannot be an id', () => {
    expect(normalizeCertificateId('ABCDEFGHJ')).toBeNull();
    expect(normalizeCertificateId('ABCDEFGHJU')).toBeNull();
    expect(normalizeCertificateId('')).toBeNull();
  });
});

describe('canonicalPayload', () => {
  test('returns the same bytes when the keys come in another order', () => {
    const p = makePayload();
    const reordered = Object.fromEntries(Object.entries(p).reverse()) as typeof p;
    expect(Object.keys(reordered)[0]).toBe('keyId');
    expect(canonicalPayload(reordered).equals(canonicalPayload(p))).toBe(true);
    expect(canonicalPayload(p).toString('utf8')).toMatch(/^\{"achievement":\{"courses":/);
  });

  test('throws when the payload has an unknown key', () => {
    expect(() => canonicalPayload({ ...makePayload(), extra: 1 } as never)).toThrow();
  });
});

describe('loadOrCreateKeyRing', () => {
  test('returns a new ring with a private key file of mode 0600 when the directory is empty', () => {
    const dir = keyDir();
    const ring = loadOrCreateKeyRing({ dir });
    expect(ring.keys).toHaveLength(1);
    expect(statSync(join(dir, `${ring.active.id}.private.pem`)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8')).keys[0]).toMatchObject({ id: ring.active.id, retired: null });
  });

  test('returns the same key when loaded again', () => {
    const dir = keyDir();
    const first = loadOrCreateKeyRing({ dir });
    expect(loadOrCreateKeyRing({ dir }).active.id).toBe(first.active.id);
  });

  test('throws a German KeyRingError when a key file is corrupt', () => {
    const dir = keyDir();
    const ring = loadOrCreateKeyRing({ dir });
    writeFileSync(join(dir, `${ring.active.id}.private.pem`), '-----BEGIN PRIVATE KEY-----\nkaputt\n-----END PRIVATE KEY-----\n');
    expect(() => loadOrCreateKeyRing({ dir })).toThrow(KeyRingError);
    expect(() => loadOrCreateKeyRing({ dir })).toThrow(/nicht lesbar oder beschädigt/);
  });

  test('throws a KeyRingError when keys.json is corrupt', () => {
    const dir = keyDir();
    loadOrCreateKeyRing({ dir });
    writeFileSync(join(dir, 'keys.json'), '{"version":1,"keys":[');
    expect(() => loadOrCreateKeyRing({ dir })).toThrow(KeyRingError);
  });
});

describe('verifyPayload', () => {
  const ring = loadOrCreateKeyRing({ dir: keyDir() });
  const payload = makePayload({ keyId: ring.active.id });
  const signature = signPayload(payload, ring);

  test('returns true when payload and signature are genuine', () => {
    expect(signature).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(verifyPayload(structuredClone(payload), signature, ring)).toBe(true);
  });

  test('returns false when the holder name differs by one byte', () => {
    const tampered = { ...payload, holder: { name: payload.holder.name.replace('Müller', 'Müllar') } };
    expect(Buffer.byteLength(tampered.holder.name)).toBe(Buffer.byteLength(payload.holder.name));
    expect(verifyPayload(tampered, signature, ring)).toBe(false);
  });

  test('returns false when a course minute count or the expiry changes', () => {
    const courses = payload.achievement.courses.map((c, i) => (i === 0 ? { ...c, minutes: c.minutes + 1 } : c));
    expect(verifyPayload({ ...payload, achievement: { ...payload.achievement, courses } }, signature, ring)).toBe(false);
    expect(verifyPayload({ ...payload, expiresAt: '2099-03-01T09:30:00.000Z' }, signature, ring)).toBe(false);
  });

  test('returns false when the key id is unknown', () => {
    expect(verifyPayload({ ...payload, keyId: 'unbekannt' }, signature, ring)).toBe(false);
  });

  test('returns false when the signature is malformed or has one character changed', () => {
    for (const bad of [
      '',
      'abc',
      `${signature}A`,
      signature.slice(0, -2),
      '!'.repeat(86),
      flipOne(signature),
      signature.replace(/.$/, '='),
    ]) {
      expect(verifyPayload(payload, bad, ring)).toBe(false);
    }
    expect(verifyPayload(payload, 42 as unknown as string, ring)).toBe(false);
  });

  test('returns false when the payload is not a valid payload', () => {
    expect(verifyPayload({ ...payload, id: 'kurz' }, signature, ring)).toBe(false);
    expect(verifyPayload(null as never, signature, ring)).toBe(false);
  });

  test('returns false when the signature was made by a key of another ring with the same id', () => {
    const other = loadOrCreateKeyRing({ dir: keyDir() });
    const foreign = signPayload({ ...payload, keyId: other.active.id }, other);
    expect(verifyPayload(payload, foreign, ring)).toBe(false);
  });
});

describe('signPayload', () => {
  test('throws when the payload names a key other than the active one', () => {
    const ring = loadOrCreateKeyRing({ dir: keyDir() });
    expect(() => signPayload(makePayload({ keyId: 'alt' }), ring)).toThrow(/aktiven Schlüssel/);
  });
});

describe('rotateKey', () => {
  test('returns a ring whose new key signs while signatures of the retired key stay valid', () => {
    const dir = keyDir();
    const before = loadOrCreateKeyRing({ dir, now: new Date('2026-01-01T00:00:00Z') });
    const old = makePayload({ keyId: before.active.id });
    const oldSignature = signPayload(old, before);

    const after = rotateKey(dir, new Date('2026-06-01T00:00:00Z'));
    expect(after.active.id).not.toBe(before.active.id);
    expect(after.keys.find((k) => k.id === before.active.id)).toMatchObject({ retired: '2026-06-01T00:00:00.000Z', privateKey: null });
    expect(() => statSync(join(dir, `${before.active.id}.private.pem`))).toThrow();

    const reloaded = loadOrCreateKeyRing({ dir });
    expect(reloaded.active.id).toBe(after.active.id);
    expect(verifyPayload(old, oldSignature, reloaded)).toBe(true);
    const fresh = makePayload({ keyId: reloaded.active.id });
    expect(verifyPayload(fresh, signPayload(fresh, reloaded), reloaded)).toBe(true);
    expect(() => signPayload(old, reloaded)).toThrow();
  });
});
