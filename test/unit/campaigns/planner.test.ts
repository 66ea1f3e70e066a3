import { describe, expect, it } from 'vitest';
import type { SendMessage } from '../../../functions/campaigns/messages.ts';
import type { Campaign } from '../../../functions/campaigns/model.ts';
import { batchesOf, planShard } from '../../../functions/campaigns/planner.ts';
import type { Queue } from '../../../functions/campaigns/ports.ts';
import { fixedClock } from '../../../functions/core/clock.ts';
import { shardOf } from '../../../functions/ledger/keys.ts';
import type { AudienceMember } from '../../../functions/ledger/types.ts';
import { InMemoryAcceptanceStore } from '../../fakes/acceptance-store.ts';
import { InMemoryCampaignStore } from '../../fakes/campaign-store.ts';

const members = (language: string, n: number, prefix = language): AudienceMember[] =>
  Array.from({ length: n }, (_, i) => ({ accountId: `${prefix}-${i}`, noticeId: 'privacy', region: 'eea', language, acceptedVersion: 1 }) as AudienceMember);

describe('Function: batchesOf', () => {
  it('sends only full batches of one language mid-shard and carries the rest to the next page', () => {
    const page = [...members('de', 120), ...members('fr', 30), ...members('en', 50)];

    const { messages, carry } = batchesOf('privacy-v2', 'eea', page);

    expect(messages.map((m) => [m.language, m.accountIds.length])).toEqual([['de', 50], ['de', 50], ['en', 50]]);
    expect(Object.fromEntries(Object.entries(carry).map(([language, ids]) => [language, ids.length]))).toEqual({ de: 20, fr: 30 });
    // Nobody is lost or doubled between what is sent and what is carried.
    const ids = [...messages.flatMap((m) => m.accountIds), ...Object.values(carry).flat()];
    expect(new Set(ids).size).toBe(page.length);
  });

  it('puts the carried accounts first on the next page, and flushes everything on the last page', () => {
    const carried = { de: ['de-old-1', 'de-old-2'], fr: ['fr-old'] };

    const { messages, carry } = batchesOf('privacy-v2', 'eea', members('de', 48, 'de-new'), { carry: carried, final: true });

    expect(carry).toEqual({});
    expect(messages.map((m) => [m.language, m.accountIds.length])).toEqual([['de', 50], ['fr', 1]]);
    expect(messages[0]!.accountIds.slice(0, 2)).toEqual(['de-old-1', 'de-old-2']);
  });

  it('a page of one language and a multiple of 50 carries nothing', () => {
    const { messages, carry } = batchesOf('privacy-v2', 'jp', members('ja', 1000));
    expect(messages).toHaveLength(20);
    expect(carry).toEqual({});
  });
});

describe('Function: planShard', () => {
  const campaign: Campaign = {
    campaignId: 'privacy-v2',
    noticeId: 'privacy',
    version: 2,
    deadline: '2027-02-01T00:00:00.000Z',
    regions: [{ region: 'eea', notification: 'choice', options: ['accept'] }],
    createdAt: '2026-11-01T00:00:00.000Z',
    status: 'started',
  };
  const AT = '2026-11-29T12:00:00.000Z';
  /** 120 accounts on version 1 in the shard under test, all `de`. */
  const setup = () => {
    const audience = new InMemoryAcceptanceStore();
    for (let i = 0; audience.states.size < 120; i++) {
      const accountId = `acct-${i}`;
      if (shardOf(accountId) !== 3) continue;
      audience.states.set(`${accountId}|privacy`, { accountId, noticeId: 'privacy', acceptedVersion: 1, acceptedAt: AT, contentHash: 'h', region: 'eea', language: 'de' });
    }
    const store = new InMemoryCampaignStore([campaign]);
    const sent: SendMessage[] = [];
    const sendQueue: Queue<SendMessage> = { send: async (messages) => void sent.push(...messages) };
    return { audience, store, sent, sendQueue };
  };

  it('pages the audience, sends full batches, carries the rest, and checkpoints each page at the clock’s instant', async () => {
    const { audience, store, sent, sendQueue } = setup();

    const result = await planShard({ store, audience, sendQueue, clock: fixedClock(AT), pageSize: 70 }, { campaignId: 'privacy-v2', region: 'eea', shard: 3 });

    expect(result).toEqual({ pages: 2, members: 120, done: true });
    expect(sent.map((m) => m.accountIds.length)).toEqual([50, 50, 20]);
    expect(new Set(sent.flatMap((m) => m.accountIds)).size).toBe(120);
    expect(await store.getPlan('privacy-v2', 'eea', 3)).toEqual({ page: 2, done: true });
    expect(store.totals('privacy-v2').audience).toBe(120);
  });

  it('resumes from the checkpoint after a crash before it, without counting the page twice', async () => {
    const { audience, store, sent, sendQueue } = setup();
    let crashes = 1;
    const fault = (point: string) => {
      if (point === 'planner:after-checkpoint' && crashes-- > 0) throw new Error('crash');
    };
    const deps = { store, audience, sendQueue, clock: fixedClock(AT), pageSize: 70, fault };

    await expect(planShard(deps, { campaignId: 'privacy-v2', region: 'eea', shard: 3 })).rejects.toThrow('crash');
    expect(await planShard(deps, { campaignId: 'privacy-v2', region: 'eea', shard: 3 })).toEqual({ pages: 1, members: 50, done: true });

    expect(store.totals('privacy-v2').audience).toBe(120);
    expect(new Set(sent.flatMap((m) => m.accountIds)).size).toBe(120);
  });
});
