/**
 * Every page, endpoint and action of KIKO either is public by decision (listed here with the reason) or reaches data
 * only after an authorization decision of the one module (guardPage → authorize, or a verb that calls authorize).
 * A new route without a decision fails this test; the hardening battery grows it into the full authorization matrix.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function files(dir: string, exts: string[]): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return files(p, exts);
    return exts.some((e) => name.endsWith(e)) ? [relative(root, p)] : [];
  });
}

/** Routes without a person's data: public on purpose. */
const publicRoutes: Record<string, string> = {
  'src/pages/403.astro': 'error page',
  'src/pages/404.astro': 'error page',
  'src/pages/500.astro': 'error page',
  'src/pages/index.astro': 'start page, redirects by role',
  'src/pages/anmelden.astro': 'login form',
  'src/pages/abmelden.astro': 'logout (ends the own session only)',
  'src/pages/anmelden/sso/[tenant].ts': 'starts the login with the district’s identity provider (not signed in yet)',
  'src/pages/anmelden/sso/[tenant]/callback.ts': 'finishes the login with the district’s identity provider (not signed in yet)',
  'src/pages/impressum.astro': 'static page',
  'src/pages/datenschutz.astro': 'static page',
  'src/pages/barrierefreiheit.astro': 'static page',
  'src/pages/api/health.ts': 'liveness probe without data',
  'src/pages/sprache.ts': 'language cookie',
  'src/pages/zertifikat-pruefen/index.astro': 'public certificate verification (by design)',
  'src/pages/zertifikat-pruefen/[...id].astro': 'public certificate verification (by design)',
  'src/pages/zertifikat-pruefen/_result.astro': 'partial of the verification page',
  'src/pages/passwort-vergessen.astro': 'password reset request (the same answer for every address)',
  'src/pages/passwort-neu.astro': 'new password with the one-time token of a mail (the token is the authorization)',
  'src/pages/abzeichen/[art]/[id].ts':
    'Open Badges achievement (JSON-LD) and its image: the curriculum, no person (ids of credentials must resolve)',
};

/** What counts as an authorization decision in a route file. */
const decision = /guardPage\(|authorize\(|requestContext\(|requirePermission\(/;

describe('authorization enumeration', () => {
  const routes = files(join(root, 'src', 'pages'), ['.astro', '.ts']);
  test('lists the routes', () => {
    expect(routes.length).toBeGreaterThan(20);
  });
  for (const route of routes)
    test(`${route} is public by decision or decides authorization`, () => {
      if (publicRoutes[route]) return;
      expect(readFileSync(join(root, route), 'utf8')).toMatch(decision);
    });

  for (const action of files(join(root, 'src', 'actions'), ['.ts']).filter((f) => !f.endsWith('index.ts')))
    test(`${action}: every action handler builds a request context or authorizes`, () => {
      const source = readFileSync(join(root, action), 'utf8');
      const handlers = source.split('defineAction(').slice(1);
      expect(handlers.length).toBeGreaterThan(0);
      for (const h of handlers) expect(h).toMatch(/contextOf\(|requestContext\(|authorize\(|requirePermission\(/);
    });

  const verbDirs = ['learning', 'quizzes', 'evidence', 'tenancy', 'users', 'certificates', 'cohorts', 'sso', 'hr', 'privacy', 'sessions'];
  const verbs = verbDirs.flatMap((d) => files(join(root, 'src', 'lib', 'server', d), ['.ts']));
  for (const file of verbs) {
    const source = readFileSync(join(root, file), 'utf8');
    // verbs that receive an already decided Scope (`scope: Scope`) are internal steps of an authorized verb
    const exported = [...source.matchAll(/export async function (\w+)\(\s*ctx: Ctx(?![^)]*scope: Scope)[,)]/g)];
    for (const m of exported)
      test(`${file}: verb ${m[1]} asks the authorization module first`, () => {
        const body = source.slice(m.index ?? 0, source.indexOf('\n}\n', m.index));
        // sessions/: authorizeCohortWork and requireSession (session-access.ts) call authorize for the cohort;
        // hr/export-jobs.ts: visibleJob calls authorize for hr.view before it looks the job up
        expect(body).toMatch(/await (authorize|authorizeLearner|authorizeCohortWork|requireSession|visibleJob)\(ctx/);
      });
  }
});
