/**
 * Security headers of every answer KIKO gives, set where the server answers (src/cli/serve.ts), so static files of
 * dist/client — which built-files.ts serves before Astro's middleware runs — get them as well as pages,
 * endpoints, redirects and the 413 of the body limit. The middleware sets the same (covers `astro dev`).
 *
 * Pages carry their own Content-Security-Policy from Astro (`security.csp` in astro.config.mjs, with the hashes of
 * the page's scripts and styles); every other answer (static files, JSON, PDFs, plain-text errors) gets
 * FALLBACK_CSP, which allows nothing to load. Node merges headers set here with those the handler writes later,
 * the handler's value winning (https://nodejs.org/api/http.html#responsewriteheadstatuscode-statusmessage-headers).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { resolveClient, type TrustedProxies } from './trusted-proxy.ts';

/** Browser features KIKO never uses, switched off for the page and anything it embeds (names Chromium knows). */
export const PERMISSIONS_POLICY = [
  'accelerometer',
  'camera',
  'display-capture',
  'geolocation',
  'gyroscope',
  'hid',
  'idle-detection',
  'magnetometer',
  'microphone',
  'midi',
  'payment',
  'screen-wake-lock',
  'serial',
  'usb',
  'xr-spatial-tracking',
]
  .map((feature) => `${feature}=()`)
  .join(', ');

/** The policy of answers that are not pages: nothing may load, nobody may frame them. */
export const FALLBACK_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * HSTS for a year, only on answers to https requests (directly or through a trusted proxy): a browser ignores it
 * over http, and a KIKO reached by http inside a district network must stay reachable. No includeSubDomains: other
 * services of the district's domain are not KIKO's to decide.
 */
export const HSTS = 'max-age=31536000';

/** The headers every answer carries; `secure` = the browser used https. */
export function securityHeaders(secure: boolean): Record<string, string> {
  return {
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'same-origin',
    'Permissions-Policy': PERMISSIONS_POLICY,
    ...(secure ? { 'Strict-Transport-Security': HSTS } : {}),
  };
}

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

/** Wraps the server's request handler: security headers (and the fallback policy) on every answer. */
export function withSecurityHeaders(handler: Handler, trusted: TrustedProxies): Handler {
  return (req, res) => {
    const ownProtocol = (req.socket as Partial<TLSSocket>).encrypted ? 'https:' : 'http:';
    const headers = {
      get: (name: string): string | null => {
        const v = req.headers[name.toLowerCase()];
        return Array.isArray(v) ? v.join(', ') : (v ?? null);
      },
    };
    const { secure } = resolveClient(req.socket.remoteAddress ?? '', headers, ownProtocol, trusted);
    for (const [name, value] of Object.entries(securityHeaders(secure))) res.setHeader(name, value);
    res.setHeader('Content-Security-Policy', FALLBACK_CSP);
    return handler(req, res);
  };
}
