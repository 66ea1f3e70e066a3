import { describe, expect, it } from 'vitest';
import { recordSentByCall, recordSentFromEvent, sentCounts, type SentNotice } from '../../../functions/campaigns/notice-sent.ts';
import type { AcceptedSend, RecipientStore, SendCall } from '../../../functions/campaigns/ports.ts';
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
    recordAccepted: async (call: SendCall, accepted: readonly AcceptedSend[]) => void writes.push(`call ${call.callId}: ${accepted.map((entry) => `${entry.accountId} ${entry.messageId}`).join(', ')}`),
    settleSent: async () => transition(),
  } satisfies Pick<RecipientStore, 'recordAccepted' | 'settleSent'>;
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

describe('Function: recordSentByCall', () => {
  it('writes the call once for all its recipients (the evidence, and what notified is derived from on read), and answers the call\'s counts', async () => {
    const { ledger, recipients, writes } = setup();
    const call = { campaignId: campaign.campaignId, callId: 'att_000', kind: 'notice' as const };

    expect(await recordSentByCall({ recipients }, call, [sent(), sent({ accountId: 'a2' }), sent({ accountId: 'a3', region: 'us' })])).toEqual({ sent: 3, informational: 1 });

    expect(writes).toEqual(['call att_000: a1 m1, a2 m1, a3 m1']);
    // No evidence item nor state write of its own: the call's item is the evidence (send-facts.ts, notification-evidence.ts).
    expect(ledger.evidence.size).toBe(0);
  });

  it('writes nothing for a call SES accepted nothing of', async () => {
    const { recipients, writes } = setup();
    expect(await recordSentByCall({ recipients }, { campaignId: campaign.campaignId, callId: 'att_001', kind: 'notice' }, [])).toEqual({});
    expect(writes).toEqual([]);
  });

  it('stops at the fault hook before the write', async () => {
    const { recipients, writes } = setup();
    const fault = (point: string) => {
      if (point === 'sender:before-mark') throw new Error('crash');
    };
    await expect(recordSentByCall({ recipients, fault }, { campaignId: campaign.campaignId, callId: 'att_000', kind: 'reminder' }, [sent({ kind: 'reminder' })])).rejects.toThrow('crash');
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
