/** Latency summaries: exact percentiles over all recorded samples (nearest-rank), in milliseconds. */

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

const round = (x: number): number => Math.round(x * 100) / 100;

export function summarize(samples: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samples as ArrayLike<number>).sort();
  let sum = 0;
  for (const x of sorted) sum += x;
  return {
    count: sorted.length,
    mean: sorted.length ? round(sum / sorted.length) : Number.NaN,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: sorted.length ? round(sorted[sorted.length - 1] as number) : Number.NaN,
  };
}

/** A growable list of numbers (latencies) that does not allocate one object per sample. */
export class Samples {
  #data = new Float64Array(1024);
  #length = 0;
  push(x: number): void {
    if (this.#length === this.#data.length) {
      const next = new Float64Array(this.#data.length * 2);
      next.set(this.#data);
      this.#data = next;
    }
    this.#data[this.#length++] = x;
  }
  get length(): number {
    return this.#length;
  }
  values(): Float64Array {
    return this.#data.subarray(0, this.#length);
  }
}
