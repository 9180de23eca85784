import { describe, expect, test } from 'vitest';
import { jobRoleFor, mapClaims } from '../../src/lib/server/sso/sso-claims.ts';
import { isLoopbackUrl, secretEnvName, ssoSettingsSchema } from '../../src/lib/server/sso/sso-settings.ts';

const sso = ssoSettingsSchema.parse({
  issuer: 'https://sso.landkreis.example/realms/kiko',
  clientId: 'kiko',
  claims: { email: 'mail', name: 'displayName', orgUnit: 'department', jobRole: 'title', personnelNumber: 'employeeNumber' },
  jobRoleMap: { SB: 'sachbearbeitung', 'Leitung Amt': 'fuehrungskraft' },
  defaultJobRole: 'sachbearbeitung',
});

describe('mapClaims', () => {
  test('reads the configured claims, lowercases the e-mail and takes the first value of a list', () => {
    expect(
      mapClaims(
        {
          mail: ' Eva.Muster@LK.example ',
          email_verified: true,
          displayName: 'Eva Muster',
          department: ['Amt 36', 'x'],
          title: 'SB',
          employeeNumber: 4711,
        },
        sso,
      ),
    ).toEqual({
      email: 'eva.muster@lk.example',
      emailVerified: true,
      name: 'Eva Muster',
      orgUnit: 'Amt 36',
      jobRole: 'SB',
      personnelNumber: '4711',
    });
  });

  test('counts only the boolean true as a verified e-mail address', () => {
    expect(mapClaims({ mail: 'a@b.example', email_verified: 'true' }, sso).emailVerified).toBe(false);
    expect(mapClaims({ mail: 'a@b.example' }, sso).emailVerified).toBe(false);
  });

  test('falls back to given and family name, and drops an unusable e-mail address', () => {
    expect(mapClaims({ mail: 'kein-at-zeichen', given_name: 'Eva', family_name: 'Muster' }, sso)).toMatchObject({
      email: null,
      name: 'Eva Muster',
    });
    expect(mapClaims({}, sso)).toMatchObject({ email: null, name: null, orgUnit: null, personnelNumber: null });
  });
});

describe('jobRoleFor', () => {
  test('uses the district mapping, then a KIKO job role id, then the default', () => {
    expect(jobRoleFor('Leitung Amt', sso)).toBe('fuehrungskraft');
    expect(jobRoleFor('it-digitalisierung', sso)).toBe('it-digitalisierung');
    expect(jobRoleFor('alle', sso)).toBe('sachbearbeitung');
    expect(jobRoleFor('Hausmeister', sso)).toBe('sachbearbeitung');
  });
});

describe('ssoSettingsSchema', () => {
  test('accepts https, and plain http only on this machine', () => {
    const parse = (issuer: string) => ssoSettingsSchema.safeParse({ issuer, clientId: 'kiko' }).success;
    expect(parse('https://login.microsoftonline.com/abc/v2.0')).toBe(true);
    expect(parse('http://127.0.0.1:8080')).toBe(true);
    expect(parse('http://sso.landkreis.example')).toBe(false);
    expect(parse('http://127.0.0.1.evil.example')).toBe(false);
    expect(isLoopbackUrl(new URL('http://localhost:1'))).toBe(true);
  });

  test('names the secret variable after the slug', () => {
    expect(secretEnvName('bad-musterstadt')).toBe('KIKO_OIDC_SECRET_BAD_MUSTERSTADT');
  });
});
