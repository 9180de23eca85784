/**
 * Liveness probe: answers `{ "ok": true }` without touching the database. Also the framework baseline of
 * the benchmark (bench/README.md): what one Astro request costs before any KIKO work.
 */
import type { APIRoute } from 'astro';

export const GET: APIRoute = () =>
  new Response('{"ok":true}', { headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
