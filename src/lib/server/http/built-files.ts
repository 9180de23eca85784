/**
 * The built browser files of dist/client (Astro's `/_astro/` bundles and the favicon), served by `kiko serve` in
 * front of the Astro app (src/cli/serve.ts) with `send`, the static file server Astro's Node adapter uses too.
 *
 * The adapter's standalone handler looked on disk for every request first (an `lstat` and a `stat` with an error
 * object for each page), although dist/client holds only a handful of files. KIKO lists them once at start — the
 * build never changes while a server runs — and sends a request to the app unless its path is one of them, so a
 * page costs no file-system call and a file is found without asking the app. Paths are compared as sent (the
 * bundles have ASCII names); anything else, also a directory or a file added after the start, goes to the app and
 * gets its 404 page.
 */
import { readdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, relative, sep } from 'node:path';
import send from 'send';

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

/** URL paths of the files under `dir` ("/favicon.svg", "/_astro/Base.x.css"); dot files are left out. */
export function builtFilePaths(dir: string): Set<string> {
  const paths = new Set<string>();
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) paths.add(`/${relative(dir, full).split(sep).join('/')}`);
    }
  };
  walk(dir);
  return paths;
}

/** Bundles carry a content hash in their name: a browser may keep them for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Wraps the app's handler: GET and HEAD of a built file are answered from `dir`, everything else by `app`. A URL
 * that cannot be decoded gets 400 before either (as the adapter's standalone handler did).
 */
export function withBuiltFiles(dir: string, app: Handler): Handler {
  const files = builtFilePaths(dir);
  return (req, res) => {
    const url = req.url ?? '/';
    try {
      decodeURI(url);
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Ungültige Adresse.');
      return;
    }
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !files.has(path)) return app(req, res);
    const stream = send(req, path, { root: dir, dotfiles: 'deny', index: false });
    stream.on('headers', (r: ServerResponse) => {
      if (path.startsWith('/_astro/')) r.setHeader('Cache-Control', IMMUTABLE);
    });
    stream.on('error', (err: { statusCode?: number }) => {
      // the file went missing since the start (a rebuild under a running server): the app answers instead
      if (err.statusCode === 404 && !res.headersSent) return void app(req, res);
      res.statusCode = err.statusCode ?? 500;
      res.end();
    });
    stream.pipe(res);
  };
}
