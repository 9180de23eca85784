/**
 * The openid-client configuration of a district's provider: discovery (issuer checked by openid-client), cached per
 * district for a few minutes so a login costs no extra round trip; an unreachable or misconfigured provider becomes
 * SsoUnavailableError (the login page then says so and password login keeps working where it is on).
 */
import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import { clientSecretOf, isLoopbackUrl, type SsoSettings } from './sso-settings.ts';

/** The provider could not be reached or answered with an unusable discovery document. */
export class SsoUnavailableError extends Error {
  constructor(cause: unknown) {
    super('Der Anmeldedienst des Landkreises ist gerade nicht erreichbar.', { cause });
    this.name = 'SsoUnavailableError';
  }
}

/** How long a discovered configuration is reused; a changed provider key is still found through its JWKS. */
const CACHE_MS = 5 * 60_000;
/** Requests to the provider give up after this long, so a hanging provider does not hang the login. */
const TIMEOUT_SECONDS = 5;

const cache = new Map<string, { key: string; at: number; config: Promise<oidc.Configuration> }>();

/** Forgets cached configurations (after a settings change, and in tests). */
export function forgetOidcConfigurations(slug?: string): void {
  if (slug) cache.delete(slug);
  else cache.clear();
}

/**
 * The discovered configuration of a district's provider. Throws SsoUnavailableError. `fresh` discovers again (the
 * start of a login does, so a provider that went down since is reported on KIKO's login page, not as a browser error).
 */
export async function oidcConfiguration(
  slug: string,
  sso: SsoSettings,
  opts: { fresh?: boolean; now?: number } = {},
): Promise<oidc.Configuration> {
  const now = opts.now ?? Date.now();
  const secret = clientSecretOf(slug);
  // a changed issuer, client id or secret must not reuse the old configuration
  const key = createHash('sha256')
    .update(JSON.stringify([sso.issuer, sso.clientId, secret ?? '']))
    .digest('hex');
  const hit = cache.get(slug);
  if (!opts.fresh && hit && hit.key === key && now - hit.at < CACHE_MS) return hit.config;
  const issuer = new URL(sso.issuer);
  const config = oidc
    .discovery(issuer, sso.clientId, { client_secret: secret }, secret ? oidc.ClientSecretPost(secret) : oidc.None(), {
      timeout: TIMEOUT_SECONDS,
      // plain http only for a provider on this machine (the settings schema refuses it elsewhere)
      execute: isLoopbackUrl(issuer) && issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
    })
    .then((c) => {
      c.timeout = TIMEOUT_SECONDS;
      return c;
    });
  cache.set(slug, { key, at: now, config });
  try {
    return await config;
  } catch (e) {
    cache.delete(slug);
    throw new SsoUnavailableError(e);
  }
}
