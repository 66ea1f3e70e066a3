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
});
