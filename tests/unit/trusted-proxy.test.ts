import { describe, expect, test } from 'vitest';
import { parseEnv } from '../../src/lib/server/config/env.ts';
import { parseTrustedProxies, resolveClient } from '../../src/lib/server/http/trusted-proxy.ts';

const headers = (h: Record<string, string>): { get(name: string): string | null } => ({ get: (n) => h[n] ?? null });

describe('resolveClient', () => {
  const trusted = parseTrustedProxies('10.0.0.5, 192.168.0.0/16, fd00::/8');
  test('ignores X-Forwarded-For and X-Forwarded-Proto from a peer that is not a trusted proxy', () => {
    const h = headers({ 'x-forwarded-for': '1.2.3.4', 'x-forwarded-proto': 'https' });
    expect(resolveClient('203.0.113.9', h, 'http:', trusted)).toEqual({ ip: '203.0.113.9', secure: false });
    expect(resolveClient('10.0.0.6', h, 'http:', trusted)).toEqual({ ip: '10.0.0.6', secure: false });
    expect(resolveClient('10.0.0.5', h, 'http:', parseTrustedProxies(undefined))).toEqual({ ip: '10.0.0.5', secure: false });
  });
  test('uses the right-most untrusted X-Forwarded-For entry and the proto from a trusted proxy', () => {
    const h = headers({ 'x-forwarded-for': '6.6.6.6, 198.51.100.20, 192.168.3.4', 'x-forwarded-proto': 'https' });
    expect(resolveClient('10.0.0.5', h, 'http:', trusted)).toEqual({ ip: '198.51.100.20', secure: true });
    expect(resolveClient('::ffff:10.0.0.5', h, 'http:', trusted)).toEqual({ ip: '198.51.100.20', secure: true });
    expect(resolveClient('fd00::1', headers({ 'x-forwarded-for': '2001:db8::7' }), 'http:', trusted)).toEqual({
      ip: '2001:db8::7',
      secure: false,
    });
  });
});

describe('KIKO_TRUST_PROXY', () => {
  test('accepts addresses and CIDR ranges and returns an error naming a bad entry', () => {
    expect(parseEnv({ KIKO_TRUST_PROXY: '10.0.0.5,192.168.0.0/16, ::1' }).KIKO_TRUST_PROXY).toBe('10.0.0.5,192.168.0.0/16, ::1');
    expect(() => parseEnv({ KIKO_TRUST_PROXY: '10.0.0.5, proxy.local' })).toThrow(/KIKO_TRUST_PROXY.*proxy\.local/);
    expect(() => parseEnv({ KIKO_TRUST_PROXY: '10.0.0.0/33' })).toThrow(/KIKO_TRUST_PROXY/);
  });
});
