/**
 * A real OpenID provider (oidc-provider) in-process on 127.0.0.1 with one client registered for KIKO, its
 * development login form (any login name, any password), consent skipped, PKCE required. Tests can re-sign the
 * id_token the token endpoint returns (`tamper`) to play a provider or attacker that issues wrong claims with a
 * valid signature, and can stop the server to play an unreachable provider.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, SignJWT } from 'jose';
import Provider from 'oidc-provider';

export interface TestAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
  personnel_number?: string;
  org_unit?: string;
  job_role?: string;
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  accounts: Map<string, TestAccount>;
  /** When set, rewrites the id_token's claims (re-signed with the provider's key). */
  tamper: ((claims: JWTPayload) => JWTPayload) | null;
  close: () => Promise<void>;
}

export async function startTestProvider(opts: {
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  clientSecret?: string;
}): Promise<TestProvider> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const signingKey = await importJWK(jwk, 'RS256');
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts = new Map<string, TestAccount>();
  const clientId = 'kiko';
  const clientSecret = opts.clientSecret ?? 'test-client-secret-0123456789abcdef';
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: opts.redirectUris,
        post_logout_redirect_uris: opts.postLogoutRedirectUris ?? [],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [jwk] },
    pkce: { required: () => true },
    cookies: { keys: ['test-cookie-key-0123456789'] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'personnel_number', 'org_unit', 'job_role'],
    },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 600, Grant: 600 },
    findAccount: async (_ctx: unknown, id: string) => {
      const account = accounts.get(id);
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...account }) };
    },
    // skip the consent screen: KIKO is the district's own application
    // biome-ignore lint/suspicious/noExplicitAny: oidc-provider's context is untyped here
    loadExistingGrant: async (ctx: any) => {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(ctx.oidc.client?.clientId ?? '');
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client?.clientId, accountId: ctx.oidc.session?.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  const harness: TestProvider = {
    issuer,
    clientId,
    clientSecret,
    accounts,
    tamper: null,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  // biome-ignore lint/suspicious/noExplicitAny: Koa context of oidc-provider, untyped here
  provider.use(async (ctx: any, next: () => Promise<void>) => {
    await next();
    const body = ctx.body as { id_token?: string } | undefined;
    if (ctx.path === '/token' && harness.tamper && body && typeof body === 'object' && typeof body.id_token === 'string') {
      const claims = harness.tamper(decodeJwt(body.id_token));
      ctx.body = {
        ...body,
        id_token: await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'test-key', typ: 'JWT' }).sign(signingKey),
      };
    }
  });
  server.on('request', provider.callback());
  return harness;
}

/** A tiny browser: follows redirects by hand and keeps cookies per host. */
export class CookieBrowser {
  readonly jar = new Map<string, Map<string, string>>();

  cookieHeader(url: URL): string {
    return [...(this.jar.get(url.host) ?? new Map()).entries()].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  store(url: URL, res: Response): void {
    const jar = this.jar.get(url.host) ?? new Map<string, string>();
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    this.jar.set(url.host, jar);
  }

  async request(url: string | URL, init: { method?: string; body?: URLSearchParams } = {}): Promise<Response> {
    const u = new URL(url);
    const res = await fetch(u, {
      method: init.method ?? 'GET',
      body: init.body,
      redirect: 'manual',
      headers: { cookie: this.cookieHeader(u), ...(init.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    });
    this.store(u, res);
    return res;
  }

  /**
   * Goes through the provider from an authorization URL: logs in as `login` on the development form and returns the
   * URL the provider redirects to on KIKO's side (the callback with code and state), without requesting it.
   */
  async loginAtProvider(authorizationUrl: URL, login: string, stopAt: string): Promise<URL> {
    let res = await this.request(authorizationUrl);
    let current = authorizationUrl;
    for (let hops = 0; hops < 12; hops++) {
      const location = res.headers.get('location');
      if (location) {
        const next = new URL(location, current);
        if (next.href.startsWith(stopAt)) return next;
        current = next;
        res = await this.request(next);
        continue;
      }
      const html = await res.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      if (!action) throw new Error(`provider answered ${res.status} without a form: ${html.slice(0, 300)}`);
      const target = new URL(action.replaceAll('&amp;', '&'), current);
      const body = html.includes('name="login"')
        ? new URLSearchParams({ prompt: 'login', login, password: 'egal' })
        : new URLSearchParams({ prompt: 'consent' });
      current = target;
      res = await this.request(target, { method: 'POST', body });
    }
    throw new Error('too many redirects at the provider');
  }
}
