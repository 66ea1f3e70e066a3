import { describe, expect, it } from 'vitest';
import type { SendKind } from '../../../functions/campaigns/model.ts';
import { recordSentByAttempt, recordSentFromEvent, sentCounts, type SentNotice } from '../../../functions/campaigns/notice-sent.ts';
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

describe('Function: recordSentByAttempt', () => {
  it('writes only the mark (the evidence, and what notified is derived from on read), and counts only the transition it made', async () => {
    const { ledger, recipients, writes } = setup();

    expect(await recordSentByAttempt({ recipients }, { ...sent(), attemptId: 'att' })).toEqual({ sent: 1 });
    expect(await recordSentByAttempt({ recipients }, { ...sent(), attemptId: 'att' })).toBeUndefined();

    expect(writes).toEqual(['mark', 'mark']);
    // No evidence item nor state write of its own: the recipient item's mark is the evidence (notification-evidence.ts).
    expect(ledger.evidence.size).toBe(0);
  });

  it('stops at the fault hook before the mark', async () => {
    const { recipients, writes } = setup();
    const fault = (point: string) => {
      if (point === 'sender:before-mark') throw new Error('crash');
    };
    await expect(recordSentByAttempt({ recipients, fault }, { ...sent({ kind: 'reminder' }), attemptId: 'att' })).rejects.toThrow('crash');
    expect(writes).toEqual([]);
  });
});

describe('Function: recordSentFromEvent', () => {
  it('settles (the settle holds the evidence) and counts only when it won the settle', async () => {
    const { ledger, recipients, writes } = setup();

    expect(await recordSentFromEvent({ recipients }, sent())).toEqual({ sent: 1 });
    expect(await recordSentFromEvent({ recipients }, sent())).toBeUndefined();

    expect(writes).toEqual(['mark', 'mark']);
    expect(ledger.evidence.size).toBe(0);
  });
});
