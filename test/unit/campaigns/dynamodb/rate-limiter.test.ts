import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CampaignConfigurationError } from '../../../../functions/campaigns/errors.ts';
import { PacedRateLimiter } from '../../../../functions/campaigns/dynamodb/rate-limiter.ts';
import { fixedClock, instantTimers } from '../../../../functions/core/clock.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'condition', $metadata: {} });
const NOW = Date.parse('2026-11-29T12:00:00.250Z');

describe('Class: PacedRateLimiter', () => {
  beforeEach(() => ddb.reset());

  describe('Method: acquire', () => {
    it('on an idle quota, reserves from now with one conditional write and does not wait', async () => {
      ddb.on(UpdateCommand).resolves({});
      const waits: number[] = [];
      const limiter = new PacedRateLimiter({ client, tableName: 't', ratePerSecond: 100, clock: fixedClock(new Date(NOW)), timers: { sleep: async (ms) => void waits.push(ms), random: () => 0.5 } });

      const start = await limiter.acquire(50);

      expect(start).toBe(NOW);
      expect(waits).toEqual([]);
      const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
      expect(input.Key).toEqual({ pk: 'RATE#ses', sk: 'GCRA' });
      expect(input.ConditionExpression).toBe('attribute_not_exists(#tat) OR #tat < :now');
      // 50 recipients at 100/s take half a second of the quota.
      expect(input.ExpressionAttributeValues).toEqual({ ':end': NOW + 500, ':now': NOW });
    });

    it('on a busy quota, appends behind the last reservation and waits until its start', async () => {
      ddb.on(UpdateCommand).resolves({}).on(UpdateCommand, { ConditionExpression: '#tat >= :now' }).resolves({ Attributes: { tat: NOW + 1200 } });
      const clock = fixedClock(new Date(NOW));
      const waits: number[] = [];
      const limiter = new PacedRateLimiter({ client, tableName: 't', ratePerSecond: 100, clock, timers: { sleep: async (ms) => void waits.push(ms), random: () => 0.5 } });

      await limiter.acquire(10); // idle: from now
      const start = await limiter.acquire(20); // busy now: behind, 200 ms of quota ending at +1200

      expect(start).toBe(NOW + 1000);
      expect(waits).toEqual([1000]);
      const second = ddb.commandCalls(UpdateCommand)[1]!.args[0].input;
      expect(second.UpdateExpression).toBe('SET #tat = #tat + :duration');
      expect(second.ExpressionAttributeValues).toEqual({ ':duration': 200, ':now': NOW });
    });

    it('switches form when the quota turned out busy (or idle) meanwhile', async () => {
      ddb
        .on(UpdateCommand, { ConditionExpression: 'attribute_not_exists(#tat) OR #tat < :now' })
        .rejects(conditionFailed())
        .on(UpdateCommand, { ConditionExpression: '#tat >= :now' })
        .resolves({ Attributes: { tat: NOW + 300 } });
      const waits: number[] = [];
      const limiter = new PacedRateLimiter({ client, tableName: 't', ratePerSecond: 50, clock: fixedClock(new Date(NOW)), timers: { sleep: async (ms) => void waits.push(ms), random: () => 0.5 } });

      const start = await limiter.acquire(5);

      expect(start).toBe(NOW + 200);
      expect(waits).toEqual([200]);
      expect(ddb.commandCalls(UpdateCommand)).toHaveLength(2);
    });

    it('gives up with an error when the item is fought over round after round', async () => {
      ddb.on(UpdateCommand).rejects(conditionFailed());
      const limiter = new PacedRateLimiter({ client, tableName: 't', ratePerSecond: 50, clock: fixedClock(new Date(NOW)), timers: instantTimers() });
      await expect(limiter.acquire(5)).rejects.toThrow(/no reservation/);
    });

    it('refuses an acquisition larger than one SES call may be (it would break the pacing)', async () => {
      const limiter = new PacedRateLimiter({ client, tableName: 't', ratePerSecond: 1000, clock: fixedClock(new Date(NOW)) });
      await expect(limiter.acquire(51)).rejects.toBeInstanceOf(CampaignConfigurationError);
      expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    });

    it('passes other DynamoDB errors through', async () => {
      ddb.on(UpdateCommand).rejects(new Error('ProvisionedThroughputExceeded'));
      const limiter = new PacedRateLimiter({ client, tableName: 't', ratePerSecond: 10, clock: fixedClock(new Date(NOW)) });
      await expect(limiter.acquire(1)).rejects.toThrow('ProvisionedThroughputExceeded');
    });
  });

  it('fails fast on a quota below 1', () => {
    expect(() => new PacedRateLimiter({ client, tableName: 't', ratePerSecond: 0, clock: fixedClock(new Date(NOW)) })).toThrow(CampaignConfigurationError);
  });
});
