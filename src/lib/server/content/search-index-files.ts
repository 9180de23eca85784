/**
 * The Pagefind search index (scripts/build-search-index.ts) holds the text of every lesson, so it is served like the
 * lessons: only to signed-in people (src/pages/pagefind/[...path].ts), never as a public static file. The index lives
 * in dist/search/pagefind/, outside dist/client/ (which the server hands out without asking who is there).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

/** Folder of the built search index, below the build output but outside the public dist/client/. */
export function searchIndexDir(root: string = process.env.KIKO_ROOT ?? process.cwd()): string {
  return resolve(root, 'dist', 'search', 'pagefind');
}

/** One file of the index, ready to send. */
export interface SearchIndexFile {
  body: Uint8Array;
  contentType: string;
  /** Pagefind names its index chunks by their content hash: those may stay in the browser's private cache. */
  cacheControl: string;
}

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
  wasm: 'application/wasm',
};

/** Paths (relative, with "/") of the files in the index folder; read once per process. */
let listing: { dir: string; files: ReadonlySet<string> } | undefined;

function indexFiles(dir: string): ReadonlySet<string> {
  if (listing?.dir === dir) return listing.files;
  const files = new Set<string>();
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return; // not built (astro dev, or `astro build` without the index step)
    }
    for (const name of names) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.add(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  listing = { dir, files };
  return files;
}

/**
 * The index file at `path` (as in the URL after /pagefind/), or null when the index has no such file. Only names
 * found in the folder are answered, so no path from a request ever reaches the file system on its own.
 */
export function getSearchIndexFile(path: string, dir: string = searchIndexDir()): SearchIndexFile | null {
  const files = indexFiles(dir);
  if (!files.has(path)) return null;
  const ext = path.slice(path.lastIndexOf('.') + 1);
  const hashed = /^(fragment|index|filter)\//.test(path) || /\.pagefind$|\.pf_meta$/.test(path);
  return {
    body: new Uint8Array(readFileSync(join(dir, ...path.split('/')))),
    contentType: TYPES[ext] ?? 'application/octet-stream',
    cacheControl: hashed ? 'private, max-age=86400, immutable' : 'private, no-cache',
  };
}
