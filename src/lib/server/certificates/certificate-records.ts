/**
 * Helpers shared by the certificate read verbs: the stored payload parsed back, the status of a
 * certificate at a point in time, and the district branding for rendering.
 */
import type { certificateTable } from '../../../../db/schema/index.ts';
import { readTenantSettings, type TenantSettings } from '../tenancy/tenant-settings.ts';
import { type CertificatePayload, certificatePayloadSchema } from './certificate-payload.ts';
import type { CertificateBrand } from './certificate-view.ts';
import { sanitizeLogoSvg } from './sanitize-logo-svg.ts';

/** A stored certificate row. */
export type CertificateRow = typeof certificateTable.$inferSelect;

/** valid: genuine and in force; expired: past its validity (refresher due); revoked: withdrawn by HR. */
export type CertificateStatus = 'valid' | 'expired' | 'revoked';

/** The stored payload, or null when the stored JSON is no valid payload (a damaged or edited row). */
export function storedPayload(row: Pick<CertificateRow, 'payload' | 'id'>): CertificatePayload | null {
  try {
    const parsed = certificatePayloadSchema.safeParse(JSON.parse(row.payload));
    return parsed.success && parsed.data.id === row.id ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Status at `now`: revocation wins over expiry. */
export function certificateStatus(row: Pick<CertificateRow, 'revokedAt' | 'expiresAt'>, now: Date): CertificateStatus {
  if (row.revokedAt) return 'revoked';
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'valid';
}

/** The district's branding for the certificate renderers. */
export function brandOf(tenant: { name: string; settings: unknown }): CertificateBrand {
  const settings: TenantSettings = readTenantSettings(tenant.settings);
  const logo = settings.logoSvg ? sanitizeLogoSvg(settings.logoSvg) : null;
  return {
    districtName: tenant.name,
    color: settings.brandColor,
    ...(logo ? { logoSvg: logo } : {}),
    ...(settings.signatory ? { signatory: settings.signatory } : {}),
  };
}

/** Short German label of a status. */
export const STATUS_LABELS: Record<CertificateStatus, string> = { valid: 'gültig', expired: 'abgelaufen', revoked: 'widerrufen' };
