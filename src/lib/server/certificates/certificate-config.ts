/**
 * Where certificates get their keys and public links: KIKO_KEY_DIR and KIKO_PUBLIC_URL (config/env.ts).
 * Verbs take a CertificateConfig so tests and the CLI can pass their own.
 */
import { resolve } from 'node:path';
import { ConfigError, type Env, getEnv, isDemoMode } from '../config/env.ts';

/** What the certificate verbs need from the configuration. */
export interface CertificateConfig {
  /** Root of the per-district key rings (absolute). */
  keyDir: string;
  /**
   * Public base URL of KIKO for QR codes, verify links and Open Badges. Always from configuration, never from a
   * request's Host header (which anyone can set); null: no certificate file can be made (publicBase throws).
   */
  publicUrl: string | null;
}

/** Why KIKO in production without KIKO_PUBLIC_URL does not start (`kiko serve`) and makes no certificate files. */
export const MISSING_PUBLIC_URL =
  'KIKO_PUBLIC_URL fehlt: In Produktion braucht KIKO seine öffentliche Adresse (z. B. https://kiko.landkreis.example) ' +
  'für Prüflinks und QR-Codes der Zertifikate. Bitte in der Konfiguration setzen (siehe .env.example).';

/** The start-up error of `kiko serve` in production without KIKO_PUBLIC_URL, or null. */
export function publicUrlProblem(env: Env = getEnv()): string | null {
  return !env.KIKO_PUBLIC_URL && env.NODE_ENV === 'production' && !isDemoMode(env) ? MISSING_PUBLIC_URL : null;
}

/**
 * The configuration of this process. KIKO_PUBLIC_URL when set; without it, in demo and development mode the
 * configured listen address (HOST:PORT); in production without it null (no file is made, publicBase throws).
 */
export function certificateConfig(env: Env = getEnv()): CertificateConfig {
  const keyDir = resolve(env.KIKO_KEY_DIR);
  if (env.KIKO_PUBLIC_URL) return { keyDir, publicUrl: env.KIKO_PUBLIC_URL };
  if (publicUrlProblem(env)) return { keyDir, publicUrl: null };
  const host = ['0.0.0.0', '::', '127.0.0.1', '::1'].includes(env.HOST) ? 'localhost' : env.HOST;
  return { keyDir, publicUrl: `http://${host.includes(':') ? `[${host}]` : host}:${env.PORT}` };
}

/** Path of the public verification page of a certificate. */
export const VERIFY_PATH = '/zertifikat-pruefen';

/** Base URL (with trailing slash) from the configured public URL; ConfigError without one. */
export function publicBase(config: CertificateConfig): string {
  if (!config.publicUrl) throw new ConfigError(MISSING_PUBLIC_URL);
  return config.publicUrl.endsWith('/') ? config.publicUrl : `${config.publicUrl}/`;
}

/** Public verification URL of a certificate, e.g. `https://kiko.example/zertifikat-pruefen/ABCDEFGHJK`. */
export function verifyUrlFor(base: string, id: string): string {
  return new URL(`${VERIFY_PATH.slice(1)}/${id}`, base.endsWith('/') ? base : `${base}/`).href;
}
