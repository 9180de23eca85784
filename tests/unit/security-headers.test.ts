import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, test } from 'vitest';
import { FALLBACK_CSP, securityHeaders, withSecurityHeaders } from '../../src/lib/server/http/security-headers.ts';
import { parseTrustedProxies } from '../../src/lib/server/http/trusted-proxy.ts';

/** The headers withSecurityHeaders sets for a request from `peer` with `headers`. */
function headersFor(peer: string, headers: Record<string, string>, trust: string): Record<string, string> {
  const set: Record<string, string> = {};
  const req = { socket: { remoteAddress: peer }, headers } as unknown as IncomingMessage;
  const setHeader = (name: string, value: string): void => {
    set[name.toLowerCase()] = value;
  };
  const res = { setHeader } as unknown as ServerResponse;
  let called = false;
  withSecurityHeaders(() => {
    called = true;
  }, parseTrustedProxies(trust))(req, res);
  expect(called).toBe(true);
  return set;
}

describe('withSecurityHeaders', () => {
  test('sets HSTS when a trusted proxy forwarded an https request', () => {
    const h = headersFor('10.0.0.1', { 'x-forwarded-proto': 'https' }, '10.0.0.1');
    expect(h['strict-transport-security']).toBe('max-age=31536000');
    expect(h['content-security-policy']).toBe(FALLBACK_CSP);
  });

  test('sets no HSTS when an untrusted client only claims https', () => {
    const h = headersFor('203.0.113.9', { 'x-forwarded-proto': 'https' }, '10.0.0.1');
    expect(h['strict-transport-security']).toBeUndefined();
    expect(h['x-content-type-options']).toBe('nosniff');
  });

  test('sets no HSTS over plain http, even from a trusted proxy', () => {
    expect(headersFor('10.0.0.1', { 'x-forwarded-proto': 'http' }, '10.0.0.1')['strict-transport-security']).toBeUndefined();
    expect(headersFor('10.0.0.1', {}, '')['strict-transport-security']).toBeUndefined();
  });
});

describe('securityHeaders', () => {
  test('switches off camera, microphone and geolocation and forbids framing', () => {
    const h = securityHeaders(false);
    expect(h['Permissions-Policy']).toMatch(/(^|, )camera=\(\)/);
    expect(h['Permissions-Policy']).toMatch(/(^|, )microphone=\(\)/);
    expect(h['Permissions-Policy']).toMatch(/(^|, )geolocation=\(\)/);
    expect(h['X-Frame-Options']).toBe('DENY');
    expect(FALLBACK_CSP).toContain("frame-ancestors 'none'");
  });
});
