/**
 * A recipient's send facts on the real engine (`functions/ledger/send-facts.ts`): the sender writes
 * one item per SES call (what it handed to SES, then what SES accepted) and the SES-events handler
 * a delivery log per call, never the recipient items; every reader still sees a `sent`, delivered
 * recipient: the recipient store, the sweeps, the recount, the account's `notified` and history,
 * the export, and a redelivered claim (done, never sent again).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbCampaignStore } from '../../functions/campaigns/dynamodb/campaign-store.ts';
import { callIdOf } from '../../functions/campaigns/dynamodb/keys.ts';
import { countRecipients } from '../../functions/campaigns/dynamodb/recount.ts';
import { DynamoDbRecipientStore } from '../../functions/campaigns/dynamodb/recipient-store.ts';
import { DynamoDbSweepStore } from '../../functions/campaigns/dynamodb/sweep-store.ts';
import { recordSesEvents } from '../../functions/campaigns/record-ses-events.ts';
import { recipientId } from '../../functions/campaigns/ports.ts';
import { instantTimers, systemClock } from '../../functions/core/clock.ts';
import { shardOf } from '../../functions/ledger/keys.ts';
import { campaignOf } from '../unit/campaigns/campaign-fixture.ts';
import { startTestTable, type TestTable } from './engines.ts';

const campaign = campaignOf();
const NOW = Date.parse('2026-11-29T12:00:00Z');
const ACCOUNTS = ['f1', 'f2', 'f3', 'f4'];
const ATTEMPT = 'att-facts';
const CALL = callIdOf(ATTEMPT, 0);
const claim = (recipients: DynamoDbRecipientStore, accountId: string, kind: 'notice' | 'reminder', attemptId: string, now = NOW) =>
  recipients.claimRecipient({ campaignId: campaign.campaignId, accountId, kind, attemptId, region: 'eea', language: 'en', now, leaseMs: 60_000, inDoubtGraceMs: 60_000 });

describe('Campaigns: send facts on the call items, read back by every reader', () => {
  let table: TestTable;
  let recipients: DynamoDbRecipientStore;
  let campaigns: DynamoDbCampaignStore;
  const deps = () => ({ campaigns, recipients, ledger: table.store, clock: systemClock, timers: instantTimers() });
  const delivery = (accountId: string, extra: object = {}) => ({
    campaignId: campaign.campaignId,
    accountId,
    event: 'Delivery',
    messageId: `ses-${accountId}`,
    at: '2026-11-29T12:00:05.000Z',
    kind: 'notice' as const,
    callId: CALL,
    ...extra,
  });

  beforeAll(async () => {
    table = await startTestTable();
    recipients = new DynamoDbRecipientStore({ tableName: table.tableName, client: table.documentClient });
    campaigns = new DynamoDbCampaignStore({ tableName: table.tableName, client: table.documentClient });
    await campaigns.createCampaign(campaign);
    for (const accountId of ACCOUNTS) {
      await table.store.advanceState({ kind: 'acceptance', accountId, noticeId: 'privacy', version: 1, region: 'eea', language: 'en', contentHash: '0'.repeat(64), at: '2026-06-01T00:00:00.000Z', source: { channel: 'test' } });
      expect((await claim(recipients, accountId, 'notice', ATTEMPT)).kind).toBe('claimed');
    }
    // One call for the four (they span shards: one item per shard), SES takes three; f4 is left in doubt.
    const call = { campaignId: campaign.campaignId, callId: CALL, kind: 'notice' as const };
    await recipients.markSubmitted(call, ACCOUNTS, NOW + 3_600_000);
    await recipients.recordAccepted(call, ['f1', 'f2', 'f3'].map((accountId) => ({ accountId, messageId: `ses-${accountId}`, at: '2026-11-29T12:00:01.000Z' })));
  });
  afterAll(async () => table?.stop());

  it('keeps the recipient items as the claim left them, and answers them sent through the store', async () => {
    const raw = await table.documentClient.send(new (await import('@aws-sdk/lib-dynamodb')).GetCommand({ TableName: table.tableName, Key: { pk: `CMP#${campaign.campaignId}#R#${String(shardOf('f1')).padStart(2, '0')}`, sk: 'ACCT#f1' } }));
    expect(raw.Item?.['status']).toBe('sending');

    const read = await recipients.getRecipients(ACCOUNTS.map((accountId) => ({ campaignId: campaign.campaignId, accountId })));
    expect(ACCOUNTS.map((accountId) => read.get(recipientId(campaign.campaignId, accountId))?.notice.status)).toEqual(['sent', 'sent', 'sent', 'sending']);
    expect(await recipients.getRecipient(campaign.campaignId, 'f1')).toMatchObject({ status: 'sent', messageId: 'ses-f1', sentAt: '2026-11-29T12:00:01.000Z' });
  });

  it('keeps each delivery once in the call\'s log, counting it once, however often the event comes', async () => {
    const before = (await campaigns.snapshot(campaign.campaignId))!.counters.delivered;
    expect((await recordSesEvents(deps(), [delivery('f1'), delivery('f2'), delivery('f1')])).changed).toEqual([true, true, false]);
    expect((await recordSesEvents(deps(), [delivery('f1'), delivery('f2')])).changed).toEqual([false, false]);
    expect((await campaigns.snapshot(campaign.campaignId))!.counters.delivered - before).toBe(2);
    expect(await recipients.getRecipient(campaign.campaignId, 'f2')).toMatchObject({ status: 'sent', deliveredAt: '2026-11-29T12:00:05.000Z', deliveredMessageId: 'ses-f2' });
  });

  it('keeps a bounce of an accepted email on the recipient item, which stays `sending` and reads `sent`', async () => {
    await recordSesEvents(deps(), [{ ...delivery('f3'), event: 'Bounce', bounce: { type: 'Permanent', subType: 'General' } }]);
    expect(await recipients.getRecipient(campaign.campaignId, 'f3')).toMatchObject({ status: 'sent', bouncedMessageId: 'ses-f3' });
  });

  it('settles a recipient its call never recorded from the email\'s first event (the crash path), counting it sent', async () => {
    const before = (await campaigns.snapshot(campaign.campaignId))!.counters.sent ?? 0;
    await recordSesEvents(deps(), [delivery('f4', { messageId: 'ses-f4', sentAt: '2026-11-29T12:00:02.000Z' })]);
    expect(await recipients.getRecipient(campaign.campaignId, 'f4')).toMatchObject({ status: 'sent', messageId: 'ses-f4', deliveredAt: '2026-11-29T12:00:05.000Z' });
    expect(((await campaigns.snapshot(campaign.campaignId))!.counters.sent ?? 0) - before).toBe(1);
  });

  it('gives the account its `notified`, and its history and the export their sent and delivered records', async () => {
    expect((await table.store.getState('f1', 'privacy'))?.notified).toMatchObject({ campaignId: campaign.campaignId, at: '2026-11-29T12:00:01.000Z' });
    const history = (await table.store.listAccountEvidence('f1')).filter((item) => item.kind === 'notification').map((item) => `${'event' in item ? item.event : ''} ${'messageId' in item ? item.messageId : ''}`);
    expect(history).toEqual(['sent ses-f1', 'delivered ses-f1']);
    const exported = (await table.store.listCampaignNotificationEvidence({ noticeId: 'privacy', shard: shardOf('f2') })).items.filter((item) => item.accountId === 'f2');
    expect(exported.map((item) => 'event' in item && item.event)).toEqual(['sent', 'delivered']);
  });

  it('lets the sweeps and the recount see them sent and delivered', async () => {
    const sweeps = new DynamoDbSweepStore({ tableName: table.tableName, client: table.documentClient });
    const page = await sweeps.recipients(campaign.campaignId, shardOf('f1'));
    expect(page.items.find((item) => item.accountId === 'f1')?.status).toBe('sent');
    const truth = await countRecipients({ client: table.documentClient, tableName: table.tableName }, campaign);
    expect(truth).toMatchObject({ sent: 4, delivered: 3, bounced: 1 });
  });

  it('never sends again: a redelivered notice is done, long after any lease and grace; its reminder is claimed', async () => {
    const later = NOW + 86_400_000;
    expect(await claim(recipients, 'f1', 'notice', 'att-redelivered', later)).toEqual({ kind: 'done', status: 'sent' });
    expect((await claim(recipients, 'f1', 'reminder', 'att-reminder', later)).kind).toBe('claimed');
    expect(await recipients.getRecipient(campaign.campaignId, 'f1')).toMatchObject({ status: 'sent', reminderStatus: 'sending' });
  });

  it('keeps a Delivery that overtook its call\'s acceptance in the call\'s log when the acceptance lands while the handler reads (no crash path, no write on the recipient)', async () => {
    // Prepare: f5 claimed and handed to SES; SES's event comes before the sender's acceptance write
    await table.store.advanceState({ kind: 'acceptance', accountId: 'f5', noticeId: 'privacy', version: 1, region: 'eea', language: 'en', contentHash: '0'.repeat(64), at: '2026-06-01T00:00:00.000Z', source: { channel: 'test' } });
    expect((await claim(recipients, 'f5', 'notice', 'att-race', Date.now())).kind).toBe('claimed');
    const call = { campaignId: campaign.campaignId, callId: callIdOf('att-race', 0), kind: 'notice' as const };
    await recipients.markSubmitted(call, ['f5'], Date.now() + 3_600_000);
    // The handler's first read of the call misses the acceptance, which lands right after it.
    let reads = 0;
    const racing = {
      getRecipients: recipients.getRecipients.bind(recipients),
      settleSent: recipients.settleSent.bind(recipients),
      recordOutcome: recipients.recordOutcome.bind(recipients),
      recordDeliveries: recipients.recordDeliveries.bind(recipients),
      acceptedInCalls: async (calls: Parameters<DynamoDbRecipientStore['acceptedInCalls']>[0]) => {
        const answer = await recipients.acceptedInCalls(calls);
        if (reads++ === 0) await recipients.recordAccepted(call, [{ accountId: 'f5', messageId: 'ses-f5', at: '2026-11-29T12:00:01.000Z' }]);
        return answer;
      },
    };
    const before = (await campaigns.snapshot(campaign.campaignId))!.counters;

    // Act
    const result = await recordSesEvents({ ...deps(), recipients: racing, awaitLiveAttemptsMs: 3000 }, [delivery('f5', { callId: call.callId })]);

    // Assert: one delivery counted from the call's log; the recipient item holds only the claim
    expect(result.changed).toEqual([true]);
    expect(reads).toBeGreaterThanOrEqual(2);
    const after = (await campaigns.snapshot(campaign.campaignId))!.counters;
    expect({ sent: (after.sent ?? 0) - (before.sent ?? 0), delivered: after.delivered - before.delivered }).toEqual({ sent: 0, delivered: 1 });
    const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
    const raw = await table.documentClient.send(new GetCommand({ TableName: table.tableName, Key: { pk: `CMP#${campaign.campaignId}#R#${String(shardOf('f5')).padStart(2, '0')}`, sk: 'ACCT#f5' } }));
    expect(raw.Item).toMatchObject({ status: 'sending' });
    expect(raw.Item?.['deliveredAt']).toBeUndefined();
    expect(await recipients.getRecipient(campaign.campaignId, 'f5')).toMatchObject({ status: 'sent', messageId: 'ses-f5', deliveredAt: '2026-11-29T12:00:05.000Z' });
  });
});
