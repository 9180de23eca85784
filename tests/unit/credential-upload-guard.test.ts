/**
 * An uploaded credential is held to KIKO's shape before any canonicalisation, and the proof runs in a worker
 * thread with a time budget: a hostile file is refused in milliseconds and never stalls the event loop.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CREDENTIAL_LIMITS, checkCredentialShape, jsonDepth } from '../../src/lib/server/certificates/credential-shape.ts';
import { issueOpenBadge, type OpenBadgeCredential } from '../../src/lib/server/certificates/open-badge.ts';
import { type KeyRing, loadOrCreateKeyRing } from '../../src/lib/server/certificates/signing-keys.ts';
import { verifyOpenBadgeInWorker } from '../../src/lib/server/certificates/verify-in-worker.ts';
import { makePayload } from '../fixtures/certificates/certificate-factory.ts';

const tmp = mkdtempSync(join(tmpdir(), 'kiko-guard-'));
const ring: KeyRing = loadOrCreateKeyRing({ dir: join(tmp, 'keys') });
const payload = makePayload({ id: 'ABCDEFGHJK', keyId: ring.active.id });
let credential: OpenBadgeCredential;
beforeAll(async () => {
  credential = await issueOpenBadge(payload, ring, {
    issuerUrl: 'https://kiko.example',
    verifyUrl: 'https://kiko.example/zertifikat-pruefen/ABCDEFGHJK',
    holderEmail: 'malgorzata.mueller@musterland.example',
  });
}, 30_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const bytesOf = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

/** The attack file: a genuine credential with 150,000 extra tags (~1.5 MB). */
function hostile(): OpenBadgeCredential {
  const copy = structuredClone(credential) as { credentialSubject: { achievement: { tag: string[] } } };
  copy.credentialSubject.achievement.tag = Array.from({ length: 150_000 }, (_, i) => `t${i}`);
  return copy as unknown as OpenBadgeCredential;
}

describe('checkCredentialShape', () => {
  test('accepts a credential exactly as KIKO issues it', () => {
    expect(checkCredentialShape(bytesOf(credential)).ok).toBe(true);
  });
  test('returns a German refusal within milliseconds for 150,000 tags, deep nesting, unknown keys and long arrays', () => {
    const started = performance.now();
    const big = checkCredentialShape(bytesOf(hostile()));
    expect(performance.now() - started).toBeLessThan(200);
    expect(big).toMatchObject({ ok: false, reason: expect.stringContaining('zu groß') });

    const deep = `${JSON.stringify(credential).slice(0, -1)},"evidence":${'['.repeat(5_000)}"x"${']'.repeat(5_000)}}`;
    expect(checkCredentialShape(new TextEncoder().encode(deep))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('verschachtelt'),
    });
    expect(checkCredentialShape(bytesOf({ ...credential, extra: 1 }))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('KIKO'),
    });

    const manyTags = structuredClone(credential) as { credentialSubject: { achievement: { tag: string[] } } };
    manyTags.credentialSubject.achievement.tag = Array.from({ length: CREDENTIAL_LIMITS.maxTags + 1 }, () => 'x');
    const r = checkCredentialShape(bytesOf(manyTags));
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining('credentialSubject.achievement.tag') });
  });
  test('jsonDepth counts brackets outside strings only', () => {
    expect(jsonDepth('{"a":"[[[[{{{{","b":[1,{"c":[]}]}')).toBe(4);
    expect(jsonDepth('{"a":"\\"[["}')).toBe(1);
    expect(jsonDepth('[[')).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('verifyOpenBadgeInWorker', () => {
  test('returns verified for a genuine credential and not verified for a changed one', async () => {
    expect(await verifyOpenBadgeInWorker(credential, ring)).toEqual({ verified: true, errors: [] });
    const changed = structuredClone(credential) as { credentialSubject: { name: string } };
    changed.credentialSubject.name = 'Jemand Anderes';
    expect((await verifyOpenBadgeInWorker(changed, ring)).verified).toBe(false);
  }, 30_000);

  test('refuses a proof that exceeds its time budget, while the event loop keeps running', async () => {
    let ticks = 0;
    let worstLagMs = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const t = performance.now();
      worstLagMs = Math.max(worstLagMs, t - last - 20);
      last = t;
      ticks++;
    }, 20);
    const started = performance.now();
    const r = await verifyOpenBadgeInWorker(hostile(), ring, { budgetMs: 1_500 });
    const took = performance.now() - started;
    clearInterval(timer);
    expect(r).toMatchObject({ verified: false, refused: expect.stringContaining('zu lange') });
    expect(took).toBeLessThan(4_000);
    expect(ticks).toBeGreaterThan(20);
    console.log(`hostile proof stopped after ${Math.round(took)} ms; worst event-loop lag ${Math.round(worstLagMs)} ms`);
    // a genuine credential still verifies afterwards (a fresh worker replaced the terminated one)
    expect(await verifyOpenBadgeInWorker(credential, ring)).toEqual({ verified: true, errors: [] });
  }, 30_000);
});
