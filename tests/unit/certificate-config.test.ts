import { describe, expect, test } from 'vitest';
import { certificateConfig, publicBase, publicUrlProblem } from '../../src/lib/server/certificates/certificate-config.ts';
import { parseEnv } from '../../src/lib/server/config/env.ts';

describe('certificateConfig', () => {
  test('returns KIKO_PUBLIC_URL when set', () => {
    const env = parseEnv({ NODE_ENV: 'production', KIKO_PUBLIC_URL: 'https://kiko.landkreis.example' });
    expect(certificateConfig(env).publicUrl).toBe('https://kiko.landkreis.example');
    expect(publicUrlProblem(env)).toBeNull();
  });
  test('returns the configured listen address in development and demo mode', () => {
    expect(certificateConfig(parseEnv({ NODE_ENV: 'development', PORT: '8080' })).publicUrl).toBe('http://localhost:8080');
    expect(certificateConfig(parseEnv({ NODE_ENV: 'production', KIKO_DEMO: 'true', HOST: 'kiko.intern' })).publicUrl).toBe(
      'http://kiko.intern:4321',
    );
  });
  test('returns no URL in production without KIKO_PUBLIC_URL: no file is made and the start is refused', () => {
    const env = parseEnv({ NODE_ENV: 'production', KIKO_DEMO: 'false' });
    const config = certificateConfig(env);
    expect(config.publicUrl).toBeNull();
    expect(() => publicBase(config)).toThrow(/KIKO_PUBLIC_URL fehlt/);
    expect(publicUrlProblem(env)).toMatch(/KIKO_PUBLIC_URL fehlt/);
  });
});
