import { describe, expect, it } from 'vitest';
import type { SendKind } from '../../../functions/campaigns/model.ts';
import { notifiedState, recordSentByAttempt, recordSentFromEvent, sentCounts, type SentNotice } from '../../../functions/campaigns/notice-sent.ts';
import type { RecipientStore } from '../../../functions/campaigns/ports.ts';
import { InMemoryAcceptanceStore } from '../../fakes/acceptance-store.ts';
import { campaignOf } from './campaign-fixture.ts';

const campaign = campaignOf();
const sent = (overrides: Partial<SentNotice> = {}): SentNotice => ({ campaign, accountId: 'a1', kind: 'notice', region: 'eea', messageId: 'm1', at: '2026-11-29T12:00:00.000Z', ...overrides });

/** A ledger with one account on version 1, and the order of every write. */
const setup = () => {
  const ledger = new InMemoryAcceptanceStore([
    { accountId: 'a1', noticeId: 'privacy', acceptedVersion: 1, acceptedAt: '2026-04-01T00:00:00.000Z', contentHash: 'h', region: 'eea', language: 'en' },
  ]);
  const writes: string[] = [];
  let marked = false;
  const transition = async () => {
    writes.push('mark');
    if (marked) return false;
    marked = true;
    return true;
  };
  const recipients = {
    markSent: async (_c: string, _a: string, _k: SendKind, _attempt: string) => transition(),
    settleSent: async () => transition(),
  } satisfies Pick<RecipientStore, 'markSent' | 'settleSent'>;
  const tracked = {
    appendEvidence: async (...args: Parameters<InMemoryAcceptanceStore['appendEvidence']>) => (writes.push('evidence'), ledger.appendEvidence(...args)),
    recordNotified: async (...args: Parameters<InMemoryAcceptanceStore['recordNotified']>) => (writes.push('notified'), ledger.recordNotified(...args)),
  };
  return { ledger, tracked, recipients, writes };
};

describe('Function: sentCounts', () => {
  it('counts a reminder as reminded, an informational notice apart, a choice notice as sent', () => {
    expect(sentCounts({ campaign, kind: 'reminder', region: 'eea' })).toEqual({ reminded: 1 });
    expect(sentCounts({ campaign, kind: 'notice', region: 'us' })).toEqual({ sent: 1, informational: 1 });
    expect(sentCounts({ campaign, kind: 'notice', region: 'eea' })).toEqual({ sent: 1 });
  });
});

describe('Function: notifiedState', () => {
  it('notes the region options offered', () => {
    expect(notifiedState(sent())).toEqual({ campaignId: 'privacy-v2', version: 2, deadline: campaign.deadline, options: ['accept', 'delete'], at: '2026-11-29T12:00:00.000Z' });
    expect(notifiedState(sent({ region: 'elsewhere' })).options).toEqual([]);
  });
});

describe('Function: recordSentByAttempt', () => {
  it('writes notified before the mark (which holds the evidence), and counts only the transition it made', async () => {
    const { ledger, tracked, recipients, writes } = setup();

    expect(await recordSentByAttempt({ ledger: tracked, recipients }, { ...sent(), attemptId: 'att' })).toEqual({ sent: 1 });
    expect(await recordSentByAttempt({ ledger: tracked, recipients }, { ...sent(), attemptId: 'att' })).toBeUndefined();

    expect(writes).toEqual(['notified', 'mark', 'notified', 'mark']);
    expect((await ledger.getState('a1', 'privacy'))?.notified?.campaignId).toBe('privacy-v2');
    // No evidence item of its own: the recipient item's mark is the evidence (notification-evidence.ts).
    expect(ledger.evidence.size).toBe(0);
  });

  it('writes neither evidence nor notified for a reminder, and stops at the fault hook before the mark', async () => {
    const { tracked, recipients, writes } = setup();
    const fault = (point: string) => {
      if (point === 'sender:before-mark') throw new Error('crash');
    };
    await expect(recordSentByAttempt({ ledger: tracked, recipients, fault }, { ...sent({ kind: 'reminder' }), attemptId: 'att' })).rejects.toThrow('crash');
    expect(writes).toEqual([]);
  });
});

describe('Function: recordSentFromEvent', () => {
  it('settles first (the settle holds the evidence) and writes notified only when it won the settle', async () => {
    const { ledger, tracked, recipients, writes } = setup();

    expect(await recordSentFromEvent({ ledger: tracked, recipients }, sent())).toEqual({ sent: 1 });
    expect(await recordSentFromEvent({ ledger: tracked, recipients }, sent())).toBeUndefined();

    expect(writes).toEqual(['mark', 'notified', 'mark']);
    expect(ledger.evidence.size).toBe(0);
  });
});
