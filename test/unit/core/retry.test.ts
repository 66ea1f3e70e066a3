import { describe, expect, it } from 'vitest';
import { instantTimers } from '../../../functions/core/clock.ts';
import { backoffMs, retrying } from '../../../functions/core/retry.ts';

const fourAttempts = { attempts: 4, baseMs: 100, maxMs: 1000 };

/** An attempt that fails with each of `failures` in turn, then resolves with `value`; it records which attempts ran. */
const failingThen = <T>(failures: readonly unknown[], value: T) => {
  const calls: number[] = [];
  const attempt = async (n: number): Promise<T> => {
    calls.push(n);
    if (n < failures.length) throw failures[n];
    return value;
  };
  return { attempt, calls };
};

describe('Function: backoffMs', () => {
  it('grows exponentially up to the cap, scaled by the jitter', () => {
    const policy = { baseMs: 100, maxMs: 1000 };
    expect(backoffMs(1, policy, () => 0.999)).toBe(199);
    expect(backoffMs(3, policy, () => 0.999)).toBe(799);
    expect(backoffMs(8, policy, () => 0.999)).toBe(999);
    expect(backoffMs(8, policy, () => 0)).toBe(0);
  });
});

describe('Function: retrying', () => {
  it('resolves on the first success without sleeping', async () => {
    // Prepare
    const timers = instantTimers();
    const { attempt, calls } = failingThen([], 'ok');

    // Act
    const result = await retrying(attempt, { policy: fourAttempts, timers });

    // Assess
    expect(result).toBe('ok');
    expect(calls).toEqual([0]);
    expect(timers.slept).toEqual([]);
  });

  it('succeeds after failures, sleeping a jittered, doubling backoff before each retry', async () => {
    // Prepare
    const timers = instantTimers(() => 0.5);
    const { attempt, calls } = failingThen([new Error('one'), new Error('two'), new Error('three')], 'ok');

    // Act
    const result = await retrying(attempt, { policy: fourAttempts, timers });

    // Assess
    expect(result).toBe('ok');
    expect(calls).toEqual([0, 1, 2, 3]);
    expect(timers.slept).toEqual([100, 200, 400]);
  });

  it('rethrows a non-retryable error at once', async () => {
    // Prepare
    const timers = instantTimers();
    const fatal = new Error('fatal');
    const { attempt, calls } = failingThen([new Error('transient'), fatal], 'never');

    // Act
    const outcome = retrying(attempt, { policy: fourAttempts, timers, retryable: (error) => error !== fatal });

    // Assess
    await expect(outcome).rejects.toBe(fatal);
    expect(calls).toEqual([0, 1]);
    expect(timers.slept).toEqual([100]);
  });

  it('rethrows the last error when the attempts run out', async () => {
    // Prepare
    const timers = instantTimers(() => 0.5);
    const errors = [new Error('1'), new Error('2'), new Error('3'), new Error('4'), new Error('5')];
    const { attempt, calls } = failingThen(errors, 'never');

    // Act
    const outcome = retrying(attempt, { policy: fourAttempts, timers });

    // Assess
    await expect(outcome).rejects.toBe(errors[3]);
    expect(calls).toEqual([0, 1, 2, 3]);
    expect(timers.slept).toEqual([100, 200, 400]);
  });

  it('caps the backoff at maxMs', async () => {
    // Prepare
    const timers = instantTimers(() => 0.999);
    const { attempt } = failingThen([1, 2, 3, 4, 5, 6].map((n) => new Error(String(n))), 'ok');

    // Act
    await retrying(attempt, { policy: { attempts: 7, baseMs: 100, maxMs: 300 }, timers });

    // Assess
    expect(timers.slept).toEqual([199, 299, 299, 299, 299, 299]);
  });
});
