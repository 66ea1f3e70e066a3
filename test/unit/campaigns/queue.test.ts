import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ChoiceEventPublishError, EventBridgeChoicePublisher } from '../../../functions/campaigns/events.ts';
import { SqsQueue } from '../../../functions/campaigns/queue.ts';
import { instantTimers } from '../../../functions/core/clock.ts';

const sqs = mockClient(SQSClient);
const eventBridge = mockClient(EventBridgeClient);

describe('Class: SqsQueue', () => {
  beforeEach(() => sqs.reset());

  it('sends batches of 10 and sends again only the entries SQS refused, backing off on the injected timers', async () => {
    const timers = instantTimers(() => 0.5);
    const queue = new SqsQueue<{ n: number }>({ client: new SQSClient({ region: 'eu-west-1' }), queueUrl: 'https://sqs/q', timers });
    sqs.on(SendMessageBatchCommand).resolvesOnce({ Failed: [{ Id: '3', Code: 'x', SenderFault: false }] }).resolves({});

    await queue.send(Array.from({ length: 12 }, (_, n) => ({ n })));

    const sizes = sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input.Entries!.length);
    expect(sizes).toEqual([10, 1, 2]);
    expect(timers.slept).toEqual([50]);
  });

  it('gives up after 6 attempts', async () => {
    const queue = new SqsQueue({ client: new SQSClient({ region: 'eu-west-1' }), queueUrl: 'https://sqs/q', timers: instantTimers() });
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [{ Id: '0', Code: 'x', SenderFault: false }] });
    await expect(queue.send([{}])).rejects.toThrow('SQS kept refusing 1 messages');
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(6);
  });
});

describe('Class: EventBridgeChoicePublisher', () => {
  beforeEach(() => eventBridge.reset());
  const event = { eventId: 'e', campaignId: 'c', noticeId: 'n', version: 2, accountId: 'a', region: 'eea', option: 'delete' as const, cutoffDate: '2027-02-01', defaulted: false, seq: 1, at: '2026-12-01T00:00:00.000Z' };

  it('publishes the refused entries again, then reports them after 4 attempts', async () => {
    const timers = instantTimers(() => 0.5);
    const publisher = new EventBridgeChoicePublisher({ client: new EventBridgeClient({ region: 'eu-west-1' }), eventBusName: 'bus', timers });
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'x' }] });

    await expect(publisher.publish([event])).rejects.toBeInstanceOf(ChoiceEventPublishError);

    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(4);
    expect(timers.slept).toEqual([100, 200, 400]);
  });
});
