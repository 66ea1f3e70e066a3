import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  applyDefaultChoice,
  ChoiceClosedError,
  ChoiceLimitError,
  counterDeltas,
  drainChoiceOutbox,
  openChoice,
  parseOption,
  recordChoice,
  type ChoiceDeps,
  type RecordedChoice,
} from '../../../functions/campaigns/choices.ts';
import { InMemoryChoicePublisher } from '../../../functions/campaigns/events.ts';
import type { Campaign, Counters } from '../../../functions/campaigns/model.ts';
import { staticTokenKey } from '../../../functions/campaigns/token-key.ts';
import { contentIndex } from '../../../functions/content/index-artifact.ts';
import { InvalidInputError, InvalidTokenError, NotFoundError } from '../../../functions/core/errors.ts';
import { signChoiceToken } from '../../../functions/core/tokens.ts';
import type { ChoiceEvidence } from '../../../functions/ledger/types.ts';
import { recipientId } from '../../../functions/campaigns/ports.ts';
import { InMemoryAcceptanceStore } from '../../fakes/acceptance-store.ts';
import { InMemoryChoiceOutbox } from '../../fakes/choice-outbox.ts';

const DEADLINE = '2027-02-01T00:00:00.000Z';
const key = new Uint8Array(randomBytes(32));
const now = new Date('2026-12-01T09:00:00.000Z');
const campaign: Campaign = {
  campaignId: 'privacy-v2',
  noticeId: 'privacy',
  version: 2,
  deadline: DEADLINE,
  regions: [
    { region: 'eea', notification: 'choice', options: ['accept', 'keep-previous', 'delete'] },
    { region: 'jp', notification: 'choice', options: ['accept', 'keep-previous'] },
  ],
  createdAt: '2026-11-01T00:00:00.000Z',
  status: 'started',
};
const token = (accountId: string, campaignId = 'privacy-v2') => signChoiceToken({ campaignId, accountId, expiresAt: DEADLINE }, key);

/** In-memory ports that behave like the DynamoDB ones (sequenced choice evidence, conditional state, outbox). */
const fakes = () => {
  const ledger = new InMemoryAcceptanceStore();
  const outbox = new InMemoryChoiceOutbox();
  const counters: Partial<Counters>[] = [];
  const marks = new Map<string, RecordedChoice>();
  const emailed = new Set<string>();
  const events = new InMemoryChoicePublisher();
  const state = (accountId: string, region: string, acceptedVersion = 1, wasEmailed = true) => {
    ledger.states.set(`${accountId}|privacy`, { accountId, noticeId: 'privacy', acceptedVersion, acceptedAt: 'x', contentHash: 'h', region, language: region === 'jp' ? 'ja' : 'en' });
    if (wasEmailed) emailed.add(accountId);
  };
  const deps: ChoiceDeps = {
    content: contentIndex,
    tokenKey: staticTokenKey(key),
    campaigns: { getCampaign: async (id) => (id === campaign.campaignId ? campaign : undefined), addCounters: async (_id, _shard, d) => void counters.push(d) },
    ledger,
    choices: {
      markRecipient: async (_c, accountId, choice, onlyFirst) => {
        if (onlyFirst && marks.has(accountId)) return false;
        marks.set(accountId, choice);
        return true;
      },
      getRecipients: async (keys) =>
        new Map(
          keys
            .filter((k) => emailed.has(k.accountId))
            .map((k) => [recipientId(k.campaignId, k.accountId), { campaignId: k.campaignId, accountId: k.accountId, notice: { status: 'sent' }, reminder: {} }]),
        ),
    },
    events,
    outbox,
    maxChoiceChanges: 4,
  };
  const choiceEvidence = (accountId: string) =>
    [...ledger.evidence.values()]
      .filter((e) => e.kind === 'choice' && e.accountId === accountId)
      .map((e) => e as ChoiceEvidence)
      .sort((x, y) => x.seq - y.seq);
  const states = { get: (accountId: string) => ledger.states.get(`${accountId}|privacy`) };
  return { deps, states, choiceEvidence, counters, marks, events, state, outbox };
};

describe('Function: parseOption / counterDeltas', () => {
  it('accepts only the three options and moves one count between options', () => {
    expect(parseOption('delete')).toBe('delete');
    expect(parseOption('Delete')).toBeUndefined();
    expect(parseOption(['delete'])).toBeUndefined();
    expect(counterDeltas('accept', undefined)).toEqual({ choice_accept: 1 });
    expect(counterDeltas('delete', 'accept')).toEqual({ choice_delete: 1, choice_accept: -1 });
    expect(counterDeltas('accept', 'accept')).toEqual({});
  });
});

describe('Function: openChoice', () => {
  it('shows the options of the recipient region, in its language, and reads only', async () => {
    const { deps, state, choiceEvidence, counters, outbox } = fakes();
    state('acct-jp', 'jp');

    const view = await openChoice(deps, token('acct-jp'), now);

    expect(view).toMatchObject({ region: 'jp', language: 'ja', options: ['accept', 'keep-previous'] });
    expect(choiceEvidence('acct-jp')).toEqual([]);
    expect(counters).toEqual([]);
    expect(outbox.entries.size).toBe(0);
  });

  it('refuses after the deadline with the claims, and an unknown campaign', async () => {
    const { deps, state } = fakes();
    state('acct-de', 'eea');

    await expect(openChoice(deps, token('acct-de'), new Date(DEADLINE))).rejects.toBeInstanceOf(ChoiceClosedError);
    await expect(openChoice(deps, token('acct-de', 'privacy-v7'), now)).rejects.toBeInstanceOf(NotFoundError);
    await expect(openChoice(deps, 'v1.x.y', now)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(openChoice(deps, token('acct-ghost'), now)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('is closed to an account the campaign never emailed (404) and to one that accepted the version (410, reason accepted)', async () => {
    const { deps, state } = fakes();
    state('acct-never-asked', 'eea', 1, false);
    state('acct-on-v2', 'eea', 2);

    await expect(openChoice(deps, token('acct-never-asked'), now)).rejects.toBeInstanceOf(NotFoundError);
    await expect(openChoice(deps, token('acct-on-v2'), now)).rejects.toMatchObject({ name: 'ChoiceClosedError', reason: 'accepted' });
  });
});

describe('Function: recordChoice', () => {
  it('records evidence, the state, a counter and an event; the version accepted before is kept for governance', async () => {
    const { deps, state, states, choiceEvidence, counters, events, outbox } = fakes();
    state('acct-de', 'eea');

    const result = await recordChoice(deps, { token: token('acct-de'), option: 'delete', source: { ipPrefix: '203.0.113.0/24', userAgent: 'x'.repeat(1000) }, now });

    expect(result.choice).toMatchObject({ option: 'delete', defaulted: false, previousVersion: 1, seq: 1, evidenceId: 'privacy-v2/acct-de/1' });
    expect(states.get('acct-de')?.choice).toMatchObject({ option: 'delete', seq: 1 });
    const [evidence] = choiceEvidence('acct-de');
    const v2 = contentIndex.notices.find((n) => n.noticeId === 'privacy')!.versions.find((v) => v.version === 2)!;
    expect(evidence).toMatchObject({
      kind: 'choice',
      option: 'delete',
      channel: 'web',
      ipPrefix: '203.0.113.0/24',
      seq: 1,
      evidenceId: 'privacy-v2/acct-de/1',
      shown: { options: ['accept', 'keep-previous', 'delete'], region: 'eea', language: 'en', contentHash: v2.variants['eea/en']!.contentHash },
    });
    expect(evidence!.userAgent).toHaveLength(256);
    expect(counters).toEqual([{ choice_delete: 1 }]);
    expect(events.events).toEqual([
      expect.objectContaining({ eventId: 'privacy-v2/acct-de/1', option: 'delete', accountId: 'acct-de', noticeId: 'privacy', region: 'eea', cutoffDate: v2.effectiveDate, previousVersion: 1, defaulted: false }),
    ]);
    expect(outbox.entries.size).toBe(0);
  });

  it('records a repeated choice once and answers the existing record; a change is a new item; the cap refuses more', async () => {
    const { deps, state, states, choiceEvidence, events } = fakes();
    state('acct-de', 'eea');
    const post = (option: string) => recordChoice(deps, { token: token('acct-de'), option, source: {}, now });

    const first = await post('delete');
    const again = await post('delete');
    await post('accept');
    await post('delete');
    await post('keep-previous');

    expect(again).toMatchObject({ unchanged: true, choice: first.choice });
    expect(choiceEvidence('acct-de').map((e) => [e.seq, e.option, e.previousOption])).toEqual([
      [1, 'delete', undefined],
      [2, 'accept', 'delete'],
      [3, 'delete', 'accept'],
      [4, 'keep-previous', 'delete'],
    ]);
    await expect(post('accept')).rejects.toBeInstanceOf(ChoiceLimitError);
    // The choice in force can still be confirmed at the cap.
    await expect(post('keep-previous')).resolves.toMatchObject({ unchanged: true });
    expect(states.get('acct-de')?.choice).toMatchObject({ option: 'keep-previous', seq: 4 });
    expect(events.events.map((e) => e.eventId)).toEqual([1, 2, 3, 4].map((n) => `privacy-v2/acct-de/${n}`));
  });

  it('keeps the event in the outbox when the bus refuses, and the drain publishes it under the same id', async () => {
    const { deps, state, events, outbox } = fakes();
    state('acct-de', 'eea');
    let refuse = true;
    const flaky = { publish: async (batch: Parameters<typeof events.publish>[0]) => (refuse ? Promise.reject(new Error('bus down')) : events.publish(batch)) };

    await recordChoice({ ...deps, events: flaky }, { token: token('acct-de'), option: 'delete', source: {}, now });
    expect(events.events).toEqual([]);
    expect(outbox.entries.size).toBe(1);

    refuse = false;
    const report = await drainChoiceOutbox({ ...deps, events: flaky }, { now });

    expect(report).toMatchObject({ published: 1, discarded: 0, waiting: 0 });
    expect(events.events.map((e) => e.eventId)).toEqual(['privacy-v2/acct-de/1']);
    expect(outbox.entries.size).toBe(0);
  });

  it('refuses an option the region is not offered and an account the ledger does not know, writing nothing', async () => {
    const { deps, state, choiceEvidence } = fakes();
    state('acct-jp', 'jp');

    await expect(recordChoice(deps, { token: token('acct-jp'), option: 'delete', source: {}, now })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(recordChoice(deps, { token: token('acct-ghost'), option: 'accept', source: {}, now })).rejects.toBeInstanceOf(NotFoundError);
    expect(choiceEvidence('acct-jp')).toEqual([]);
  });
});

describe('Function: applyDefaultChoice', () => {
  it('defaults once, never over a customer choice, never for an account already on the version', async () => {
    // Prepare
    const { deps, state, counters, events } = fakes();
    state('acct-silent', 'eea');
    state('acct-chose', 'eea');
    state('acct-on-v2', 'eea', 2);
    await recordChoice(deps, { token: token('acct-chose'), option: 'accept', source: {}, now });

    // Act
    const outcomes = [];
    for (const accountId of ['acct-silent', 'acct-silent', 'acct-chose', 'acct-on-v2']) outcomes.push(await applyDefaultChoice(deps, campaign, accountId));

    // Assess
    expect(outcomes).toEqual(['defaulted', 'skipped', 'skipped', 'skipped']);
    expect(counters.filter((c) => c.defaulted)).toEqual([{ defaulted: 1 }]);
    expect(events.events.filter((e) => e.defaulted).map((e) => e.eventId)).toEqual(['privacy-v2/acct-silent/1']);
  });
});
