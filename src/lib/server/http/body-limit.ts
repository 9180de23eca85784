/**
 * The request size limit, enforced while the body streams: a chunked upload (no Content-Length) is counted byte
 * by byte and cut off at the limit with 413, so no route ever reads more than MAX_BODY_BYTES. Wraps the Node
 * request handler at the server entry (src/cli/serve.ts), before Astro, so every route — present and future — is
 * covered; the middleware refuses a too large Content-Length early as well (and covers `astro dev`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Largest request body KIKO accepts (certificate uploads are the biggest legitimate posts). */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** The German answer to a too large request. */
export const BODY_TOO_LARGE_MESSAGE = 'Die Anfrage ist zu groß (höchstens 2 MB).';

/** Thrown into the body stream when the limit is passed (the reader, e.g. formData(), then rejects). */
export class BodyTooLargeError extends Error {
  constructor() {
    super(BODY_TOO_LARGE_MESSAGE);
    this.name = 'BodyTooLargeError';
  }
}

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

/** Answers 413 once, closes the connection and ignores whatever the route still writes. */
function refuse(res: ServerResponse): void {
  if (res.headersSent || res.writableEnded) return;
  res.writeHead(413, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
  res.end(BODY_TOO_LARGE_MESSAGE);
  // `connection: close` makes Node close the socket once the answer is out; the timer is the safety net
  const socket = res.socket;
  res.once('finish', () => setTimeout(() => socket?.destroy(), 1000).unref());
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
export function limitRequestBodies(handler: Handler, max: number = MAX_BODY_BYTES): Handler {
  return (req, res) => {
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    if (declared > max) {
      refuse(res);
      return;
    }
    if (req.method === 'GET' || req.method === 'HEAD') return handler(req, res);
    let received = 0;
    const counted = async function* (): AsyncGenerator<Buffer> {
      // destroyOnReturn: false keeps the socket alive until the 413 is sent; reading simply stops here
      for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
        received += chunk.byteLength;
        if (received > max) {
          refuse(res);
          req.pause();
          throw new BodyTooLargeError();
        }
        yield chunk;
      }
    };
    Object.assign(req, { body: counted() });
    return handler(req, res);
  };
}
