import { describe, expect, test } from 'vitest';
import { ConfigError, isDemoMode, parseEnv } from '../../src/lib/server/config/env.ts';

describe('parseEnv', () => {
  test('returns defaults for an empty environment', () => {
    const env = parseEnv({});
    expect(env.DATABASE_URL).toBe('file:data/kiko.db');
    expect(env.PORT).toBe(4321);
  });
  test('throws a message naming the variable and the rule for invalid values', () => {
    expect(() => parseEnv({ PORT: 'abc' })).toThrow(ConfigError);
    expect(() => parseEnv({ PORT: '99999' })).toThrow(/PORT/);
    expect(() => parseEnv({ DATABASE_URL: 'postgres://x' })).toThrow(/DATABASE_URL: muss mit file:/);
    expect(() => parseEnv({ KIKO_DEMO: 'vielleicht' })).toThrow(/KIKO_DEMO/);
    expect(() => parseEnv({ KIKO_WORKERS: '0' })).toThrow(/KIKO_WORKERS: muss eine Zahl von 1 bis 64 oder „auto“ sein/);
    expect(() => parseEnv({ KIKO_WORKERS: 'viele' })).toThrow(/KIKO_WORKERS/);
  });
  test('returns one server process by default, a number or auto when set', () => {
    expect(parseEnv({}).KIKO_WORKERS).toBe(1);
    expect(parseEnv({ KIKO_WORKERS: '2' }).KIKO_WORKERS).toBe(2);
    expect(parseEnv({ KIKO_WORKERS: 'auto' }).KIKO_WORKERS).toBe('auto');
  });
});

describe('isDemoMode', () => {
  test('returns false in production unless KIKO_DEMO is set explicitly', () => {
    expect(isDemoMode(parseEnv({ NODE_ENV: 'production' }))).toBe(false);
    expect(isDemoMode(parseEnv({ NODE_ENV: 'production', KIKO_DEMO: 'true' }))).toBe(true);
    expect(isDemoMode(parseEnv({}))).toBe(true);
  });
});
