import { describe, expect, it } from 'vitest';
import { batchesOf } from '../../../functions/campaigns/planner.ts';
import type { AudienceMember } from '../../../functions/ledger/types.ts';

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
