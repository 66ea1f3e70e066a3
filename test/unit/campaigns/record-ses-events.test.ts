import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbCampaignStore } from '../../../functions/campaigns/dynamodb/campaign-store.ts';
import { recipientKey } from '../../../functions/campaigns/dynamodb/keys.ts';
import { DynamoDbRecipientStore } from '../../../functions/campaigns/dynamodb/recipient-store.ts';
import { recordSesEvents, type SesEventInput, type SesEventsDeps } from '../../../functions/campaigns/record-ses-events.ts';
import { systemClock, instantTimers } from '../../../functions/core/clock.ts';
import { DynamoDbAcceptanceStore } from '../../../functions/ledger/dynamodb-store.ts';
import { campaignOf } from './campaign-fixture.ts';

// The use case over the real DynamoDB adapters on a mocked client: the request counts are what is pinned.
const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'no', $metadata: {} });
const campaign = campaignOf({ regions: [{ region: 'eea', notification: 'choice', options: ['accept', 'keep-previous', 'delete'] }] });
const record = (events: readonly SesEventInput[], options: Partial<Pick<SesEventsDeps, 'awaitLiveAttemptsMs' | 'timers'>> = {}) =>
  recordSesEvents(
    {
      campaigns: new DynamoDbCampaignStore({ tableName: 't', client }),
      recipients: new DynamoDbRecipientStore({ tableName: 't', client, timers: instantTimers() }),
      ledger: new DynamoDbAcceptanceStore({ tableName: 't', client, timers: instantTimers() }),
      clock: systemClock,
      timers: instantTimers(),
      ...options,
    },
    events,
  ).then((result) => result.changed);

describe('Use case: SES events', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(GetCommand).resolves({});
    ddb.on(GetCommand, { Key: { pk: 'CMP#privacy-v2', sk: 'META' } }).resolves({ Item: { pk: 'CMP#privacy-v2', sk: 'META', ...campaign } });
    ddb.on(BatchWriteCommand).resolves({});
    ddb.on(BatchGetCommand).resolves({ Responses: { t: [] } });
  });

describe('Function: recordSesEvents', () => {
  const event = (e: string, accountId = 'a1') => ({ campaignId: 'privacy-v2', accountId, event: e, messageId: 'm1', at: '2026-11-29T12:00:00Z', kind: 'notice' as const });

  it('ignores event types it does not track', async () => {
    expect(await record([event('Open')])).toEqual([false]);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('counts a delivery once: a redelivered event fails the condition and adds nothing', async () => {
    ddb.on(UpdateCommand).rejectsOnce(conditionFailed());
    expect(await record([event('Delivery')])).toEqual([false]);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
  });

  it('reads the recipients of Send events in one BatchGet and writes none the sender already marked sent', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { t: [{ ...recipientKey('privacy-v2', 'a1'), status: 'sent' }, { ...recipientKey('privacy-v2', 'a2'), status: 'sent' }] } });
    expect(await record([event('Send'), event('Send', 'a2')])).toEqual([false, false]);
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(1);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('gives a live attempt time to mark its own send, and writes nothing when it does', async () => {
    const sending = { ...recipientKey('privacy-v2', 'a1'), status: 'sending', leaseUntil: Date.now() + 60_000 };
    ddb.on(BatchGetCommand).resolvesOnce({ Responses: { t: [sending] } }).resolvesOnce({ Responses: { t: [sending] } }).resolves({ Responses: { t: [{ ...sending, status: 'sent' }] } });
    const waits: number[] = [];

    expect(await record([event('Send')], { awaitLiveAttemptsMs: 3000, timers: { sleep: async (ms) => void waits.push(ms), random: () => 0.5 } })).toEqual([false]);

    expect(waits).toEqual([500, 500]);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('settles a Send itself once the wait is over and the attempt still has not marked it', async () => {
    const sending = { ...recipientKey('privacy-v2', 'a1'), status: 'sending', leaseUntil: Date.now() + 60_000, region: 'eea' };
    ddb.on(BatchGetCommand).resolves({ Responses: { t: [sending] } });
    ddb.on(UpdateCommand).resolves({});
    const waits: number[] = [];

    expect(await record([event('Send')], { awaitLiveAttemptsMs: 1200, timers: { sleep: async (ms) => void waits.push(ms), random: () => 0.5 } })).toEqual([true]);

    expect(waits).toEqual([500, 500, 200]);
    const transition = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(transition.ConditionExpression).toBe('#status = :sending');
  });

  it('keeps the Delivery of a notice its sender marked with one write and no read', async () => {
    ddb.on(UpdateCommand).resolves({});
    expect(await record([event('Delivery')])).toEqual([true]);
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(0);
    expect(ddb.commandCalls(GetCommand).filter((call) => String(call.args[0].input.Key!['sk']).startsWith('ACCT#'))).toHaveLength(0);
    const outcome = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(outcome.ConditionExpression).toContain('#status <> :sending');
  });

  it('settles a notice still `sending` from its first event (SES sends no Send), sent when SES accepted it, then keeps the outcome', async () => {
    const sending = { ...recipientKey('privacy-v2', 'a1'), status: 'sending', leaseUntil: 0, region: 'eea' };
    const outcomeCondition = { Key: recipientKey('privacy-v2', 'a1'), UpdateExpression: 'SET #at = :at, #eventMessageId = :messageId' };
    ddb.on(UpdateCommand).resolves({});
    ddb.on(UpdateCommand, outcomeCondition).rejectsOnce(conditionFailed()).resolves({});
    ddb.on(GetCommand, { Key: recipientKey('privacy-v2', 'a1') }).resolves({ Item: { status: 'sending' } });
    ddb.on(BatchGetCommand).resolves({ Responses: { t: [sending] } });

    expect(await record([{ ...event('Delivery'), at: '2026-11-29T12:00:03Z', sentAt: '2026-11-29T12:00:00Z' }])).toEqual([true]);

    const writes = ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    const settle = writes.find((input) => input.ConditionExpression === '#status = :sending')!;
    expect(settle.ExpressionAttributeValues).toMatchObject({ ':to': 'sent', ':messageId': 'm1', ':at': '2026-11-29T12:00:00Z' });
    expect(writes.filter((input) => input.UpdateExpression === outcomeCondition.UpdateExpression)).toHaveLength(2);
    const counter = writes.find((input) => String(input.Key!['sk']).startsWith('CNT#'))!;
    const added = Object.fromEntries(Object.entries(counter.ExpressionAttributeNames!).filter(([name]) => name.startsWith('#c')).map(([name, field]) => [field, counter.ExpressionAttributeValues![name.replace('#', ':')]]));
    expect(added).toEqual({ sent: 1, delivered: 1 });
  });

  it('settles a recipient its attempt left `sending` from a DeliveryDelay, which is no evidence of its own', async () => {
    const sending = { ...recipientKey('privacy-v2', 'a1'), status: 'sending', leaseUntil: 0, region: 'eea' };
    ddb.on(BatchGetCommand).resolves({ Responses: { t: [sending] } });
    ddb.on(UpdateCommand).resolves({});

    expect(await record([event('DeliveryDelay')])).toEqual([true]);

    expect(ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input.ConditionExpression)).toContain('#status = :sending');
    expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });

  it('adds the counts of a whole batch in one write per campaign', async () => {
    ddb.on(UpdateCommand).resolves({});
    expect(await record([event('Delivery'), event('Delivery', 'a2'), event('Bounce', 'a3')])).toEqual([true, true, true]);
    const counterWrites = ddb.commandCalls(UpdateCommand).filter((call) => String(call.args[0].input.Key!['sk']).startsWith('CNT#'));
    expect(counterWrites).toHaveLength(1);
    const input = counterWrites[0]!.args[0].input;
    // Two deliveries, one bounce, and that bounce again under its type (no bounce type in the event: undetermined).
    const added = Object.fromEntries(Object.entries(input.ExpressionAttributeNames!).filter(([name]) => name.startsWith('#c')).map(([name, field]) => [field, input.ExpressionAttributeValues![name.replace('#', ':')]]));
    expect(added).toEqual({ delivered: 2, bounced: 1, bouncedUndetermined: 1 });
  });
});

  it('ignores the events of a campaign it does not know, without a write', async () => {
    const result = await recordSesEvents(
      {
        campaigns: new DynamoDbCampaignStore({ tableName: 't', client }),
        recipients: new DynamoDbRecipientStore({ tableName: 't', client }),
        ledger: new DynamoDbAcceptanceStore({ tableName: 't', client }),
        clock: systemClock,
        timers: instantTimers(),
      },
      [{ campaignId: 'nope', accountId: 'a1', event: 'Delivery', messageId: 'm1', at: '2026-11-29T12:00:00Z' }],
    );
    expect(result).toEqual({ changed: [false], ignored: [true] });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });

  it('writes the settle of a Send it settles (no state write: notified is derived on read), and keeps each outcome on the recipient item with no evidence item of its own', async () => {
    const sending = { ...recipientKey('privacy-v2', 'a1'), status: 'sending', leaseUntil: 0, region: 'eea' };
    ddb.on(BatchGetCommand).resolves({ Responses: { t: [sending] } });
    ddb.on(UpdateCommand).resolves({});

    expect(await record([{ campaignId: 'privacy-v2', accountId: 'a1', event: 'Send', messageId: 'm1', at: '2026-11-29T12:00:00Z', kind: 'notice' }, { campaignId: 'privacy-v2', accountId: 'a2', event: 'Delivery', messageId: 'm2', at: '2026-11-29T12:00:01Z', kind: 'notice' }])).toEqual([true, true]);

    const keys = ddb.commandCalls(UpdateCommand).map((call) => String(call.args[0].input.Key!['sk']));
    expect(keys.filter((sk) => sk === 'STATE#privacy')).toHaveLength(0);
    expect(keys.filter((sk) => sk.startsWith('ACCT#'))).toHaveLength(2); // the settle and the delivery, each one conditional write
    expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });

  it('writes an outcome as evidence of its own only when the recipient item does not hold it: a reminder, another message, no recipient', async () => {
    // a1's item already holds a delivery of another message; a2 has no item
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand, { Key: recipientKey('privacy-v2', 'a1') }).resolves({ Item: { deliveredMessageId: 'm-first' } });
    const delivery = (accountId: string, messageId: string, kind: 'notice' | 'reminder' = 'notice') => ({ campaignId: 'privacy-v2', accountId, event: 'Delivery', messageId, at: '2026-11-29T12:00:01Z', kind });

    expect(await record([delivery('a1', 'm-second'), delivery('a2', 'm2'), delivery('a3', 'm3', 'reminder')])).toEqual([false, false, false]);

    const written = ddb.commandCalls(BatchWriteCommand).flatMap((call) => call.args[0].input.RequestItems!['t']!.map((r) => `${r.PutRequest!.Item!['accountId']} ${r.PutRequest!.Item!['messageId']}`));
    expect(written.sort()).toEqual(['a1 m-second', 'a2 m2', 'a3 m3']);
  });

  it('writes nothing more for a redelivered outcome the recipient item already holds', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand, { Key: recipientKey('privacy-v2', 'a1') }).resolves({ Item: { deliveredMessageId: 'm1' } });
    expect(await record([{ campaignId: 'privacy-v2', accountId: 'a1', event: 'Delivery', messageId: 'm1', at: '2026-11-29T12:00:00Z', kind: 'notice' }])).toEqual([false]);
    expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });
});
