import { describe, expect, it } from 'vitest';
import { FaultInjector, SendQuota, seededRandom } from '../../../../local/ses/faults.ts';

describe('Function: seededRandom', () => {
  it('repeats its sequence for the same seed and stays in [0, 1)', () => {
    // Prepare
    const first = seededRandom(7);
    const second = seededRandom(7);
    const other = seededRandom(8);

    // Act
    const a = Array.from({ length: 50 }, first);
    const b = Array.from({ length: 50 }, second);
    const c = Array.from({ length: 50 }, other);

    // Assess
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    for (const value of a) expect(value >= 0 && value < 1).toBe(true);
  });
});

describe('Class: FaultInjector', () => {
  it('injects nothing by default and always what a rate of 1 asks for', () => {
    // Prepare
    const none = new FaultInjector();
    const all = new FaultInjector({ throttleRate: 1, transientRate: 1, entryFailureRate: 1 });

    // Act + Assess
    expect([none.throttles(), none.failsTransiently(), none.failsEntry()]).toEqual([false, false, false]);
    expect([all.throttles(), all.failsTransiently(), all.failsEntry()]).toEqual([true, true, true]);
  });

  it('draws every decision from the one seeded sequence, in call order', () => {
    // Prepare
    const random = seededRandom(3);
    const draws = Array.from({ length: 3 }, random);
    const faults = new FaultInjector({ seed: 3, throttleRate: 0.5, transientRate: 0.5, entryFailureRate: 0.5 });

    // Act
    const decisions = [faults.throttles(), faults.failsTransiently(), faults.failsEntry()];

    // Assess
    expect(decisions).toEqual(draws.map((draw) => draw < 0.5));
  });
});

describe('Class: SendQuota', () => {
  it('allows everything when unlimited', () => {
    expect(new SendQuota(undefined).take(1_000_000)).toBe(true);
  });

  it('holds one second of quota and refills it continuously', () => {
    // Prepare
    let now = 10_000;
    const quota = new SendQuota(10, () => now);

    // Act
    const full = quota.take(10);
    const empty = quota.take(1);
    now += 500;
    const halfRefilled = [quota.take(5), quota.take(1)];
    now += 60_000;
    const capped = [quota.take(10), quota.take(1)];

    // Assess
    expect(full).toBe(true);
    expect(empty).toBe(false);
    expect(halfRefilled).toEqual([true, false]);
    expect(capped).toEqual([true, false]);
  });

  it('takes nothing when a call asks for more than is left', () => {
    // Prepare
    const quota = new SendQuota(4, () => 0);

    // Act + Assess
    expect(quota.take(5)).toBe(false);
    expect(quota.take(4)).toBe(true);
  });
});
