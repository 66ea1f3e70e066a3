import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { audienceSk, audienceSkBelow, evidenceSk, paddedVersion, shardOf } from '../../../functions/ledger/keys.ts';
import { AUDIENCE_SHARDS } from '../../../functions/ledger/types.ts';

describe('Module: keys', () => {
  describe('Function: shardOf', () => {
    it('is stable and within 0..15 for any account id', () => {
      fc.assert(
        fc.property(fc.string({ minLength: 1 }), (id) => {
          const shard = shardOf(id);
          return shard === shardOf(id) && Number.isInteger(shard) && shard >= 0 && shard < AUDIENCE_SHARDS;
        }),
      );
    });

    it('spreads 16,000 sequential account ids evenly (no shard above 1.2× its share)', () => {
      const counts = new Array<number>(AUDIENCE_SHARDS).fill(0);
      for (let i = 0; i < 16_000; i++) counts[shardOf(`acct-${i}`)]! += 1;
      expect(Math.max(...counts)).toBeLessThan(1200);
      expect(Math.min(...counts)).toBeGreaterThan(800);
    });
  });

  describe('Function: audienceSkBelow', () => {
    it('bounds exactly the versions below it, in string order', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 999_999 }), fc.integer({ min: 1, max: 999_999 }), fc.string({ minLength: 1 }), (version, below, id) =>
          (audienceSk(version, id) < audienceSkBelow(below)) === version < below,
        ),
      );
    });

    it('pads versions to six digits', () => {
      expect(paddedVersion(2)).toBe('000002');
    });
  });

  describe('Function: evidenceSk', () => {
    it('derives the key from the evidence identity so a retry lands on the same item', () => {
      const acceptance = { kind: 'acceptance', accountId: 'a', noticeId: 'privacy', version: 2, region: 'eea', language: 'ja', contentHash: 'h', at: 't1', source: { channel: 'web' } } as const;
      expect(evidenceSk('privacy', acceptance)).toBe(evidenceSk('privacy', { ...acceptance, at: 't2' }));
      expect(evidenceSk('privacy', acceptance)).toBe('EV#ACC#privacy#000002#eea#ja');
      const sent = { kind: 'notification', event: 'sent', campaignId: 'c', messageId: 'm', version: 2, channel: 'email', at: 't' } as const;
      expect(evidenceSk('privacy', sent)).not.toBe(evidenceSk('privacy', { ...sent, event: 'delivered' }));
      const choice = {
        kind: 'choice', campaignId: 'c', version: 2, option: 'delete', defaulted: false, channel: 'web', at: 't1',
        seq: 1, evidenceId: 'c/a/1', writer: 'w1', shown: { options: ['accept', 'delete'], region: 'eea', language: 'en' },
      } as const;
      // Two choices in the same millisecond are two items: the key is the sequence number, not the instant.
      expect(evidenceSk('privacy', choice)).not.toBe(evidenceSk('privacy', { ...choice, seq: 2 }));
      expect(evidenceSk('privacy', choice)).toBe(evidenceSk('privacy', { ...choice, at: 't2', writer: 'w2' }));
      expect(evidenceSk('privacy', choice)).toBe('EV#CHO#privacy#c#000001');
    });
  });
});
