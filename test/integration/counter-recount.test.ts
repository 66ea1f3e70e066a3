/** Exact counters: the recount from the recipient items on a real engine (dynalite, or DynamoDB Local in CI's second run). */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbCampaignStore } from '../../functions/campaigns/dynamodb/campaign-store.ts';
import { recipientKey } from '../../functions/campaigns/dynamodb/keys.ts';
import { reconcileCounters, recountIfUnsettled } from '../../functions/campaigns/dynamodb/recount.ts';
import { AUDIENCE_SHARDS } from '../../functions/ledger/types.ts';
import { campaignOf } from '../unit/campaigns/campaign-fixture.ts';
import { startTestTable, type TestTable } from './engines.ts';

const AT = '2026-11-29T12:00:00.000Z';

describe('Function: recountIfUnsettled / reconcileCounters', () => {
  let table: TestTable;
  let store: DynamoDbCampaignStore;
  const campaign = campaignOf();
  const db = () => ({ client: table.documentClient, tableName: table.tableName });

  beforeAll(async () => {
    table = await startTestTable();
    store = new DynamoDbCampaignStore({ tableName: table.tableName, client: table.documentClient });
    await store.createCampaign(campaign);
    // Seven recipients planned: all plans done.
    for (const { region } of campaign.regions) {
      for (let shard = 0; shard < AUDIENCE_SHARDS; shard++) await store.advancePlan(campaign.campaignId, region, shard, 0, { audience: region === 'eea' && shard === 0 ? 7 : 0, at: AT });
    }
    const recipients: [string, string, Record<string, unknown>][] = [
      ['a1', 'eea', { status: 'sent', deliveredAt: AT }],
      ['a2', 'eea', { status: 'sent', reminderStatus: 'sent' }],
      ['a3', 'eea', { status: 'sent' }],
      ['a4', 'us', { status: 'sent' }],
      ['a5', 'us', { status: 'sent', bouncedAt: AT }],
      ['a6', 'eea', { status: 'failed', failedAt: AT }],
      ['a7', 'eea', { status: 'sending' }],
    ];
    for (const [accountId, region, fields] of recipients) {
      await table.documentClient.send(new PutCommand({ TableName: table.tableName, Item: { ...recipientKey(campaign.campaignId, accountId), accountId, campaignId: campaign.campaignId, region, ...fields } }));
    }
    // Counted before a crash lost two `sent` counts and the bounce.
    await store.addCounters(campaign.campaignId, 3, { sent: 2, informational: 1, delivered: 1, failed: 1, reminded: 1 });
  }, 60_000);

  afterAll(async () => {
    await table?.stop();
  });

  it('recounts a campaign whose counts fall short of its audience; recounting again changes nothing', async () => {
    expect(await recountIfUnsettled(db(), campaign)).toBe(true);
    const { counters } = (await store.snapshot(campaign.campaignId))!;
    expect(counters).toMatchObject({ audience: 7, sent: 5, informational: 2, reminded: 1, delivered: 1, bounced: 1, failed: 1 });
    // 5 sent + 1 failed < 7 (a7 still sending): unsettled still, recounted again, and the same.
    expect(await recountIfUnsettled(db(), campaign)).toBe(true);
    expect((await store.snapshot(campaign.campaignId))!.counters).toEqual(counters);
  });

  it('leaves a settled campaign alone, and a repeated reconcile writes the same correction', async () => {
    await table.documentClient.send(
      new PutCommand({ TableName: table.tableName, Item: { ...recipientKey(campaign.campaignId, 'a7'), accountId: 'a7', campaignId: campaign.campaignId, region: 'eea', status: 'sent' } }),
    );
    await store.addCounters(campaign.campaignId, 5, { sent: 1 });
    expect(await recountIfUnsettled(db(), campaign)).toBe(false);
    const first = await reconcileCounters(db(), campaign);
    expect(await reconcileCounters(db(), campaign)).toEqual(first);
    expect((await store.snapshot(campaign.campaignId))!.counters).toMatchObject({ sent: 6, failed: 1, audience: 7 });
  });

  it('counts a late enrolee once when the planner had queued it too (its item says `planned`), and one only the late step found', async () => {
    // a8: the late-enrolment step enrolled it (+1) while the planner's message for it waited: both counted it.
    // a9: accepted after its shard was planned: only the late step counted it.
    // The planner's page that held a8 (one more checkpoint of a planned shard).
    expect(await store.advancePlan(campaign.campaignId, 'eea', 1, 1, { audience: 1, at: AT })).toBe(true);
    await table.documentClient.send(
      new PutCommand({ TableName: table.tableName, Item: { ...recipientKey(campaign.campaignId, 'a8'), accountId: 'a8', campaignId: campaign.campaignId, region: 'eea', status: 'sent', late: true, planned: true } }),
    );
    await table.documentClient.send(
      new PutCommand({ TableName: table.tableName, Item: { ...recipientKey(campaign.campaignId, 'a9'), accountId: 'a9', campaignId: campaign.campaignId, region: 'eea', status: 'sent', late: true } }),
    );
    await store.addCounters(campaign.campaignId, 6, { audience: 2, sent: 2 });
    // 10 counted for 9 accounts (a1–a9): unsettled (more audience than sends and failures), recounted.
    expect((await store.snapshot(campaign.campaignId))!.counters.audience).toBe(10);
    expect(await recountIfUnsettled(db(), campaign)).toBe(true);
    expect((await store.snapshot(campaign.campaignId))!.counters).toMatchObject({ audience: 9, sent: 8, failed: 1 });
    expect(await recountIfUnsettled(db(), campaign)).toBe(false);
  });
});
