/**
 * Closed-loop HTTP load with autocannon: `connections` clients each send their next request as soon as the
 * previous one is answered. Every request is built by `next(i)` (rotating sessions, pages, fresh quiz items);
 * latencies and status codes are recorded per response so that p95 and "unexpected status" errors are exact.
 */
import autocannon from 'autocannon';
import { type LatencySummary, Samples, summarize } from './stats.ts';

export interface LoadRequest {
  method?: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Status that counts as success for this request; default: the spec's `expect`. */
  expect?: number;
}

export interface LoadSpec {
  baseUrl: string;
  connections: number;
  durationS: number;
  /** Send exactly this many requests instead of running for `durationS` (autocannon then ignores the duration). */
  amount?: number;
  /** Status codes that count as success; anything else is an error. */
  expect: readonly number[];
  next(i: number): LoadRequest;
  /** Told the outcome of request i (only with pipelining 1, which this module uses). */
  onStatus?(i: number, status: number): void;
  timeoutS?: number;
}

export interface LoadResult {
  requests: number;
  durationS: number;
  requestsPerS: number;
  latency: LatencySummary;
  errors: number;
  statusCounts: Record<string, number>;
  /** Socket errors and timeouts (part of `errors`). */
  transportErrors: number;
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const samples = new Samples();
  const statusCounts: Record<string, number> = {};
  let counter = 0;
  let unexpected = 0;
  const expected = new Set(spec.expect);
  const started = performance.now();
  const instance = autocannon({
    url: spec.baseUrl,
    connections: spec.connections,
    pipelining: 1,
    ...(spec.amount ? { amount: spec.amount } : { duration: spec.durationS }),
    timeout: spec.timeoutS ?? 10,
    requests: [
      {
        setupRequest: (req: Record<string, unknown>, context: Record<string, unknown>) => {
          const i = counter++;
          const r = spec.next(i);
          context.i = i;
          context.expect = r.expect;
          return { ...req, method: r.method ?? 'GET', path: r.path, headers: r.headers ?? {}, body: r.body };
        },
        onResponse: (status: number, _body: unknown, context: Record<string, unknown>) => {
          const want = context.expect as number | undefined;
          if (want === undefined ? !expected.has(status) : status !== want) unexpected++;
          spec.onStatus?.(context.i as number, status);
        },
      },
    ],
  });
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    samples.push(ms);
    statusCounts[status] = (statusCounts[status] ?? 0) + 1;
  });
  const result = await instance;
  const durationS = (performance.now() - started) / 1000;
  const transportErrors = (result.errors ?? 0) + (result.timeouts ?? 0);
  return {
    requests: samples.length,
    durationS: Math.round(durationS * 10) / 10,
    requestsPerS: Math.round(samples.length / durationS),
    latency: summarize(samples.values()),
    errors: unexpected + transportErrors,
    statusCounts,
    transportErrors,
  };
}

/**
 * The same requests one at a time (no concurrency): what a single request costs when the server is otherwise idle.
 * At most `count` requests and `maxS` seconds.
 */
export async function probe(spec: LoadSpec, count = 10, maxS = 30): Promise<LatencySummary & { errors: number }> {
  const samples = new Samples();
  const expected = new Set(spec.expect);
  const end = performance.now() + maxS * 1000;
  let errors = 0;
  for (let i = 0; i < count && performance.now() < end; i++) {
    const r = spec.next(i);
    const t = performance.now();
    try {
      const res = await fetch(spec.baseUrl + r.path, {
        method: r.method ?? 'GET',
        headers: r.headers,
        body: r.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(60_000),
      });
      await res.arrayBuffer();
      samples.push(performance.now() - t);
      if (r.expect === undefined ? !expected.has(res.status) : res.status !== r.expect) errors++;
      spec.onStatus?.(i, res.status);
    } catch {
      samples.push(performance.now() - t);
      errors++;
    }
  }
  return { ...summarize(samples.values()), errors };
}
