/**
 * Rendered HTML of lesson bodies, kept per server process. A lesson's MDX body depends only on the lesson
 * file and the district's snippets, both fixed while the process runs (content is loaded at start), never
 * on the person or the request; rendering it once instead of on every view made the lesson page's largest
 * cost disappear. Keys carry the lesson version, so a changed lesson can never be served from an old entry.
 */
const MAX_ENTRIES = 2_000;
const cache = new Map<string, string>();

export function cachedHtml(key: string): string | undefined {
  return cache.get(key);
}

export function rememberHtml(key: string, html: string): void {
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(key, html);
}
