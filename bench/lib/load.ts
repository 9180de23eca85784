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
          context.i = i;
          const r = spec.next(i);
          return { ...req, method: r.method ?? 'GET', path: r.path, headers: r.headers ?? {}, body: r.body };
        },
        onResponse: spec.onStatus ? (status: number, _body: unknown, context: Record<string, unknown>) => spec.onStatus?.(context.i as number, status) : undefined,
      },
    ],
  } as never);
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    samples.push(ms);
    statusCounts[status] = (statusCounts[status] ?? 0) + 1;
    if (!expected.has(status)) unexpected++;
  });
  const result = (await instance) as unknown as { errors: number; timeouts: number };
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
