/** Reads a person's details from the provider's claims through the district's claim mapping. */
import { jobRoleSchema } from '../../shared/content-schema.ts';
import type { SsoSettings } from './sso-settings.ts';

export type Claims = Record<string, unknown>;

export interface MappedClaims {
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  /** Raw value of the org-unit claim (null: the claim is not configured or absent). */
  orgUnit: string | null;
  /** Raw value of the job-role claim (null: not configured or absent). */
  jobRole: string | null;
  personnelNumber: string | null;
}

/** A claim's value as text (first element of a list, e.g. Keycloak group mappers); null when absent. */
function text(claims: Claims, name: string | undefined): string | null {
  if (!name) return null;
  let value = claims[name];
  if (Array.isArray(value)) value = value[0];
  if (typeof value === 'number') value = String(value);
  if (typeof value !== 'string') return null;
  const trimmed = value.trim().slice(0, 254);
  return trimmed === '' ? null : trimmed;
}

export function mapClaims(claims: Claims, sso: SsoSettings): MappedClaims {
  const email = text(claims, sso.claims.email)?.toLowerCase() ?? null;
  return {
    email: email && /^[^\s@]+@[^\s@]+$/.test(email) ? email : null,
    // only the boolean true counts (some providers send "true" as text: that is not the standard claim)
    emailVerified: claims.email_verified === true,
    name: text(claims, sso.claims.name) ?? ([text(claims, 'given_name'), text(claims, 'family_name')].filter(Boolean).join(' ') || null),
    orgUnit: text(claims, sso.claims.orgUnit),
    jobRole: text(claims, sso.claims.jobRole),
    personnelNumber: text(claims, sso.claims.personnelNumber),
  };
}

type JobRole = SsoSettings['defaultJobRole'];
const kikoJobRoles = jobRoleSchema.exclude(['alle']);

/** The KIKO job role for a claim value: the district's mapping, else a KIKO job role id, else the district default. */
export function jobRoleFor(value: string, sso: SsoSettings): JobRole {
  const mapped = sso.jobRoleMap[value];
  if (mapped) return mapped;
  const direct = kikoJobRoles.safeParse(value);
  return direct.success ? direct.data : sso.defaultJobRole;
}
