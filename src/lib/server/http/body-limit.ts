/**
 * The request size limit, enforced while the body streams: a chunked upload (no Content-Length) is counted byte
 * by byte and cut off at the limit with 413, so no route ever reads more than MAX_BODY_BYTES. Wraps the Node
 * request handler at the server entry (src/cli/serve.ts), before Astro, so every route — present and future — is
 * covered; the middleware refuses a too large Content-Length early as well (and covers `astro dev`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Largest request body KIKO accepts (certificate uploads are the biggest legitimate posts). */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** The German answer to a too large request. */
export const BODY_TOO_LARGE_MESSAGE = 'Die Anfrage ist zu groß (höchstens 2 MB).';

/**
 * Largest file the public certificate check accepts: KIKO's certificate PDFs are about 25–100 KB and its credential
 * files a few KB, so 512 KB leaves room for a district logo while an anonymous upload cannot make the server read and
 * parse megabytes (hardening finding 1).
 */
export const VERIFY_UPLOAD_MAX_BYTES = 512 * 1024;

/** The German answer to a too large file on the certificate check. */
export const VERIFY_UPLOAD_TOO_LARGE_MESSAGE =
  'Die Datei ist zu groß (höchstens 512 KB). Zertifikate und Nachweisdateien von KIKO sind deutlich kleiner.';

/** Routes whose legitimate bodies are small get a lower limit than MAX_BODY_BYTES (the form's fields on top). */
function limitOf(req: IncomingMessage, max: number): { max: number; message: string } {
  const path = (req.url ?? '').split('?')[0];
  if (req.method === 'POST' && path === '/zertifikat-pruefen')
    return { max: Math.min(max, VERIFY_UPLOAD_MAX_BYTES + 16 * 1024), message: VERIFY_UPLOAD_TOO_LARGE_MESSAGE };
  return { max, message: BODY_TOO_LARGE_MESSAGE };
}

/** Thrown into the body stream when the limit is passed (the reader, e.g. formData(), then rejects). */
export class BodyTooLargeError extends Error {
  constructor() {
    super(BODY_TOO_LARGE_MESSAGE);
    this.name = 'BodyTooLargeError';
  }
}

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

/** How long a connection with an unread request body is kept after the answer, before it is closed. */
const LINGER_MS = 2_000;
/**
 * How much of the unread body is still read (and thrown away) after the answer: the small bodies of ordinary
 * requests whole, so the connection closes the usual way; of a larger one (a refused upload) only this much, then
 * the connection stops reading. Reading and discarding megabytes cost the server about 2.5 ms of CPU per MB (mostly
 * collecting the garbage of the read buffers) — the main cost of a stream of refused uploads.
 */
export const LINGER_READ_BYTES = 64 * 1024;
const lingering = Symbol('kiko.lingering');

/**
 * "Lingering close", as web servers do it: when Node closes a connection after an answer while the client is still
 * sending its body (a refused upload, or a route that never read its body — Node answers those with
 * `connection: close`), it would destroy the socket as soon as its own side is shut, and the client's system,
 * getting a reset while it still sends, may drop the answer it has received but not yet read. Instead the socket
 * only ends its side and reads on — whatever arrives is thrown away, never kept — up to LINGER_READ_BYTES; then it
 * stops reading (the client's sending stalls; clients read the answer meanwhile and give up their upload), and after
 * LINGER_MS it is closed for good.
 */
function lingerBeforeClosing(socket: Socket): void {
  const marked = socket as Socket & { [lingering]?: true };
  if (marked[lingering]) return;
  marked[lingering] = true;
  socket.destroySoon = function endAndLinger(this: Socket) {
    if (this.writable) this.end();
    let discarded = 0;
    const count = (chunk: Buffer): void => {
      discarded += chunk.byteLength;
      if (discarded < LINGER_READ_BYTES) return;
      this.off('data', count);
      this.pause();
      // the request's body stream would resume reading as its own flow control asks: from here on it stays stopped
      this.resume = () => this;
    };
    this.on('data', count);
    this.resume();
    const timer = setTimeout(() => this.destroy(), LINGER_MS);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
  };
}

/** Answers 413 once, closes the connection and ignores whatever the route still writes. */
function refuse(req: IncomingMessage, res: ServerResponse, message: string): void {
  if (res.headersSent || res.writableEnded) return;
  // with its length announced, the compression at the server entry leaves the short answer as it is
  const body = Buffer.from(message);
  res.writeHead(413, { 'content-type': 'text/plain; charset=utf-8', 'content-length': body.byteLength, connection: 'close' });
  res.end(body);
  // the rest of the body is discarded while the connection lingers (lingerBeforeClosing)
  req.resume();
  // the route may still try to answer (e.g. with 400 after its body read failed): the 413 stays the answer
  res.writeHead = (() => res) as typeof res.writeHead;
  res.write = (() => true) as typeof res.write;
  res.end = (() => res) as typeof res.end;
  res.destroy = (() => res) as typeof res.destroy;
}

/**
 * Wraps a Node request handler: bodies over `max` bytes get 413 (declared or counted while streaming).
 * The counted body is handed on as `req.body`, an async iterable, which Astro's Node adapter reads instead of the
 * raw request (astro/app/node `makeRequestBody`).
 */
export function limitRequestBodies(handler: Handler, limit: number = MAX_BODY_BYTES): Handler {
  return (req, res) => {
    lingerBeforeClosing(req.socket);
    const { max, message } = limitOf(req, limit);
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    if (declared > max) {
      refuse(req, res, message);
      return;
    }
    if (req.method === 'GET' || req.method === 'HEAD') return handler(req, res);
    let received = 0;
    const counted = async function* (): AsyncGenerator<Buffer> {
      // destroyOnReturn: false keeps the socket alive until the 413 is sent; reading simply stops here
      for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
        received += chunk.byteLength;
        if (received > max) {
          refuse(req, res, message);
          throw new BodyTooLargeError();
        }
        yield chunk;
      }
    };
    Object.assign(req, { body: counted() });
    return handler(req, res);
  };
}
