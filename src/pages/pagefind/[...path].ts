/**
 * The lesson search index (Pagefind) for the search page's JavaScript: like the lessons, only for signed-in people
 * who may learn. Anonymous requests are sent to the login page like the lessons, with no lesson text
 * (src/lib/server/content/search-index-files.ts).
 */
import type { APIRoute } from 'astro';
import { authorize } from '../../lib/server/authz/authorize.ts';
import { getSearchIndexFile } from '../../lib/server/content/search-index-files.ts';
import { ForbiddenError } from '../../lib/server/errors/domain-errors.ts';
import { requestContext } from '../../lib/web/context.ts';

/**
 * Pagefind searches in a Web Worker (pagefind-worker.js), and a worker's policy is the one of its own script's
 * answer: it may fetch the index from here and compile Pagefind's WebAssembly, nothing else.
 */
const WORKER_CSP = "default-src 'none'; connect-src 'self'; script-src 'self' 'wasm-unsafe-eval'; frame-ancestors 'none'";

const text = (status: number, message: string): Response =>
  new Response(message, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });

export const GET: APIRoute = async (context) => {
  if (!context.locals.user) return new Response(null, { status: 302, headers: { Location: '/anmelden', 'Cache-Control': 'no-store' } });
  try {
    await authorize(await requestContext(context.locals), 'learning.own');
  } catch (e) {
    if (e instanceof ForbiddenError) return text(403, 'Keine Berechtigung für die Kurssuche.');
    throw e;
  }
  const file = getSearchIndexFile(context.params.path ?? '');
  if (!file) return text(404, 'Nicht gefunden.');
  return new Response(file.body as BodyInit, {
    headers: {
      'Content-Type': file.contentType,
      'Content-Length': String(file.body.byteLength),
      'Cache-Control': file.cacheControl,
      'Content-Security-Policy': WORKER_CSP,
    },
  });
};
