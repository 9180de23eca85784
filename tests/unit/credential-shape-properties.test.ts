/**
 * Properties of the credential upload guard (fast-check, seeded and bounded): random bytes, random JSON and random
 * changes to a genuine KIKO credential are answered with the credential or a German refusal — never an exception —
 * within a small time budget, and nothing outside KIKO's limits is ever accepted. Shape-valid changes that reach
 * the proof check in the worker are refused there within its budget.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CREDENTIAL_LIMITS, checkCredentialShape, jsonDepth } from '../../src/lib/server/certificates/credential-shape.ts';
import { issueOpenBadge, type OpenBadgeCredential } from '../../src/lib/server/certificates/open-badge.ts';
import { type KeyRing, loadOrCreateKeyRing } from '../../src/lib/server/certificates/signing-keys.ts';
import { verifyOpenBadgeInWorker } from '../../src/lib/server/certificates/verify-in-worker.ts';
import { makePayload } from '../fixtures/certificates/certificate-factory.ts';
import { change, changed } from '../setup/hostile-credential.ts';

const RUNS = { seed: 20261203, numRuns: 300 } as const;
/** Per call on a busy 2-core machine; the guard itself takes well under a millisecond for 64 KB. */
const BUDGET_MS = 100;

const tmp = mkdtempSync(join(tmpdir(), 'kiko-shape-'));
const ring: KeyRing = loadOrCreateKeyRing({ dir: join(tmp, 'keys') });
let credential: OpenBadgeCredential;
beforeAll(async () => {
  credential = await issueOpenBadge(makePayload({ id: 'ABCDEFGHJK', keyId: ring.active.id }), ring, {
    issuerUrl: 'https://kiko.example',
    verifyUrl: 'https://kiko.example/zertifikat-pruefen/ABCDEFGHJK',
    holderEmail: 'malgorzata.mueller@musterland.example',
  });
}, 30_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const encode = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Runs the guard with a time budget and checks the answer's form; returns it. */
function guarded(bytes: Uint8Array): ReturnType<typeof checkCredentialShape> {
  const started = performance.now();
  let r: ReturnType<typeof checkCredentialShape>;
  try {
    r = checkCredentialShape(bytes);
  } catch (e) {
    throw new Error(`checkCredentialShape threw: ${(e as Error).message}`);
  }
  expect(performance.now() - started).toBeLessThan(BUDGET_MS);
  if (r.ok) {
    // nothing beyond KIKO's limits passes
    expect(bytes.byteLength).toBeLessThanOrEqual(CREDENTIAL_LIMITS.maxBytes);
    expect(jsonDepth(new TextDecoder().decode(bytes))).toBeLessThanOrEqual(CREDENTIAL_LIMITS.maxDepth);
    expect(r.credential.credentialSubject.achievement.tag?.length ?? 0).toBeLessThanOrEqual(CREDENTIAL_LIMITS.maxTags);
  } else
    expect(r.reason).toMatch(/^Die Datei ist (kein Open-Badges-Nachweis in der Form, in der KIKO ihn ausstellt|weder ein KIKO-Zertifikat)/);
  return r;
}

describe('checkCredentialShape', () => {
  test('answers random bytes with a German refusal within its budget', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        expect(guarded(bytes).ok).toBe(false);
      }),
      RUNS,
    );
  });

  test('answers any JSON value with a German refusal within its budget', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (value) => {
        expect(guarded(encode(JSON.stringify(value) ?? 'null')).ok).toBe(false);
      }),
      RUNS,
    );
  });

  test('answers random changes to a genuine credential within its budget and accepts only shapes within the limits', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 3 }), (changes) => {
        const value = changes.reduce<unknown>((v, c) => changed(v, c), credential);
        if (guarded(encode(JSON.stringify(value) ?? 'null')).ok) accepted++;
      }),
      RUNS,
    );
    // some changes keep the shape (e.g. another tag value): those go on to the proof check
    expect(accepted).toBeGreaterThan(0);
  });

  test('accepts the genuine credential whatever the order of its keys', () => {
    const shuffle = (v: unknown, r: () => number): unknown =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(
            Object.entries(v)
              .map(([k, x]) => [k, shuffle(x, r)] as const)
              .sort(() => r() - 0.5),
          )
        : v;
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        let s = seed;
        const r = (): number => {
          s = (s * 1103515245 + 12345) % 2 ** 31;
          return s / 2 ** 31;
        };
        expect(guarded(encode(JSON.stringify(shuffle(credential, r)))).ok).toBe(true);
      }),
      { ...RUNS, numRuns: 50 },
    );
  });
});

describe('verifyOpenBadgeInWorker with shape-valid changes', () => {
  test('refuses every changed credential that passes the shape check, within the worker budget', async () => {
    const texts = fc.stringMatching(/^[\p{L}\p{N} .,-]{1,40}$/u);
    const cases = fc.sample(
      fc.record({ name: texts, description: texts, tag: fc.array(texts, { minLength: 1, maxLength: CREDENTIAL_LIMITS.maxTags }) }),
      { seed: RUNS.seed, numRuns: 8 },
    );
    for (const c of cases) {
      const copy = structuredClone(credential) as unknown as {
        credentialSubject: { name: string; achievement: { description: string; tag?: string[] } };
      };
      copy.credentialSubject.name = c.name;
      copy.credentialSubject.achievement.description = c.description;
      copy.credentialSubject.achievement.tag = c.tag;
      const shape = guarded(encode(JSON.stringify(copy)));
      expect(shape.ok).toBe(true);
      const started = performance.now();
      const r = await verifyOpenBadgeInWorker(copy as unknown as OpenBadgeCredential, ring, { budgetMs: 5_000 });
      expect(r.verified).toBe(false);
      expect(performance.now() - started).toBeLessThan(6_000);
    }
  }, 90_000);
});
