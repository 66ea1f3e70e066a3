import { describe, expect, it } from 'vitest';
import { chunksOf } from '../../../functions/campaigns/send-chunk.ts';
import { destinationFor, emailKindOf } from '../../../functions/campaigns/send-email.ts';
import type { Recipient } from '../../../functions/campaigns/send-recipients.ts';
import { contentIndex } from '../../../functions/content/index-artifact.ts';
import { campaignOf } from './campaign-fixture.ts';

const campaign = campaignOf();
const recipient = (accountId: string, overrides: Partial<Recipient> = {}): Recipient => ({
  campaign,
  kind: 'notice',
  accountId,
  region: 'eea',
  language: 'en',
  records: new Set(['q1']),
  attemptId: 'att',
  email: `${accountId}@example.test`,
  ...overrides,
});

describe('Function: chunksOf', () => {
  it('groups by campaign, kind, region and language, at most 50 a chunk', () => {
    const recipients = [
      ...Array.from({ length: 60 }, (_, i) => recipient(`de-${i}`)),
      ...Array.from({ length: 3 }, (_, i) => recipient(`ja-${i}`, { language: 'ja' })),
      recipient('rem', { kind: 'reminder' }),
    ];
    expect(chunksOf(recipients).map((chunk) => [chunk[0]!.kind, chunk[0]!.language, chunk.length])).toEqual([
      ['notice', 'en', 50],
      ['notice', 'en', 10],
      ['notice', 'ja', 3],
      ['reminder', 'en', 1],
    ]);
  });
});

describe('Function: emailKindOf', () => {
  it('tells a reminder, an informational notice and a notice with a choice apart', () => {
    expect(emailKindOf(recipient('a', { kind: 'reminder' }))).toBe('reminder');
    expect(emailKindOf(recipient('a', { region: 'us' }))).toBe('informational');
    expect(emailKindOf(recipient('a'))).toBe('choice');
  });
});

describe('Function: destinationFor', () => {
  const deps = {
    content: contentIndex,
    renderEmail: () => ({ subject: '', html: '', text: '' }),
    signChoiceToken: async () => 'tok/1',
    publicBaseUrl: 'https://x.example/',
  };

  it('links only the options the region offers, and no links at all for an informational email', async () => {
    const choice = await destinationFor(deps, recipient('a'), 'choice');
    expect(choice.replacementData).toEqual({
      choiceUrl: 'https://x.example/choices/tok%2F1',
      acceptUrl: 'https://x.example/choices/tok%2F1?option=accept',
      deleteUrl: 'https://x.example/choices/tok%2F1?option=delete',
    });
    expect(choice.tags).toEqual({ campaign: 'privacy-v2', account: 'a', kind: 'notice' });
    expect((await destinationFor(deps, recipient('a', { region: 'us' }), 'informational')).replacementData).toEqual({});
  });
});
