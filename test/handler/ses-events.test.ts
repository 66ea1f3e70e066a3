import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTagValue } from '../../functions/campaigns/ses-tags.ts';
import { DynamoDbCampaignStore } from '../../functions/campaigns/dynamodb/campaign-store.ts';
import { DynamoDbRecipientStore } from '../../functions/campaigns/dynamodb/recipient-store.ts';
import type { Campaign } from '../../functions/campaigns/model.ts';
import { systemClock, systemTimers } from '../../functions/core/clock.ts';
import { CHOICE_OPTION_IDS } from '../../functions/core/choice-options.ts';
import { makeHandler } from '../../functions/lambdas/ses-events.ts';
import { startTestTable, type TestTable } from '../integration/engines.ts';

const campaign: Campaign = {
  campaignId: 'privacy-v2',
  noticeId: 'privacy',
  version: 2,
  deadline: '2027-02-01T00:00:00.000Z',
  regions: [{ region: 'eea', notification: 'choice', options: CHOICE_OPTION_IDS }],
  createdAt: '2026-11-01T00:00:00.000Z',
  status: 'started',
};

const sesEvent = (eventType: string, accountId: string, messageId: string, extra: Record<string, unknown> = {}) => ({
  version: '0',
  id: `${eventType}-${messageId}`,
  'detail-type': `Email ${eventType}`,
  source: 'aws.ses',
  time: '2026-11-02T10:00:05Z',
  detail: {
    eventType,
    mail: {
      messageId,
      timestamp: '2026-11-02T10:00:00.000Z',
      tags: { campaign: ['privacy-v2'], account: [encodeTagValue(accountId)], kind: ['notice'] },
    },
    ...extra,
  },
});

/** An SQS batch as the EventBridge rule's queue delivers it: each body one EventBridge event. */
const batch = (...events: unknown[]) => ({ Records: events.map((e, i) => ({ messageId: `r${i}`, body: JSON.stringify(e) })) });

describe('Lambda: ses-events', () => {
  let table: TestTable;
  let campaigns: DynamoDbCampaignStore;
  let recipients: DynamoDbRecipientStore;
  let handler: ReturnType<typeof makeHandler>;

  const recipient = (accountId: string) => recipients.getRecipient('privacy-v2', accountId);
  /** The account's notification evidence as the evidence queries give it (EV#NTF items and what its recipient item holds). */
  const ntf = async (accountId: string) =>
    (await table.store.listAccountEvidence(accountId, { kind: 'notification' })).map((item) => (item.kind === 'notification' ? item.event : item.kind));

  beforeAll(async () => {
    table = await startTestTable();
    campaigns = new DynamoDbCampaignStore({ tableName: table.tableName, client: table.documentClient });
    recipients = new DynamoDbRecipientStore({ tableName: table.tableName, client: table.documentClient });
    await campaigns.createCampaign(campaign);
    for (const accountId of ['acct-1', 'acct/2 é', 'acct-3']) {
      await recipients.claimRecipient({ campaignId: 'privacy-v2', accountId, kind: 'notice', attemptId: 'a', region: 'eea', language: 'en', now: 0, leaseMs: 1, inDoubtGraceMs: 0 });
    }
    handler = makeHandler({ campaigns, recipients, ledger: table.store, clock: systemClock, timers: systemTimers, logger: new Logger({ serviceName: 'ses-events', logLevel: 'SILENT' }) });
  });
  afterAll(async () => table?.stop());

  it('reconciles a recipient left `sending` from its first event (no Send is published), then keeps the Delivery, each once under redelivery', async () => {
    // Act: every event delivered twice, in one batch and again in the next
    const delivery = sesEvent('Delivery', 'acct-1', 'm-1', { delivery: { timestamp: '2026-11-02T10:00:03.000Z' } });
    expect(await handler(batch(delivery, delivery))).toEqual({ batchItemFailures: [], recorded: 2, skipped: 0 });
    expect(await handler(batch(delivery))).toEqual({ batchItemFailures: [], recorded: 1, skipped: 0 });

    // Assess: sent when SES accepted it (the mail's timestamp), delivered at the delivery's
    expect(await recipient('acct-1')).toMatchObject({ status: 'sent', messageId: 'm-1', sentAt: '2026-11-02T10:00:00.000Z', deliveredAt: '2026-11-02T10:00:03.000Z' });
    expect((await ntf('acct-1')).sort()).toEqual(['delivered', 'sent']);
    expect((await campaigns.snapshot('privacy-v2'))?.counters).toMatchObject({ sent: 1, delivered: 1 });
  });

  it('records bounces and complaints for an encoded account id, and a Reject as failed', async () => {
    await handler(
      batch(
        sesEvent('Bounce', 'acct/2 é', 'm-2', { bounce: { bounceType: 'Permanent', timestamp: '2026-11-02T10:01:00.000Z' } }),
        sesEvent('Complaint', 'acct/2 é', 'm-2', { complaint: { timestamp: '2026-11-03T00:00:00.000Z' } }),
        sesEvent('Reject', 'acct-3', 'm-3'),
      ),
    );

    expect(await recipient('acct/2 é')).toMatchObject({ bouncedAt: '2026-11-02T10:01:00.000Z', complainedAt: '2026-11-03T00:00:00.000Z' });
    expect((await ntf('acct/2 é')).sort()).toEqual(['bounced', 'complained', 'sent']);
    // The Reject is acct-3's first event: SES had accepted the email, so it settles `sent` too.
    expect((await ntf('acct-3')).sort()).toEqual(['failed', 'sent']);
    expect((await campaigns.snapshot('privacy-v2'))?.counters).toMatchObject({ sent: 3, bounced: 1, complained: 1, failed: 1 });
  });

  it('skips events that are not ours without writing', async () => {
    // Prepare
    const before = await table.scanAll();
    const untagged = { detail: { eventType: 'Delivery', mail: { messageId: 'x', tags: {} } } };
    const opened = sesEvent('Open', 'acct-1', 'm-1');
    const unknownCampaign = { ...sesEvent('Delivery', 'acct-1', 'm-9'), detail: { ...sesEvent('Delivery', 'acct-1', 'm-9').detail, mail: { messageId: 'm-9', tags: { campaign: ['nope'], account: ['acct-1'] } } } };

    // Act / Assess
    const notJson = { Records: [{ messageId: 'x', body: '{not json' }] };
    expect(await handler(batch(untagged, opened, unknownCampaign, {}, { detail: null }))).toEqual({ batchItemFailures: [], recorded: 0, skipped: 5 });
    expect(await handler(notJson)).toEqual({ batchItemFailures: [], recorded: 0, skipped: 1 });
    expect(await table.scanAll()).toEqual(before);
  });

  it('reports only the event whose write fails again on its own; the rest of the batch is recorded', async () => {
    // Prepare: a recipient store that fails every outcome write naming acct-3 (as a throttled partition would)
    const failing = {
      getRecipients: recipients.getRecipients.bind(recipients),
      settleSent: recipients.settleSent.bind(recipients),
      acceptedInCalls: recipients.acceptedInCalls.bind(recipients),
      recordDeliveries: recipients.recordDeliveries.bind(recipients),
      recordOutcome: async (...args: Parameters<typeof recipients.recordOutcome>) => {
        if (args[1] === 'acct-3') throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
        return recipients.recordOutcome(...args);
      },
    };
    const partial = makeHandler({ campaigns, recipients: failing, ledger: table.store, clock: systemClock, timers: systemTimers, logger: new Logger({ serviceName: 'ses-events', logLevel: 'SILENT' }) });
    const delivered = (accountId: string, messageId: string) => sesEvent('Delivery', accountId, messageId, { delivery: { timestamp: '2026-11-02T10:00:04.000Z' } });

    // Act
    const response = await partial(batch(delivered('acct/2 é', 'm-2'), delivered('acct-3', 'm-3')));

    // Assess: r1 (acct-3) handed back for redelivery, r0 recorded
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'r1' }], recorded: 1, skipped: 0 });
    expect(await ntf('acct/2 é')).toContain('delivered');
    expect(await ntf('acct-3')).not.toContain('delivered');
  });
});
