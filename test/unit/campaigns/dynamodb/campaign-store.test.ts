import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbCampaignStore } from '../../../../functions/campaigns/dynamodb/campaign-store.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const store = new DynamoDbCampaignStore({ tableName: 't', client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })) });
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'no', $metadata: {} });
const AT = '2026-11-29T12:00:00.000Z';

describe('Class: DynamoDbCampaignStore', () => {
  beforeEach(() => ddb.reset());

  describe('Method: getCampaign (cache)', () => {
    const item = (run?: { status: string; at: string }) => ({ pk: 'CMP#privacy-v2', sk: 'META', campaignId: 'privacy-v2', status: 'started', ...(run ? { run } : {}) });

    it('serves a running campaign from its cache for a few seconds', async () => {
      const cached = new DynamoDbCampaignStore({ tableName: 't', client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })) });
      ddb.on(GetCommand).resolves({ Item: item() });
      await cached.getCampaign('privacy-v2');
      await cached.getCampaign('privacy-v2');
      expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
    });

    it('reads a paused campaign every time, so a resume is seen at once (a cached pause would park the resumed sends again)', async () => {
      const cached = new DynamoDbCampaignStore({ tableName: 't', client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })) });
      ddb.on(GetCommand).resolvesOnce({ Item: item({ status: 'paused', at: AT }) }).resolves({ Item: item({ status: 'running', at: AT }) });
      expect((await cached.getCampaign('privacy-v2'))?.run?.status).toBe('paused');
      expect((await cached.getCampaign('privacy-v2'))?.run?.status).toBe('running');
      expect(ddb.commandCalls(GetCommand)).toHaveLength(2);
    });
  });

  describe('Method: advancePlan', () => {
    it('checkpoints the cursor and adds the page to the audience in one conditional write', async () => {
      ddb.on(UpdateCommand).resolves({});
      expect(await store.advancePlan('privacy-v2', 'eea', 3, 2, { cursor: 'c3', audience: 400, at: AT })).toBe(true);
      const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
      expect(input.Key).toEqual({ pk: 'CMP#privacy-v2', sk: 'PLAN#eea#03' });
      expect(input.ConditionExpression).toBe('#page = :from');
      expect(input.UpdateExpression).toContain('ADD audience :n');
    });

    it('keeps the accounts carried to the next page in the same write, and drops them with the cursor on the last page', async () => {
      ddb.on(UpdateCommand).resolves({});
      await store.advancePlan('privacy-v2', 'eea', 3, 2, { cursor: 'c3', audience: 400, carry: { de: ['a1', 'a2'] }, at: AT });
      await store.advancePlan('privacy-v2', 'eea', 3, 3, { audience: 7, at: AT });
      const [middle, last] = ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input);
      expect(middle!.UpdateExpression).toContain('#carry = :carry');
      expect(middle!.ExpressionAttributeValues![':carry']).toEqual({ de: ['a1', 'a2'] });
      expect(last!.UpdateExpression).toMatch(/REMOVE #cursor, #carry$/);
    });

    it('is false when another planner already checkpointed that page (the count is not added twice)', async () => {
      ddb.on(UpdateCommand).rejects(conditionFailed());
      expect(await store.advancePlan('privacy-v2', 'eea', 3, 0, { audience: 10, at: AT })).toBe(false);
    });
  });

  describe('Method: advancePlan (clock)', () => {
    it('stamps the checkpoint with the instant the planner passes, never its own clock', async () => {
      ddb.on(UpdateCommand).resolves({});
      await store.advancePlan('privacy-v2', 'eea', 3, 0, { audience: 1, at: AT });
      expect(ddb.commandCalls(UpdateCommand)[0]!.args[0].input.ExpressionAttributeValues).toMatchObject({ ':now': AT });
    });
  });
});
