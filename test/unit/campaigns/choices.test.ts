import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  applyDefaultChoice,
  ChoiceClosedError,
  counterDeltas,
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
import type { AcceptanceState, EvidenceRecord } from '../../../functions/ledger/types.ts';

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

/** In-memory ports that behave like the DynamoDB ones (conditional choice, once-only recipient mark). */
const fakes = () => {
  const states = new Map<string, AcceptanceState & { choice?: RecordedChoice }>();
  const evidence: { accountId: string; record: EvidenceRecord }[] = [];
  const counters: Partial<Counters>[] = [];
  const marks = new Map<string, RecordedChoice>();
  const events = new InMemoryChoicePublisher();
  const state = (accountId: string, region: string, acceptedVersion = 1) =>
    states.set(accountId, { accountId, noticeId: 'privacy', acceptedVersion, acceptedAt: 'x', contentHash: 'h', region, language: region === 'jp' ? 'ja' : 'en' });
  const deps: ChoiceDeps = {
    content: contentIndex,
    tokenKey: staticTokenKey(key),
    campaigns: { getCampaign: async (id) => (id === campaign.campaignId ? campaign : undefined), addCounters: async (_id, _shard, d) => void counters.push(d) },
    ledger: {
      getState: async (accountId) => states.get(accountId),
      appendEvidence: async (accountId, _n, record) => {
        const duplicate = evidence.some((e) => e.accountId === accountId && e.record.at === record.at && e.record.kind === record.kind);
        if (!duplicate) evidence.push({ accountId, record });
        return !duplicate;
      },
      recordChoice: async (accountId, _n, choice) => {
        const current = states.get(accountId);
        if (!current) return { applied: false };
        const old = current.choice;
        const sameCampaign = old?.campaignId === choice.campaignId;
        if (choice.defaulted ? current.acceptedVersion >= choice.version || sameCampaign : sameCampaign && old!.at > choice.at) return { applied: false };
        states.set(accountId, { ...current, choice });
        return old ? { applied: true, replaced: old } : { applied: true };
      },
    },
    choices: {
      markRecipient: async (_c, accountId, choice, onlyFirst) => {
        if (onlyFirst && marks.has(accountId)) return false;
        marks.set(accountId, choice);
        return true;
      },
    },
    events,
  };
  return { deps, states, evidence, counters, marks, events, state };
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
    const { deps, state, evidence, counters } = fakes();
    state('acct-jp', 'jp');

    const view = await openChoice(deps, token('acct-jp'), now);

    expect(view).toMatchObject({ region: 'jp', language: 'ja', options: ['accept', 'keep-previous'] });
    expect(evidence).toEqual([]);
    expect(counters).toEqual([]);
  });

  it('refuses after the deadline with the claims, and an unknown campaign', async () => {
    const { deps, state } = fakes();
    state('acct-de', 'eea');

    await expect(openChoice(deps, token('acct-de'), new Date(DEADLINE))).rejects.toBeInstanceOf(ChoiceClosedError);
    await expect(openChoice(deps, token('acct-de', 'privacy-v7'), now)).rejects.toBeInstanceOf(NotFoundError);
    await expect(openChoice(deps, 'v1.x.y', now)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(openChoice(deps, token('acct-ghost'), now)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('Function: recordChoice', () => {
  it('records evidence, the state, a counter and an event; the version accepted before is kept for governance', async () => {
    const { deps, state, states, evidence, counters, events } = fakes();
    state('acct-de', 'eea');

    const result = await recordChoice(deps, { token: token('acct-de'), option: 'delete', source: { ipPrefix: '203.0.113.0/24', userAgent: 'x'.repeat(1000) }, now });

    expect(result.choice).toMatchObject({ option: 'delete', defaulted: false, previousVersion: 1 });
    expect(states.get('acct-de')?.choice?.option).toBe('delete');
    expect(evidence[0]?.record).toMatchObject({ kind: 'choice', option: 'delete', channel: 'web', ipPrefix: '203.0.113.0/24' });
    expect((evidence[0]?.record as { userAgent: string }).userAgent).toHaveLength(256);
    expect(counters).toEqual([{ choice_delete: 1 }]);
    expect(events.events[0]).toMatchObject({ option: 'delete', accountId: 'acct-de', noticeId: 'privacy', defaulted: false });
  });

  it('refuses an option the region is not offered and an account the ledger does not know, writing nothing', async () => {
    const { deps, state, evidence } = fakes();
    state('acct-jp', 'jp');

    await expect(recordChoice(deps, { token: token('acct-jp'), option: 'delete', source: {}, now })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(recordChoice(deps, { token: token('acct-ghost'), option: 'accept', source: {}, now })).rejects.toBeInstanceOf(NotFoundError);
    expect(evidence).toEqual([]);
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
    // Events are at-least-once: a repeated call may publish again, always under the same event id.
    expect(new Set(events.events.filter((e) => e.defaulted).map((e) => e.eventId))).toEqual(new Set([`privacy-v2/acct-silent/${DEADLINE}`]));
  });
});
