/**
 * KIKO's configuration: every environment variable, declared once, validated at start.
 * An invalid value stops the start with a message naming the variable and what is allowed.
 */
import { z } from 'zod';
import '../../shared/zod-locale.ts';
import { trustedProxyProblem } from '../http/trusted-proxy.ts';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no', 'ja', 'nein']).transform((v) => ['true', '1', 'yes', 'ja'].includes(v));

export const envSchema = z.object({
  /** `production` disables demo seeding unless KIKO_DEMO=true. */
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** libSQL URL: `file:data/kiko.db` (embedded, default), `libsql://…`, `http(s)://…`. */
  DATABASE_URL: z
    .string()
    .regex(/^(file:|libsql:\/\/|https?:\/\/|wss?:\/\/)/, 'muss mit file:, libsql://, http(s):// oder ws(s):// beginnen')
    .default('file:data/kiko.db'),
  /** Auth token for a remote libSQL server (sqld / Turso). */
  DATABASE_AUTH_TOKEN: z.string().optional(),
  /** Port of the web server. */
  PORT: z.coerce.number().int().min(1).max(65535).default(4321),
  /** Host/interface the server listens on. */
  HOST: z.string().default('127.0.0.1'),
  /** Public base URL (for links in certificates and QR codes). */
  KIKO_PUBLIC_URL: z.url().optional(),
  /** Seed the demo districts at start. Default: on outside production, off in production. */
  KIKO_DEMO: bool.optional(),
  /** Optional district overlay folder (courses, quizzes, snippets). */
  KIKO_CONTENT_OVERLAY: z.string().optional(),
  /** Idle timeout of a session in hours (sliding expiry). */
  KIKO_SESSION_IDLE_HOURS: z.coerce
    .number()
    .min(0.1)
    .max(24 * 30)
    .default(8),
  /** Absolute lifetime of a session in hours, whatever the activity. */
  KIKO_SESSION_MAX_HOURS: z.coerce
    .number()
    .min(1)
    .max(24 * 90)
    .default(24 * 7),
  /**
   * Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto KIKO believes: comma-separated addresses or CIDR
   * ranges (e.g. `10.0.0.5,192.168.0.0/16`). Empty: the headers are ignored, the peer is the client.
   */
  KIKO_TRUST_PROXY: z
    .string()
    .superRefine((v, ctx) => {
      for (const entry of v.split(',').filter((e) => e.trim())) {
        const problem = trustedProxyProblem(entry);
        if (problem) ctx.addIssue({ code: 'custom', message: `${problem} (erwartet: Adressen oder CIDR-Bereiche, durch Kommas getrennt)` });
      }
    })
    .optional(),
  /** Mark cookies Secure (set when KIKO is served over https, e.g. behind a reverse proxy). */
  KIKO_SECURE_COOKIES: bool.optional(),
  /** Folder for signing keys of certificates (private keys never go into the database). */
  KIKO_KEY_DIR: z.string().default('data/keys'),
  /** Folder for evidence export files made by background jobs (they hold names of staff: keep it private). */
  KIKO_EXPORT_DIR: z.string().default('data/exports'),
  /** Days after which a finished export file is deleted (its row stays in HR's list). */
  KIKO_EXPORT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** Maximum concurrent password hashes (argon2id needs ~19 MiB each). */
  KIKO_MAX_CONCURRENT_HASHES: z.coerce.number().int().min(1).max(64).default(4),
  /**
   * Server processes that share the port (node:cluster): a number, or `auto` for one per CPU core.
   * Each process needs about 250–300 MB; 1 runs without a cluster.
   */
  KIKO_WORKERS: z
    .string()
    .regex(/^(auto|[1-9]|[1-5]\d|6[0-4])$/, 'muss eine Zahl von 1 bis 64 oder „auto“ sein')
    .transform((v): number | 'auto' => (v === 'auto' ? 'auto' : Number(v)))
    .default(1),
  /**
   * SMTP server for outgoing mail, e.g. `smtp://benutzer:passwort@mail.landkreis.example:587` or `smtps://…:465`.
   * Without it mails are kept in the outbox (Verwaltung → Postausgang) instead of being sent.
   */
  KIKO_SMTP_URL: z
    .string()
    .refine((v) => {
      try {
        return ['smtp:', 'smtps:'].includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, 'muss mit smtp:// oder smtps:// beginnen, z. B. smtp://benutzer:passwort@mail.landkreis.example:587')
    .optional(),
  /** Sender of KIKO's mails, e.g. `KIKO Landkreis Musterstadt <kiko@landkreis.example>`; required with KIKO_SMTP_URL. */
  KIKO_MAIL_FROM: z
    .string()
    .max(200)
    .regex(/^([^<>\r\n]*<)?[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+>?$/, 'muss eine E-Mail-Adresse sein, z. B. KIKO <kiko@landkreis.example>')
    .optional(),
  /** How often the delivery job sends queued mail, in seconds. */
  KIKO_MAIL_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(15),
});

export type Env = z.infer<typeof envSchema>;

/** Thrown when the environment is invalid; the message names each variable and the rule. */
export class ConfigError extends Error {}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Ungültige Konfiguration:\n${lines.join('\n')}`);
  }
  if (result.data.KIKO_SMTP_URL && !result.data.KIKO_MAIL_FROM)
    throw new ConfigError(
      'Ungültige Konfiguration:\n  KIKO_MAIL_FROM: fehlt; mit KIKO_SMTP_URL braucht KIKO eine Absenderadresse, z. B. KIKO <kiko@landkreis.example>',
    );
  return result.data;
}

let cached: Env | undefined;

/** The validated configuration of this process (parsed once). */
export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** Whether demo data may be seeded: explicit KIKO_DEMO wins; otherwise everywhere but production. */
export function isDemoMode(env: Env = getEnv()): boolean {
  return env.KIKO_DEMO ?? env.NODE_ENV !== 'production';
}
