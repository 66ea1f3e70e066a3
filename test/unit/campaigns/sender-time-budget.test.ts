/**
 * The sender keeps to its time at any quota: SQS and Lambda simulated on a virtual clock (the
 * quota pacer waits on it, SES calls take time on it, the context's remaining time follows it),
 * the sender sized by `senderSizing` as the construct sizes it, each share of the quota a pacer
 * of its own. Every invocation must end before its timeout, every recipient be sent exactly
 * once, and no message reach the DLQ (SQS's maxReceiveCount is 5).
 */
import { describe, expect, it } from 'vitest';
import type { ClaimInput, ClaimOutcome } from '../../../functions/campaigns/model.ts';
import type { BulkSendRequest, EntryOutcome, RateLimiter } from '../../../functions/campaigns/ports.ts';
import { sendBatch, type SendRecord, type SenderDeps } from '../../../functions/campaigns/sender.ts';
import { contentIndex } from '../../../functions/content/index-artifact.ts';
import { fixedClock } from '../../../functions/core/clock.ts';
import { senderSizing } from '../../../lib/sender-sizing.ts';
import { InMemoryCampaignStore } from '../../fakes/campaign-store.ts';
import { campaignOf } from './campaign-fixture.ts';

const MAX_RECEIVE_COUNT = 5;
const SES_CALL_MS = 400;
const campaign = campaignOf({ regions: [{ region: 'eea', notification: 'choice', options: ['accept', 'keep-previous', 'delete'] }], createdAt: '2026-11-29T00:00:00.000Z' });

/** GCRA on the virtual clock, with the latest-start refusal of `PacedRateLimiter`. */
const virtualPacer = (clock: ReturnType<typeof fixedClock>, perSecond: number, bookedUntil = 0): RateLimiter => {
  let tat = bookedUntil;
  return {
    acquire: async (n: number, latestStartMs?: number) => {
      const now = clock.now().getTime();
      const start = Math.max(now, tat);
      if (latestStartMs !== undefined && start > latestStartMs) return false;
      tat = start + (n * 1000) / perSecond;
      clock.advance(start - now);
      return start;
    },
  };
};

const simulate = async (quota: number, recipients: number, options: { bookedAheadMs?: number } = {}) => {
  const sizing = senderSizing(quota);
  const clock = fixedClock('2026-12-01T00:00:00.000Z');
  const status = new Map<string, { status: string; attempt?: string }>();
  const sends = new Map<string, number>();
  const deps: SenderDeps = {
    campaigns: new InMemoryCampaignStore([campaign]),
    recipients: {
      claimRecipient: async (input: ClaimInput): Promise<ClaimOutcome> => {
        const current = status.get(input.accountId);
        if (current?.status === 'sent') return { kind: 'done', status: 'sent' };
        if (current?.status === 'sending') return { kind: 'busy' };
        status.set(input.accountId, { status: 'sending', attempt: input.attemptId });
        return { kind: 'claimed' };
      },
      markSubmitted: async () => {},
      clearSubmitted: async () => {},
      recordAccepted: async (call, accepted) => {
        for (const { accountId } of accepted) if (call.callId.startsWith(`${status.get(accountId)?.attempt}_`)) status.set(accountId, { status: 'sent' });
      },
      markFailed: async () => false,
      releaseRecipient: async (_c, accountId) => void status.set(accountId, { status: 'released' }),
    },
    ledger: {
      getContacts: async (ids) => new Map(ids.map((id) => [id, `${id}@example.test`])),
      appendEvidence: async () => true,
    },
    mailer: {
      sendBulk: async (request: BulkSendRequest): Promise<EntryOutcome[]> => {
        clock.advance(SES_CALL_MS);
        return request.destinations.map((destination) => {
          sends.set(destination.to, (sends.get(destination.to) ?? 0) + 1);
          return { outcome: 'sent', messageId: `m-${destination.to}` };
        });
      },
    },
    // One invocation at a time here, so it gets one sender's share of the quota.
    rateLimiter: virtualPacer(clock, quota / sizing.concurrency, clock.now().getTime() + (options.bookedAheadMs ?? 0)),
    content: contentIndex,
    renderEmail: () => ({ subject: 's', html: '<a href="{{acceptUrl}}">a</a>', text: '{{choiceUrl}}' }),
    signChoiceToken: async (claims) => `tok.${claims.accountId}`,
    publicBaseUrl: 'https://disclosure.example',
    clock,
    timers: { sleep: async (ms) => clock.advance(ms), random: () => 0.5 },
  };
  const queue: { record: SendRecord; receives: number; visibleAt: number }[] = [];
  for (let offset = 0, n = 0; offset < recipients; offset += 50, n++) {
    const accountIds = Array.from({ length: Math.min(50, recipients - offset) }, (_, i) => `acct-${offset + i}`);
    queue.push({ record: { messageId: `msg-${n}`, body: JSON.stringify({ campaignId: campaign.campaignId, kind: 'notice', region: 'eea', language: 'en', accountIds }) }, receives: 0, visibleAt: 0 });
  }
  const dlq: string[] = [];
  const invocations: { usedMs: number; handedBack: number }[] = [];
  const visibilityMs = sizing.timeoutSeconds * 6 * 1000; // as lib/messaging.ts sets it
  while (queue.length > 0) {
    const now = clock.now().getTime();
    if (!queue.some((item) => item.visibleAt <= now)) clock.set(new Date(Math.min(...queue.map((item) => item.visibleAt))));
    const visible = queue.filter((item) => item.visibleAt <= clock.now().getTime()).slice(0, sizing.batchSize);
    const batch = visible.map((item) => queue.splice(queue.indexOf(item), 1)[0]!);
    for (const item of batch) item.receives++;
    const started = clock.now().getTime();
    const remainingMs = () => sizing.timeoutSeconds * 1000 - (clock.now().getTime() - started);
    const result = await sendBatch(deps, batch.map((item) => item.record), remainingMs);
    const failed = new Set(result.batchItemFailures.map((failure) => failure.itemIdentifier));
    invocations.push({ usedMs: clock.now().getTime() - started, handedBack: failed.size });
    for (const item of batch) {
      if (!failed.has(item.record.messageId)) continue;
      if (item.receives >= MAX_RECEIVE_COUNT) dlq.push(item.record.messageId);
      else queue.push({ ...item, visibleAt: clock.now().getTime() + visibilityMs });
    }
  }
  return { sizing, invocations, dlq, sends, status };
};

describe('Function: sendBatch within the invocation time', () => {
  it.each([
    [1, 300],
    [14, 1_500],
    [100, 5_000],
    [1_000, 20_000],
  ])('at %d recipients/s (%d recipients): no invocation overruns, all sent once, nothing in the DLQ', async (quota, recipients) => {
    const { sizing, invocations, dlq, sends } = await simulate(quota, recipients);

    expect(invocations.every((invocation) => invocation.usedMs <= sizing.timeoutSeconds * 1000)).toBe(true);
    expect(dlq).toEqual([]);
    expect(sends.size).toBe(recipients);
    expect([...sends.values()].every((count) => count === 1)).toBe(true);
  });

  it.each([1, 14, 100, 1_000])('at %d/s with the quota booked far ahead by others, hands the rest back in time instead of overrunning', async (quota) => {
    // Prepare: other senders hold the quota for 97 % of this sender’s timeout
    const { timeoutSeconds } = senderSizing(quota);

    const { sizing, invocations, dlq, sends } = await simulate(quota, 500, { bookedAheadMs: timeoutSeconds * 970 });

    expect(invocations[0]!.handedBack).toBeGreaterThan(0);
    expect(invocations.every((invocation) => invocation.usedMs <= sizing.timeoutSeconds * 1000)).toBe(true);
    expect(dlq).toEqual([]);
    expect(sends.size).toBe(500);
    expect([...sends.values()].every((count) => count === 1)).toBe(true);
  });

  it('without the time budget the same batch overruns (what the issue measured at 14/s with batches of 10)', async () => {
    const clock = fixedClock('2026-12-01T00:00:00.000Z');
    const pacer = virtualPacer(clock, 7);
    const start = clock.now().getTime();
    for (let i = 0; i < 10; i++) await pacer.acquire(50);
    expect(clock.now().getTime() - start).toBeGreaterThan(60_000);
  });
});
