/**
 * The send-quota pacer on a real engine: several limiters (as several sender Lambdas would)
 * acquiring at once get reservations that never overlap, so together they never exceed the quota.
 * The assertions read the reservations the engine handed out, not the wall clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PacedRateLimiter } from '../../functions/campaigns/dynamodb/rate-limiter.ts';
import { systemClock } from '../../functions/core/clock.ts';
import { startTestTable, type TestTable } from './engines.ts';

describe('PacedRateLimiter on a real engine', () => {
  let table: TestTable;
  beforeAll(async () => {
    table = await startTestTable();
  });
  afterAll(async () => table?.stop());

  it('hands concurrent senders back-to-back, non-overlapping reservations at the quota', async () => {
    const rate = 5000; // units/s: 0.2 ms each, so the test takes a fraction of a second
    const limiters = Array.from({ length: 3 }, () => new PacedRateLimiter({ client: table.documentClient, tableName: table.tableName, name: 'pacing-test', ratePerSecond: rate, clock: systemClock }));
    const sizes = Array.from({ length: 60 }, (_, i) => 1 + ((i * 17) % 50));

    const reservations = await Promise.all(sizes.map(async (n, i) => ({ n, start: await limiters[i % 3]!.acquire(n) })));

    reservations.sort((a, b) => a.start - b.start);
    const msPerUnit = 1000 / rate;
    for (let i = 1; i < reservations.length; i++) {
      const previous = reservations[i - 1]!;
      const end = previous.start + previous.n * msPerUnit;
      // Never overlapping: each starts at or after the previous one's end (to float rounding of epoch ms) …
      expect(reservations[i]!.start).toBeGreaterThanOrEqual(end - 1e-3);
    }
    // … and the whole is paced: the last starts no earlier than all before it take at the quota.
    const total = sizes.reduce((a, b) => a + b, 0);
    const last = reservations.at(-1)!;
    expect(last.start + last.n * msPerUnit - reservations[0]!.start).toBeGreaterThanOrEqual(total * msPerUnit - 1e-3);
  });

  it('takes nothing when the reservation would start after the latest start it is given', async () => {
    // Prepare: a slow quota (1/s) fixed in time, booked 50 s ahead by a first sender
    const clock = { now: () => new Date('2026-12-01T00:00:00.000Z') };
    const now = clock.now().getTime();
    const make = () => new PacedRateLimiter({ client: table.documentClient, tableName: table.tableName, name: 'deadline-test', ratePerSecond: 1, clock, timers: { sleep: async () => {}, random: () => 0.5 } });
    const first = make();
    const second = make();
    expect(await first.acquire(50)).toBe(now);

    // Act: a reservation that could start only in 50 s, against deadlines before and after that
    const refused = await second.acquire(10, now + 30_000);
    const taken = await second.acquire(10, now + 60_000);
    const refusedAgain = await first.acquire(50, now + 59_000);

    // Assess: the refused ones booked nothing (the second got exactly 50 s, then the pacer ends at 60 s)
    expect(refused).toBe(false);
    expect(taken).toBe(now + 50_000);
    expect(refusedAgain).toBe(false);
    expect(await second.acquire(1)).toBe(now + 60_000);
  });
});
