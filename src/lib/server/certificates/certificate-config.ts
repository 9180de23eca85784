/**
 * Where certificates get their keys and public links: KIKO_KEY_DIR and KIKO_PUBLIC_URL (config/env.ts).
 * Verbs take a CertificateConfig so tests and the CLI can pass their own.
 */
import { resolve } from 'node:path';
import { getEnv } from '../config/env.ts';

/** What the certificate verbs need from the configuration. */
export interface CertificateConfig {
  /** Root of the per-district key rings (absolute). */
  keyDir: string;
  /** Public base URL of KIKO for QR codes, verify links and Open Badges; null: the caller's request origin. */
  publicUrl: string | null;
}

/** The configuration of this process. */
export function certificateConfig(): CertificateConfig {
  const env = getEnv();
  return { keyDir: resolve(env.KIKO_KEY_DIR), publicUrl: env.KIKO_PUBLIC_URL ?? null };
}

/** Path of the public verification page of a certificate. */
export const VERIFY_PATH = '/zertifikat-pruefen';

/** Base URL (with trailing slash) from the configured public URL, else from the request origin. */
export function publicBase(config: CertificateConfig, requestOrigin?: string): string {
  const base = config.publicUrl ?? requestOrigin ?? 'http://localhost:4321';
  return base.endsWith('/') ? base : `${base}/`;
}

/** Public verification URL of a certificate, e.g. `https://kiko.example/zertifikat-pruefen/ABCDEFGHJK`. */
export function verifyUrlFor(base: string, id: string): string {
  return new URL(`${VERIFY_PATH.slice(1)}/${id}`, base.endsWith('/') ? base : `${base}/`).href;
}
