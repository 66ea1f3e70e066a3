import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CampaignConfigurationError } from '../../../functions/campaigns/errors.ts';
import { FixedWindowRateLimiter } from '../../../functions/campaigns/rate-limiter.ts';
import { fixedClock } from '../../../functions/core/clock.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const full = () => new ConditionalCheckFailedException({ message: 'full', $metadata: {} });

describe('Class: FixedWindowRateLimiter', () => {
  beforeEach(() => ddb.reset());

  describe('Method: acquire', () => {
    it('takes n units of the current one-second window with one conditional ADD', async () => {
      ddb.on(UpdateCommand).resolves({});
      const clock = fixedClock('2026-11-29T12:00:00.250Z');
      const limiter = new FixedWindowRateLimiter({ client, tableName: 't', limit: 1000, clock, sleep: async () => {} });

      await limiter.acquire(50);

      const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
      expect(input.Key).toEqual({ pk: 'RATE#ses', sk: String(Math.floor(Date.parse('2026-11-29T12:00:00.250Z') / 1000)) });
      expect(input.ConditionExpression).toBe('attribute_not_exists(#used) OR #used <= :room');
      expect(input.ExpressionAttributeValues).toMatchObject({ ':n': 50, ':room': 950 });
    });

    it('waits for the next window when the current one is full, then takes it there', async () => {
      ddb.on(UpdateCommand).rejectsOnce(full()).resolves({});
      const clock = fixedClock('2026-11-29T12:00:00.250Z');
      const waits: number[] = [];
      const limiter = new FixedWindowRateLimiter({
        client,
        tableName: 't',
        limit: 100,
        clock,
        random: () => 0,
        sleep: async (ms) => {
          waits.push(ms);
          clock.advance(ms);
        },
      });

      await limiter.acquire(50);

      expect(waits).toEqual([750]);
      const windows = ddb.commandCalls(UpdateCommand).map((call) => Number(call.args[0].input.Key!['sk']));
      expect(windows[1]).toBe(windows[0]! + 1);
    });

    it('refuses a request larger than the whole quota (it could never be served)', async () => {
      const limiter = new FixedWindowRateLimiter({ client, tableName: 't', limit: 10, clock: fixedClock('2026-11-29T12:00:00Z') });
      await expect(limiter.acquire(11)).rejects.toBeInstanceOf(CampaignConfigurationError);
    });

    it('passes other DynamoDB errors through', async () => {
      ddb.on(UpdateCommand).rejects(new Error('ProvisionedThroughputExceeded'));
      const limiter = new FixedWindowRateLimiter({ client, tableName: 't', limit: 10, clock: fixedClock('2026-11-29T12:00:00Z') });
      await expect(limiter.acquire(1)).rejects.toThrow('ProvisionedThroughputExceeded');
    });
  });

  it('fails fast on a quota below 1', () => {
    expect(() => new FixedWindowRateLimiter({ client, tableName: 't', limit: 0, clock: fixedClock('2026-11-29T12:00:00Z') })).toThrow(CampaignConfigurationError);
  });
});
