/**
 * Compression of KIKO's answers (gzip or Brotli, as the browser asks in Accept-Encoding) with the `compression`
 * middleware, at the server entry (src/cli/serve.ts) so pages, endpoints and the static files of dist/client are
 * covered alike. It negotiates the encoding, sets `Vary: Accept-Encoding`, leaves small bodies (under 1 KB) and
 * types that are compressed already (images, PDF, ZIP/XLSX) alone, and flushes streamed answers as they are written.
 * The size threshold applies where the length is known; streamed pages are compressed whatever their size.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import compression from 'compression';

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

const compress = compression({ threshold: 1024 });

/** Wraps a Node request handler so its answers are compressed when the client accepts it. */
export function withCompression(handler: Handler): Handler {
  return (req, res) => {
    compress(req as never, res as never, () => {
      handler(req, res);
    });
  };
}
