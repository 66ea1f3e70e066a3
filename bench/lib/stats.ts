/** Small statistics over timing samples (no HDR histogram library is installed). */

/** The p-th percentile (0–100) of ascending `sorted`, nearest-rank method. */
export const percentile = (sorted: ArrayLike<number>, p: number): number => {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
};

/** Median of unsorted samples. */
export const median = (samples: readonly number[]): number => percentile(Float64Array.from(samples).sort(), 50);

export interface LatencySummary {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** p50/p99/max/mean of samples, in the samples' unit. */
export const summarize = (samples: ArrayLike<number>): LatencySummary => {
  const sorted = Float64Array.from(samples as ArrayLike<number>).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? Number.NaN, mean: sum / sorted.length };
};

/** Round for display without losing small values. */
export const round = (value: number, digits = 3): number => Number(value.toPrecision(digits));
