/**
 * What a benchmark hands back to the harness. Benchmarks report figures and the targets they are
 * measured against; they never assert (a slow machine is not a failing build).
 */

/** One measured figure. */
export interface Metric {
  /** Short, self-explaining name, e.g. `full/bare throughput ratio`. */
  readonly name: string;
  readonly value: number;
  /** `req/s`, `ms`, `KB`, `x` (a ratio), `calls/1000` … */
  readonly unit: string;
  /** The target in words, e.g. `>= 0.9`. */
  readonly target?: string;
  /** Whether the value meets the target (reported, never asserted). */
  readonly met?: boolean;
  readonly note?: string;
}

/** Passed to every `bench/*.bench.ts` `run(report)`. */
export interface BenchReport {
  /** Record a figure; it goes into the table and `bench/results/latest.json`. */
  metric(metric: Metric): void;
  /** Record a remark that belongs with the results (method, caveats). */
  note(text: string): void;
  /** Print progress for the person watching (stderr only, not recorded). */
  progress(text: string): void;
}

/** The shape of a benchmark module. */
export interface BenchModule {
  run(report: BenchReport): Promise<void>;
}

/** What one benchmark produced, as written to `bench/results/latest.json`. */
export interface BenchResult {
  readonly bench: string;
  readonly metrics: Metric[];
  readonly notes: string[];
  readonly durationMs: number;
  /** Set when the benchmark threw; its message only. */
  readonly error?: string;
}

/** A report that collects into a result. */
export const createCollector = (bench: string): { report: BenchReport; metrics: Metric[]; notes: string[] } => {
  const metrics: Metric[] = [];
  const notes: string[] = [];
  return {
    metrics,
    notes,
    report: {
      metric: (metric) => {
        metrics.push(metric);
      },
      note: (text) => {
        notes.push(text);
      },
      progress: (text) => {
        process.stderr.write(`  [${bench}] ${text}\n`);
      },
    },
  };
};
