/**
 * `kiko tenant sso --tenant T --issuer URL --client-id ID [--password-login on|off] [--bind-by personnel-number|verified-email]
 *   [--claim-org-unit C] [--claim-job-role C] [--claim-personnel-number C] [--default-org-unit CODE] [--off] [--operator NAME]`
 * sets a district's single sign-on (the same verb as the admin page). The client secret is not a flag: it is read from
 * the environment variable the command names, so it never lands in a shell history or the database.
 */
import { openDb } from '../../db/client.ts';
import { getEnv } from '../lib/server/config/env.ts';
import { DomainError } from '../lib/server/errors/domain-errors.ts';
import { prepareDatabase } from '../lib/server/evidence/prepare-database.ts';
import { getContent } from '../lib/server/learning/content-registry.ts';
import { clientSecretOf, secretEnvName } from '../lib/server/sso/sso-settings.ts';
import { updateSsoSettings } from '../lib/server/sso/update-sso-settings.ts';
import { tenantContext } from '../lib/server/tenancy/tenant-context.ts';
import { readTenantSettings } from '../lib/server/tenancy/tenant-settings.ts';
import { type CliIo, parseFlags, UsageError } from './io.ts';

const USAGE =
  'kiko tenant sso --tenant KÜRZEL --issuer URL --client-id ID [--password-login on|off] [--bind-by personnel-number|verified-email]\n' +
  '    [--claim-org-unit CLAIM] [--claim-job-role CLAIM] [--claim-personnel-number CLAIM] [--default-org-unit KÜRZEL] [--off] [--operator NAME]';

export default async function tenantCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'sso') throw new UsageError(USAGE);
  const f = parseFlags(rest, {
    tenant: 'string',
    issuer: 'string',
    'client-id': 'string',
    'password-login': 'string',
    'bind-by': 'string',
    'claim-org-unit': 'string',
    'claim-job-role': 'string',
    'claim-personnel-number': 'string',
    'default-org-unit': 'string',
    off: 'boolean',
    operator: 'string',
  });
  if (!f.tenant || !f.issuer || !f['client-id']) throw new UsageError(`--tenant, --issuer und --client-id sind Pflicht.\n${USAGE}`);
  const passwordFlag = f['password-login'] === undefined ? undefined : String(f['password-login']);
  if (passwordFlag !== undefined && passwordFlag !== 'on' && passwordFlag !== 'off')
    throw new UsageError(`--password-login erwartet on oder off.\n${USAGE}`);
  const env = getEnv();
  const { db, close } = await openDb({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
  try {
    await prepareDatabase(db);
    const slug = String(f.tenant);
    const ctx = await tenantContext(db, getContent(), { tenantSlug: slug, ...(f.operator ? { operator: String(f.operator) } : {}) });
    const tenant = await db.query.tenantTable.findFirst({ where: (t, { eq }) => eq(t.slug, slug) });
    // flags that are not given keep the district's current value
    const current = readTenantSettings(tenant?.settings).sso;
    const text = (name: keyof typeof f): string | undefined => (f[name] === undefined ? undefined : String(f[name]));
    const saved = await updateSsoSettings(ctx, {
      ...current,
      enabled: !f.off,
      issuer: String(f.issuer),
      clientId: String(f['client-id']),
      claims: {
        ...(current?.claims ?? { email: 'email', name: 'name' }),
        ...(text('claim-org-unit') ? { orgUnit: text('claim-org-unit') } : {}),
        ...(text('claim-job-role') ? { jobRole: text('claim-job-role') } : {}),
        ...(text('claim-personnel-number') ? { personnelNumber: text('claim-personnel-number') } : {}),
      },
      ...(text('bind-by') ? { bindBy: text('bind-by') as 'personnel-number' | 'verified-email' } : {}),
      ...(text('default-org-unit') ? { defaultOrgUnitCode: text('default-org-unit') } : {}),
      ...(passwordFlag ? { passwordLogin: passwordFlag === 'on' } : {}),
    });
    io.out(
      `Anmeldung mit dem Dienstkonto für ${slug} ${saved.enabled ? 'eingeschaltet' : 'ausgeschaltet'}: ${saved.issuer} (Client-ID ${saved.clientId}); ` +
        `Anmeldung mit Passwort ${saved.passwordLogin ? 'möglich' : 'ausgeschaltet'}.`,
    );
    io.out(
      clientSecretOf(slug)
        ? `Client-Geheimnis: aus ${secretEnvName(slug)} (hinterlegt).`
        : `Client-Geheimnis: bitte als Umgebungsvariable ${secretEnvName(slug)} für den Server setzen (ohne: öffentlicher Client).`,
    );
    io.out(`Beim Anmeldedienst als Weiterleitungsadresse eintragen: <öffentliche Adresse von KIKO>/anmelden/sso/${slug}/callback`);
    return 0;
  } catch (e) {
    if (e instanceof DomainError) {
      io.err(`Fehler: ${e.message}`);
      return e.status === 400 ? 2 : 1;
    }
    throw e;
  } finally {
    close();
  }
}
