import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, runSweepSteps, type SweepStep } from '../../../functions/campaigns/sweep-steps.ts';
import { InMemoryCheckpointStore } from '../../fakes/campaign-store.ts';

const AT = '2027-02-01T00:30:00.000Z';

/** A virtual invocation: the remaining time follows a clock the pages advance. */
const invocation = (timeoutMs: number, clock: { now: number }) => {
  const start = clock.now;
  return { remainingMs: () => timeoutMs - (clock.now - start), usedMs: () => clock.now - start };
};

/** A step over `size` numbered items, `pageMs` of virtual time per page, counting every visit. */
const numberedStep = (size: number, pageMs: number, clock: { now: number }, mode: 'once' | 'repeat' = 'once') => {
  const visits = new Uint8Array(size);
  const pagesSeen = new Map<number, number>();
  const step: SweepStep<undefined> & { visits: Uint8Array; pagesSeen: Map<number, number>; crashAt?: number } = {
    name: 'numbers',
    mode,
    visits,
    pagesSeen,
    scopes: () => ['global'],
    page: async (_run, _scope, cursor, pageSize) => {
      const from = cursor ? decodeCursor<{ from: number }>(cursor).from : 0;
      const to = Math.min(size, from + pageSize);
      for (let i = from; i < to; i++) visits[i]! += 1;
      pagesSeen.set(from, (pagesSeen.get(from) ?? 0) + 1);
      clock.now += pageMs;
      if (step.crashAt === from) throw new Error('crash after the page, before its checkpoint');
      return to < size ? { next: encodeCursor({ from: to }), processed: to - from } : { processed: to - from };
    },
  };
  return step;
};

describe('Function: runSweepSteps', () => {
  it('walks 1,000,000 items across invocations under a time budget, every page exactly once, no invocation over its time', async () => {
    // Prepare: 1,000 pages of 1,000 items, 120 ms each, 30 s invocations with a 1 s reserve
    const clock = { now: 0 };
    const step = numberedStep(1_000_000, 120, clock);
    const checkpoints = new InMemoryCheckpointStore();
    const timeoutMs = 30_000;

    // Act: hourly runs until the walk is complete
    const runs = [];
    for (let i = 0; i < 20; i++) {
      const call = invocation(timeoutMs, clock);
      const report = await runSweepSteps([step], undefined, checkpoints, { remainingMs: call.remainingMs, reserveMs: 1_000, firstPageMs: 100, pageSize: 1_000 }, AT);
      runs.push({ report, usedMs: call.usedMs() });
      if (report.walks[0]?.outcome === 'done') break;
    }

    // Assess
    expect(runs.length).toBeGreaterThan(3);
    expect(runs.every((run) => run.usedMs <= timeoutMs - 1_000)).toBe(true);
    expect(runs.slice(0, -2).every((run) => run.report.outOfTime && run.report.walks[0]?.outcome === 'partial')).toBe(true);
    expect(runs.at(-2)?.report.walks[0]?.outcome).toBe('complete');
    expect(runs.at(-1)?.report.walks[0]).toMatchObject({ outcome: 'done', pages: 0 });
    expect(step.visits.every((count) => count === 1)).toBe(true);
    expect(step.pagesSeen.size).toBe(1_000);
    expect([...step.pagesSeen.values()].every((count) => count === 1)).toBe(true);
    expect(runs.reduce((sum, run) => sum + (run.report.walks[0]?.processed ?? 0), 0)).toBe(1_000_000);
    expect(checkpoints.items.get('global\u0000numbers')).toMatchObject({ page: 1_000, processed: 1_000_000, doneAt: AT });
  });

  it('after a crash repeats only the page whose checkpoint was not written', async () => {
    const clock = { now: 0 };
    const step = numberedStep(10_000, 10, clock);
    step.crashAt = 4_000;
    const checkpoints = new InMemoryCheckpointStore();
    const budget = () => ({ remainingMs: invocation(60_000, clock).remainingMs, pageSize: 500 });

    await expect(runSweepSteps([step], undefined, checkpoints, budget(), AT)).rejects.toThrow(/crash/);
    step.crashAt = undefined;
    const report = await runSweepSteps([step], undefined, checkpoints, budget(), AT);

    expect(report.walks[0]).toMatchObject({ outcome: 'complete', pages: 12 });
    expect([...step.pagesSeen].filter(([, count]) => count > 1)).toEqual([[4_000, 2]]);
  });

  it('starts a repeat walk over on the next run, and a once walk never', async () => {
    const clock = { now: 0 };
    const repeat = numberedStep(1_000, 1, clock, 'repeat');
    const checkpoints = new InMemoryCheckpointStore();
    const budget = { remainingMs: () => 60_000, pageSize: 400 };

    const first = await runSweepSteps([repeat], undefined, checkpoints, budget, AT);
    const second = await runSweepSteps([repeat], undefined, checkpoints, budget, AT);

    expect(first.walks[0]).toMatchObject({ outcome: 'complete', pages: 3, processed: 1_000 });
    expect(second.walks[0]).toMatchObject({ outcome: 'complete', pages: 3, processed: 1_000 });
    expect(repeat.visits.every((count) => count === 2)).toBe(true);
    expect(checkpoints.items.get('global\u0000numbers')).toMatchObject({ passes: 2 });
  });

  it('stops a walk whose checkpoint another run advanced meanwhile', async () => {
    const clock = { now: 0 };
    const step = numberedStep(1_000, 1, clock);
    const checkpoints = new InMemoryCheckpointStore();
    const inner = step.page;
    step.page = async (...args) => {
      const result = await inner(...args);
      // another scheduler run checkpoints the same page first
      await checkpoints.advanceCheckpoint('global', 'numbers', { fromPage: 0, next: result.next, processed: result.processed, complete: false, once: true, at: AT });
      return result;
    };

    const report = await runSweepSteps([step], undefined, checkpoints, { remainingMs: () => 60_000, pageSize: 100 }, AT);

    expect(report.walks[0]).toMatchObject({ outcome: 'lost', pages: 0 });
  });

  it('does not start a page the remaining time could not finish', async () => {
    const clock = { now: 0 };
    const step = numberedStep(1_000, 1, clock);

    const report = await runSweepSteps([step], undefined, new InMemoryCheckpointStore(), { remainingMs: () => 10_500, reserveMs: 10_000, firstPageMs: 1_000 }, AT);

    expect(report).toEqual({ outOfTime: true, walks: [{ step: 'numbers', scope: 'global', outcome: 'partial', pages: 0, processed: 0 }] });
    expect(step.pagesSeen.size).toBe(0);
  });
});
