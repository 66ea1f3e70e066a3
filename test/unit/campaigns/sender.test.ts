import { SESv2Client, SendBulkEmailCommand, TooManyRequestsException, InternalServiceErrorException } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClaimInput, ClaimOutcome, SendKind } from '../../../functions/campaigns/model.ts';
import { type AcceptedSend, type SendCall, unlimited } from '../../../functions/campaigns/ports.ts';
import { sendBatch, type SenderDeps } from '../../../functions/campaigns/sender.ts';
import { SesBulkMailer } from '../../../functions/campaigns/ses-mailer.ts';
import { contentIndex } from '../../../functions/content/index-artifact.ts';
import { fixedClock, instantTimers } from '../../../functions/core/clock.ts';
import { backoffMs } from '../../../functions/core/retry.ts';
import type { EvidenceRecord } from '../../../functions/ledger/types.ts';
import { InMemoryCampaignStore } from '../../fakes/campaign-store.ts';
import { campaignOf } from './campaign-fixture.ts';

const campaign = campaignOf({
  regions: [{ region: 'eea', notification: 'choice', options: ['accept', 'keep-previous', 'delete'] }],
  createdAt: '2026-11-29T00:00:00.000Z',
});

/** The recipient port in memory: the sender's view of recipient items. */
const fakeRecipients = () => {
  const recipients = new Map<string, { status: string; attempt?: string; messageId?: string; reason?: string }>();
  const port = {
    claimRecipient: async (input: ClaimInput): Promise<ClaimOutcome> => {
      const current = recipients.get(input.accountId);
      if (current?.status === 'sent' || current?.status === 'failed') return { kind: 'done', status: current.status };
      if (current?.status === 'sending') return { kind: 'busy' };
      recipients.set(input.accountId, { status: 'sending', attempt: input.attemptId });
      // A late enrolee's item carries its own, later deadline.
      return { kind: 'claimed', ...(input.accountId.startsWith('late-') ? { deadline: '2027-02-10T00:00:00.000Z' } : {}) };
    },
    markSubmitted: vi.fn(async (_call: SendCall, _ids: readonly string[], _expiresAt: number) => {}),
    clearSubmitted: vi.fn(async (_call: SendCall, _ids: readonly string[]) => {}),
    // What the call's item holds, folded onto the recipient as send-facts.ts reads it back.
    recordAccepted: vi.fn(async (call: SendCall, accepted: readonly AcceptedSend[]) => {
      for (const { accountId, messageId } of accepted) {
        const r = recipients.get(accountId);
        if (r?.status === 'sending' && call.callId.startsWith(`${r.attempt}_`)) recipients.set(accountId, { status: 'sent', messageId });
      }
    }),
    markFailed: async (_c: string, accountId: string, _k: SendKind, attempt: string, reason: string) => {
      const r = recipients.get(accountId);
      if (r?.status !== 'sending' || r.attempt !== attempt) return false;
      recipients.set(accountId, { status: 'failed', reason });
      return true;
    },
    releaseRecipient: async (_c: string, accountId: string) => {
      recipients.set(accountId, { status: 'released' });
    },
  } satisfies SenderDeps['recipients'];
  return { ...port, recipients };
};

const ses = mockClient(SESv2Client);

const setup = (overrides: Partial<SenderDeps> = {}) => {
  const store = fakeRecipients();
  const campaigns = new InMemoryCampaignStore([campaign]);
  const evidence: { accountId: string; evidence: EvidenceRecord }[] = [];
  const timers = instantTimers(() => 0.5);
  const ledger = {
    getContacts: async (ids: readonly string[]) => new Map(ids.filter((id) => !id.startsWith('nocontact')).map((id) => [id, `${id}@example.test`])),
    appendEvidence: async (accountId: string, _noticeId: string, record: EvidenceRecord) => {
      evidence.push({ accountId, evidence: record });
      return true;
    },
  } satisfies SenderDeps['ledger'];
  const deps: SenderDeps = {
    campaigns,
    recipients: store,
    ledger,
    mailer: new SesBulkMailer({ client: new SESv2Client({ region: 'eu-west-1' }), fromAddress: 'noreply@example.test', configurationSet: 'cs' }),
    rateLimiter: unlimited,
    content: contentIndex,
    renderEmail: (input) => ({ subject: `${input.kind} ${input.language}`, html: '<a href="{{acceptUrl}}">accept</a>', text: '{{choiceUrl}}' }),
    signChoiceToken: async (claims) => `tok.${claims.accountId}`,
    publicBaseUrl: 'https://disclosure.example',
    clock: fixedClock('2026-11-29T12:00:00.000Z'),
    timers,
    retry: { attempts: 4, baseMs: 100, maxMs: 1000 },
    ...overrides,
  };
  return { deps, store, campaigns, ledger, evidence, sleeps: timers.slept };
};

const record = (id: string, accountIds: string[], language = 'en') => ({
  messageId: id,
  body: JSON.stringify({ campaignId: 'privacy-v2', kind: 'notice', region: 'eea', language, accountIds }),
});

const successFor = (n: number, prefix = 'm') => ({ BulkEmailEntryResults: Array.from({ length: n }, (_, i) => ({ Status: 'SUCCESS' as const, MessageId: `${prefix}${i}` })) });

describe('Function: sendBatch', () => {
  beforeEach(() => ses.reset());

  it('sends ≤ 50 destinations per call, merging the messages of a batch by language', async () => {
    const { deps, store, campaigns, evidence } = setup();
    ses.on(SendBulkEmailCommand).callsFake((input) => successFor(input.BulkEmailEntries.length));
    const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

    const result = await sendBatch(deps, [record('q1', ids('a', 40)), record('q2', ids('b', 40)), record('q3', ids('c', 20), 'ja')]);

    expect(result.batchItemFailures).toEqual([]);
    const sizes = ses.commandCalls(SendBulkEmailCommand).map((call) => call.args[0].input.BulkEmailEntries!.length).sort();
    expect(sizes).toEqual([20, 30, 50]);
    expect(campaigns.totals('privacy-v2').sent).toBe(100);
    // The `sent` mark holds the evidence (message id and instant, and what `notified` is derived from): no other write per email.
    expect([...store.recipients.values()].filter((r) => r.status === 'sent' && r.messageId)).toHaveLength(100);
    expect(evidence).toHaveLength(0);
  });

  it('tags every destination with campaign, account and kind, and fills escaped links', async () => {
    const { deps } = setup({ publicBaseUrl: 'https://x.example/a&b' });
    ses.on(SendBulkEmailCommand).resolves(successFor(1));

    await sendBatch(deps, [record('q1', ['acct.1'])]);

    const input = ses.commandCalls(SendBulkEmailCommand)[0]!.args[0].input;
    const entry = input.BulkEmailEntries![0]!;
    expect(entry.ReplacementTags).toEqual([
      { Name: 'campaign', Value: 'privacy-v2' },
      { Name: 'account', Value: `b64-${Buffer.from('acct.1').toString('base64url')}` },
      { Name: 'kind', Value: 'notice' },
    ]);
    const data = JSON.parse(entry.ReplacementEmailContent!.ReplacementTemplate!.ReplacementTemplateData!);
    expect(data.acceptUrl).toBe('https://x.example/a&amp;b/choices/tok.acct.1?option=accept');
    expect(Object.keys(data).sort()).toEqual(['acceptUrl', 'choiceUrl', 'deleteUrl', 'keepPreviousUrl']);
  });

  it('retries a 429 with jittered backoff, then sends', async () => {
    const { deps, store, sleeps } = setup();
    ses
      .on(SendBulkEmailCommand)
      .rejectsOnce(new TooManyRequestsException({ message: 'slow', $metadata: { httpStatusCode: 429 } }))
      .resolves(successFor(2));

    const result = await sendBatch(deps, [record('q1', ['a', 'b'])]);

    expect(result.batchItemFailures).toEqual([]);
    expect(ses.commandCalls(SendBulkEmailCommand)).toHaveLength(2);
    expect(sleeps).toEqual([backoffMs(1, { baseMs: 100, maxMs: 1000 }, () => 0.5)]);
    expect(store.recipients.get('a')?.status).toBe('sent');
  });

  it('hands recipients back to SQS after persistent 5xx: released, message reported, nothing lost', async () => {
    const { deps, store, campaigns } = setup();
    ses.on(SendBulkEmailCommand).rejects(new InternalServiceErrorException({ message: 'down', $metadata: { httpStatusCode: 500 } }));

    const result = await sendBatch(deps, [record('q1', ['a', 'b'])]);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'q1' }]);
    expect(ses.commandCalls(SendBulkEmailCommand)).toHaveLength(4);
    expect(store.recipients.get('a')?.status).toBe('released');
    expect(campaigns.totals('privacy-v2').sent).toBe(0);
  });

  it('retries only the throttled and transient entries', async () => {
    const { deps, store, campaigns } = setup();
    ses
      .on(SendBulkEmailCommand)
      .resolvesOnce({ BulkEmailEntryResults: [{ Status: 'SUCCESS', MessageId: 'm0' }, { Status: 'ACCOUNT_THROTTLED' }, { Status: 'TRANSIENT_FAILURE' }] })
      .resolves(successFor(2, 'n'));

    const result = await sendBatch(deps, [record('q1', ['a', 'b', 'c'])]);

    expect(result.batchItemFailures).toEqual([]);
    const second = ses.commandCalls(SendBulkEmailCommand)[1]!.args[0].input.BulkEmailEntries!.map((e) => e.Destination!.ToAddresses![0]);
    expect(second).toEqual(['b@example.test', 'c@example.test']);
    expect(campaigns.totals('privacy-v2').sent).toBe(3);
    // In doubt is tracked per SES call on the attempt's marker: all three before the first call,
    // the two SES did not take cleared after it, and marked again before the second.
    expect(store.markSubmitted.mock.calls.map((call) => call[1])).toEqual([['a', 'b', 'c'], ['b', 'c']]);
    expect(store.clearSubmitted.mock.calls.map((call) => call[1])).toEqual([['b', 'c']]);
    // One call item for the chunk: both SES calls name it, and what SES accepted is recorded on it.
    expect(new Set([...store.markSubmitted.mock.calls, ...store.recordAccepted.mock.calls].map((call) => call[0].callId)).size).toBe(1);
  });

  it('records rejections and missing contacts as failed, with evidence, never retried', async () => {
    const { deps, store, campaigns, evidence } = setup();
    ses.on(SendBulkEmailCommand).resolves({
      BulkEmailEntryResults: [{ Status: 'MESSAGE_REJECTED' }, { Status: 'FAILED' }, { Status: 'INVALID_PARAMETER' }],
    });

    const result = await sendBatch(deps, [record('q1', ['a', 'b', 'c', 'nocontact-1'])]);

    expect(result.batchItemFailures).toEqual([]);
    expect(ses.commandCalls(SendBulkEmailCommand)).toHaveLength(1);
    expect([...store.recipients.values()].map((r) => r.status)).toEqual(['failed', 'failed', 'failed', 'failed']);
    expect(store.recipients.get('nocontact-1')?.reason).toBe('no-contact');
    expect(campaigns.totals('privacy-v2').failed).toBe(4);
    expect(evidence.filter((e) => e.evidence.kind === 'notification' && e.evidence.event === 'failed')).toHaveLength(4);
  });

  it('blocks the campaign on a configuration fault, parks its message, and fails nobody', async () => {
    const { deps, store, campaigns, evidence } = setup();
    const blocking = { ...deps, parking: campaigns, runState: campaigns };
    ses.on(SendBulkEmailCommand).resolves({ BulkEmailEntryResults: [{ Status: 'SUCCESS', MessageId: 'm0' }, { Status: 'MAIL_FROM_DOMAIN_NOT_VERIFIED' }] });

    const result = await sendBatch(blocking, [record('q1', ['a', 'b'])]);

    expect(result.batchItemFailures).toEqual([]);
    expect(ses.commandCalls(SendBulkEmailCommand)).toHaveLength(1);
    expect(store.recipients.get('a')?.status).toBe('sent');
    expect(store.recipients.get('b')?.status).toBe('released');
    const blocked = await campaigns.getCampaign('privacy-v2');
    expect(blocked?.run).toMatchObject({ status: 'blocked', reason: expect.stringMatching(/^MAIL_FROM_DOMAIN_NOT_VERIFIED: /) });
    expect((await campaigns.parked('privacy-v2')).items.map((item) => item.messageId)).toEqual(['q1']);
    expect(campaigns.totals('privacy-v2').failed).toBe(0);
    expect(evidence.filter((e) => e.evidence.kind === 'notification' && e.evidence.event === 'failed')).toHaveLength(0);
  });

  it('never emails a recipient whose own deadline has passed; a late enrolee with a later deadline is emailed', async () => {
    const { deps, store, campaigns } = setup({ clock: fixedClock('2027-02-02T00:00:00.000Z') });
    ses.on(SendBulkEmailCommand).callsFake((input) => successFor(input.BulkEmailEntries.length));

    const result = await sendBatch(deps, [record('q1', ['a', 'late-b'])]);

    expect(result.batchItemFailures).toEqual([]);
    const sentTo = ses.commandCalls(SendBulkEmailCommand).flatMap((call) => call.args[0].input.BulkEmailEntries!.map((e) => e.Destination!.ToAddresses![0]));
    expect(sentTo).toEqual(['late-b@example.test']);
    expect(store.recipients.get('a')).toEqual({ status: 'failed', reason: 'deadline-passed' });
    expect(store.recipients.get('late-b')?.status).toBe('sent');
    expect(campaigns.totals('privacy-v2')).toMatchObject({ sent: 1, failed: 1 });
  });

  it('skips recipients already sent, and reports a message whose recipient is in flight elsewhere', async () => {
    const { deps, store } = setup();
    store.recipients.set('done', { status: 'sent' });
    store.recipients.set('busy', { status: 'sending', attempt: 'other' });

    const result = await sendBatch(deps, [record('q1', ['done']), record('q2', ['busy'])]);

    expect(ses.commandCalls(SendBulkEmailCommand)).toHaveLength(0);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'q2' }]);
  });

  it('reports a malformed message without touching anything', async () => {
    const { deps } = setup();
    const result = await sendBatch(deps, [{ messageId: 'bad', body: '{"campaignId":"x"' }, { messageId: 'bad2', body: '{"kind":"notice"}' }]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'bad' }, { itemIdentifier: 'bad2' }]);
  });
});
