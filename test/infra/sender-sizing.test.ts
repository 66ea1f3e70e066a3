import { describe, expect, it } from 'vitest';
import { FIXED_ALLOWANCE_SECONDS, MAX_TIMEOUT_SECONDS, QUOTA_SHARE_OF_TIMEOUT, RECIPIENTS_PER_MESSAGE, senderSizing } from '../../lib/sender-sizing.ts';

const QUOTAS = [1, 2, 3, 5, 7, 10, 14, 17, 20, 33, 50, 51, 75, 100, 150, 200, 333, 500, 1000, 2000, 5000, 10_000];

describe('Function: senderSizing', () => {
  it.each(QUOTAS)('at %d recipients/s a full batch needs at most half the timeout, less the fixed allowance', (quota) => {
    const { concurrency, batchSize, timeoutSeconds } = senderSizing(quota);

    const quotaSeconds = (batchSize * RECIPIENTS_PER_MESSAGE) / (quota / concurrency);
    expect(quotaSeconds).toBeLessThanOrEqual((timeoutSeconds - FIXED_ALLOWANCE_SECONDS) * QUOTA_SHARE_OF_TIMEOUT);
    expect(timeoutSeconds).toBeLessThanOrEqual(MAX_TIMEOUT_SECONDS);
    expect(batchSize).toBeGreaterThanOrEqual(1);
    expect(batchSize).toBeLessThanOrEqual(10);
    // Enough senders for the quota: each keeps about one 50-recipient call a second in flight.
    expect(concurrency * RECIPIENTS_PER_MESSAGE).toBeGreaterThanOrEqual(quota);
  });

  it('gives the 14/s default what the measured overrun lacked: 3 messages of 50 per invocation, not 10', () => {
    expect(senderSizing(14)).toEqual({ concurrency: 2, batchSize: 3, timeoutSeconds: 60 });
  });

  it('refuses a quota below 1/s', () => {
    expect(() => senderSizing(0.5)).toThrow(RangeError);
  });
});
