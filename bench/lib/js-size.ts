/**
 * JavaScript a page ships: external and inline scripts, module preloads and island components/renderers, with
 * their static and dynamic imports followed on the same origin. Raw bytes as served, and gzip for reference.
 */
import { gzipSync } from 'node:zlib';

export interface JsSize {
  bytes: number;
  gzipBytes: number;
  files: string[];
  inlineScripts: number;
}

export async function pageJavaScript(url: string, headers: Record<string, string> = {}): Promise<JsSize> {
  const res = await fetch(url, { headers, redirect: 'manual' });
  const html = await res.text();
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
  const origin = new URL(url).origin;
  const queue: string[] = [];
  let bytes = 0;
  let gzipBytes = 0;
  let inlineScripts = 0;
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
    const src = /\ssrc="([^"]+)"/.exec(m[1] ?? '')?.[1];
    if (src) queue.push(new URL(src, url).href);
    else if (!/type="application\/(ld\+)?json"/.test(m[1] ?? '') && (m[2] ?? '').trim()) {
      inlineScripts++;
      bytes += Buffer.byteLength(m[2] ?? '');
      gzipBytes += gzipSync(m[2] ?? '').length;
    }
  }
  for (const m of html.matchAll(/<link\b[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) queue.push(new URL(m[1] as string, url).href);
  for (const m of html.matchAll(/\s(?:component-url|renderer-url)="([^"]+)"/g)) queue.push(new URL(m[1] as string, url).href);
  const seen = new Set<string>();
  // bounded: a page cannot pull in more than a few hundred modules
  while (queue.length > 0 && seen.size < 500) {
    const file = queue.shift() as string;
    if (seen.has(file) || new URL(file).origin !== origin) continue;
    seen.add(file);
    const r = await fetch(file, { headers });
    const text = await r.text();
    bytes += Buffer.byteLength(text);
    gzipBytes += gzipSync(text).length;
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+\.m?js)["']/g)) queue.push(new URL(m[1] as string, file).href);
  }
  return { bytes, gzipBytes, files: [...seen].map((f) => new URL(f).pathname), inlineScripts };
}
