/** Interleaved, side-by-side measurement of async callables in one process. */
import { summarize, type LatencySummary } from './stats.ts';

export interface Contender {
  readonly name: string;
  /** One operation; `i` lets the caller rotate through inputs. */
  readonly call: (i: number) => Promise<unknown>;
}

export interface ContenderResult {
  readonly name: string;
  /** Operations per second, median over rounds (no timer inside the loop). */
  readonly opsPerSecond: number;
  readonly perRound: readonly number[];
  /** Per-operation latency in milliseconds, from separate timed samples. */
  readonly latency: LatencySummary;
}

export interface InterleaveOptions {
  readonly warmupCalls: number;
  readonly rounds: number;
  readonly callsPerRound: number;
  /** Timed single calls per contender per round, for the latency percentiles. */
  readonly latencySamplesPerRound: number;
}

const medianOf = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * Warm every contender, then run rounds in which each contender does a timed batch, alternating
 * which goes first, so drift on a noisy machine (thermal, neighbours, GC) hits all of them alike.
 */
export const interleave = async (contenders: readonly Contender[], options: InterleaveOptions): Promise<ContenderResult[]> => {
  for (const contender of contenders) for (let i = 0; i < options.warmupCalls; i++) await contender.call(i);
  const throughput = contenders.map(() => [] as number[]);
  const samples = contenders.map(() => [] as number[]);
  for (let round = 0; round < options.rounds; round++) {
    const order = contenders.map((_, index) => index);
    if (round % 2 === 1) order.reverse();
    for (const index of order) {
      const { call } = contenders[index]!;
      const started = process.hrtime.bigint();
      for (let i = 0; i < options.callsPerRound; i++) await call(i);
      const elapsedNs = Number(process.hrtime.bigint() - started);
      throughput[index]!.push(options.callsPerRound / (elapsedNs / 1e9));
      for (let i = 0; i < options.latencySamplesPerRound; i++) {
        const before = process.hrtime.bigint();
        await call(i);
        samples[index]!.push(Number(process.hrtime.bigint() - before) / 1e6);
      }
    }
  }
  return contenders.map((contender, index) => ({
    name: contender.name,
    opsPerSecond: medianOf(throughput[index]!),
    perRound: throughput[index]!,
    latency: summarize(samples[index]!),
  }));
};
