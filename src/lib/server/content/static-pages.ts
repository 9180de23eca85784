/** Static pages (Impressum, Datenschutz, Barrierefreiheit) and snippets: Markdown from content/, overlay wins. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { marked } from 'marked';
import { getEnv } from '../config/env.ts';

/** Renders Markdown written by the project or the district's content team (trusted authors). */
export function renderMarkdown(source: string): string {
  return marked.parse(source, { async: false });
}

export function loadStaticPage(slug: string, root = process.env.KIKO_ROOT ?? process.cwd()): string {
  const overlay = getEnv().KIKO_CONTENT_OVERLAY;
  const candidates = [overlay ? join(overlay, 'content', 'pages', `${slug}.md`) : null, join(root, 'content', 'pages', `${slug}.md`)];
  const file = candidates.find((f): f is string => f !== null && existsSync(f));
  return file ? renderMarkdown(readFileSync(file, 'utf8')) : '<p>Diese Seite wird noch ergänzt.</p>';
}
