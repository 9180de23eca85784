/**
 * The curriculum as the running server sees it: upstream content plus the district overlay
 * (KIKO_CONTENT_OVERLAY), loaded once per process. Tests pass their own ContentSet instead.
 */
import { resolve } from 'node:path';
import { getEnv } from '../config/env.ts';
import { type ContentSet, loadContent } from '../content/load-content.ts';

let cached: ContentSet | undefined;

export function getContent(): ContentSet {
  if (!cached) {
    const env = getEnv();
    const root = resolve(process.env.KIKO_ROOT ?? process.cwd());
    cached = loadContent({ root, overlay: env.KIKO_CONTENT_OVERLAY ? resolve(env.KIKO_CONTENT_OVERLAY) : undefined });
    const errors = cached.problems.filter((p) => p.severity === 'error');
    if (errors.length > 0)
      console.error(
        `KIKO: ${errors.length} Fehler in den Kursinhalten (Details: npx kiko content check), z. B. ${errors[0]?.file}: ${errors[0]?.message}`,
      );
  }
  return cached;
}
