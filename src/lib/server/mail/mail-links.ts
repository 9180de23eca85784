/** Absolute links in mails: always from the configured public address (KIKO_PUBLIC_URL), never from a request. */
import { certificateConfig, publicBase } from '../certificates/certificate-config.ts';
import { type Env, getEnv } from '../config/env.ts';

export function publicLink(path: string, env: Env = getEnv()): string {
  return new URL(path.replace(/^\//, ''), publicBase(certificateConfig(env))).href;
}
