/**
 * The planner on a real engine (dynalite, or DynamoDB Local in CI's second run): a shard larger
 * than a page, in several languages, so the middle checkpoints carry accounts to the next page.
 * The mocked store test could not see that such a checkpoint's update expression was invalid.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbCampaignStore } from '../../functions/campaigns/dynamodb/campaign-store.ts';
import type { SendMessage } from '../../functions/campaigns/messages.ts';
import { planShard } from '../../functions/campaigns/planner.ts';
import { fixedClock } from '../../functions/core/clock.ts';
import { shardOf } from '../../functions/ledger/keys.ts';
import { campaignOf } from '../unit/campaigns/campaign-fixture.ts';
import { seedAccounts, type SeededAccount } from './campaign-seed.ts';
import { startTestTable, type TestTable } from './engines.ts';

describe('Function: planShard on a real engine', () => {
  let table: TestTable;
  const campaign = campaignOf();
  // 140 EEA accounts of one shard in three languages: pages of 25 leave a carry on every middle page.
  const accounts: SeededAccount[] = [];
  for (let i = 0; accounts.length < 140; i++) {
    const accountId = `acct-${i}`;
    if (shardOf(accountId) === 5) accounts.push({ accountId, region: 'eea', language: ['de', 'fr', 'en'][i % 3]!, version: 1, email: `${accountId}@example.test` });
  }

  beforeAll(async () => {
    table = await startTestTable();
    await seedAccounts(table.documentClient, table.tableName, accounts);
  }, 60_000);
  afterAll(async () => table?.stop());

  it('plans every account of the shard once, page by page, and counts the audience exactly', async () => {
    const store = new DynamoDbCampaignStore({ tableName: table.tableName, client: table.documentClient });
    await store.createCampaign(campaign);
    const sent: SendMessage[] = [];
    const result = await planShard(
      { store, audience: table.store, sendQueue: { send: async (messages) => void sent.push(...messages) }, clock: fixedClock('2026-11-29T12:00:00.000Z'), pageSize: 25 },
      { campaignId: campaign.campaignId, region: 'eea', shard: 5 },
    );
    expect(result).toMatchObject({ done: true, members: 140 });
    expect(result.pages).toBeGreaterThanOrEqual(6);
    const planned = sent.flatMap((m) => m.accountIds);
    expect(planned).toHaveLength(140);
    expect(new Set(planned)).toEqual(new Set(accounts.map((a) => a.accountId)));
    // One language per message, and the plan is done with the exact audience.
    for (const message of sent) for (const id of message.accountIds) expect(accounts.find((a) => a.accountId === id)!.language).toBe(message.language);
    expect(await store.getPlan(campaign.campaignId, 'eea', 5)).toMatchObject({ done: true });
    expect((await store.snapshot(campaign.campaignId))!.counters.audience).toBe(140);
  });
});
