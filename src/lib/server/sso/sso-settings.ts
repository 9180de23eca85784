/**
 * A district's single sign-on (OpenID Connect) settings: stored in the tenant settings JSON, except the client
 * secret, which comes from the environment (`KIKO_OIDC_SECRET_<SLUG>`, see docs/decisions/012-single-sign-on.md)
 * so that it is never in the database, in a backup, on a page or in a log.
 */
import { z } from 'zod';
import { jobRoleSchema } from '../../shared/content-schema.ts';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Whether a URL points at this machine (only there may a provider answer over plain http, e.g. in tests). */
export function isLoopbackUrl(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname);
}

/** Name of an OIDC claim, e.g. "email", "preferred_username" or "employeeNumber". */
const claimName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_:.\-/]{1,100}$/, 'Ein Claim-Name besteht aus Buchstaben, Ziffern und _ : . - /');

export const ssoSettingsSchema = z.strictObject({
  /** Whether people may sign in with the district's provider. */
  enabled: z.boolean().default(true),
  /**
   * The provider's issuer identifier; its discovery document is `<issuer>/.well-known/openid-configuration`
   * (Keycloak: https://sso.example/realms/REALM, Entra ID: https://login.microsoftonline.com/TENANT/v2.0).
   */
  issuer: z
    .url({ error: 'Bitte die Adresse (Issuer) des Anmeldedienstes angeben, z. B. https://sso.landkreis.example/realms/kiko.' })
    .max(500)
    .refine((u) => {
      const url = new URL(u);
      return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackUrl(url));
    }, 'Der Anmeldedienst muss über https erreichbar sein.')
    .refine((u) => !new URL(u).search && !new URL(u).hash, 'Die Issuer-Adresse darf keine Parameter (? oder #) enthalten.'),
  /** Client id of KIKO at the provider. */
  clientId: z.string().trim().min(1, 'Bitte die Client-ID angeben.').max(200),
  /** Which claims carry the person's details. */
  claims: z
    .strictObject({
      email: claimName.default('email'),
      name: claimName.default('name'),
      /** Org unit: its value is matched against the codes (then the names) of the district's org units. */
      orgUnit: claimName.optional(),
      /** Job role: its value is looked up in `jobRoleMap`, else taken when it is a KIKO job role id. */
      jobRole: claimName.optional(),
      /** Personnel number: the district directory's id, stored as the person's external id. */
      personnelNumber: claimName.optional(),
    })
    .default({ email: 'email', name: 'name' }),
  /**
   * How a person who already exists (e.g. from an import) is found once and bound to the identity:
   * by personnel number (external id), or by an e-mail address the provider marks `email_verified`.
   */
  bindBy: z.enum(['personnel-number', 'verified-email']).default('verified-email'),
  /** Values of the job-role claim → KIKO job role, e.g. { "SB": "sachbearbeitung" }. */
  jobRoleMap: z.record(z.string().max(100), jobRoleSchema.exclude(['alle'])).default({}),
  /** Job role of a person whose claim is missing or unknown. */
  defaultJobRole: jobRoleSchema.exclude(['alle']).default('sachbearbeitung'),
  /** Code of the org unit of a person whose claim is missing or unknown (none: no org unit). */
  defaultOrgUnitCode: z.string().trim().max(100).optional(),
  /** Whether the district's people may still sign in with a KIKO password. */
  passwordLogin: z.boolean().default(true),
});
export type SsoSettings = z.infer<typeof ssoSettingsSchema>;

/** The environment variable that holds the client secret of a district, e.g. KIKO_OIDC_SECRET_MUSTERSTADT. */
export function secretEnvName(slug: string): string {
  return `KIKO_OIDC_SECRET_${slug.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** The client secret of a district (undefined: a public client, or not configured yet). Never show or log it. */
export function clientSecretOf(slug: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[secretEnvName(slug)];
  return value ? value : undefined;
}

/** The job-role mapping as the admin form shows it: one "claim value = job role" per line. */
export function formatJobRoleMap(map: Record<string, string>): string {
  return Object.entries(map)
    .map(([value, role]) => `${value} = ${role}`)
    .join('\n');
}

/** Reads the admin form's job-role mapping; returns the map or the German problem of the first bad line. */
export function parseJobRoleMap(
  text: string,
): { ok: true; map: Record<string, SsoSettings['defaultJobRole']> } | { ok: false; problem: string } {
  const map: Record<string, SsoSettings['defaultJobRole']> = {};
  const roles = jobRoleSchema.exclude(['alle']);
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const at = line.lastIndexOf('=');
    const value = line.slice(0, at).trim();
    const role = roles.safeParse(line.slice(at + 1).trim());
    if (at <= 0 || value === '' || value.length > 100 || !role.success)
      return {
        ok: false,
        problem: `Zeile ${i + 1}: bitte „Wert = Tätigkeitsprofil“ mit einem dieser Profile: ${roles.options.join(', ')}.`,
      };
    map[value] = role.data;
  }
  return { ok: true, map };
}
