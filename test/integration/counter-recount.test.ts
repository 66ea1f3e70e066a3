/** Exact counters: the recount from the recipient items on a real engine (dynalite, or DynamoDB Local in CI's second run). */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbCampaignStore } from '../../functions/campaigns/dynamodb/campaign-store.ts';
import { recipientKey } from '../../functions/campaigns/dynamodb/keys.ts';
import { dynamoDbCounterRecount, reconcileCounters, recountIfUnsettled } from '../../functions/campaigns/dynamodb/recount.ts';
import { DynamoDbSweepStore } from '../../functions/campaigns/dynamodb/sweep-store.ts';
import { recountStep, runSweeps, type SchedulerDeps } from '../../functions/campaigns/sweeps.ts';
import { compiledContent } from '../../functions/content/artifact.ts';
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

describe('Sweep step: recount, paged under the time budget', () => {
  let table: TestTable;
  let store: DynamoDbCampaignStore;
  const campaign = campaignOf();
  const RECIPIENTS = 40;

  beforeAll(async () => {
    table = await startTestTable();
    store = new DynamoDbCampaignStore({ tableName: table.tableName, client: table.documentClient });
    await store.createCampaign(campaign);
    for (const { region } of campaign.regions) {
      for (let shard = 0; shard < AUDIENCE_SHARDS; shard++) await store.advancePlan(campaign.campaignId, region, shard, 0, { audience: region === 'eea' && shard === 0 ? RECIPIENTS : 0, at: AT });
    }
    // Every recipient sent, every third delivered; a crash lost all but 10 of the sent counts.
    for (let i = 0; i < RECIPIENTS; i++) {
      const accountId = `r${i}`;
      await table.documentClient.send(
        new PutCommand({ TableName: table.tableName, Item: { ...recipientKey(campaign.campaignId, accountId), accountId, campaignId: campaign.campaignId, region: 'eea', status: 'sent', ...(i % 3 === 0 ? { deliveredAt: AT } : {}) } }),
      );
    }
    await store.addCounters(campaign.campaignId, 1, { sent: 10 });
  }, 60_000);
  afterAll(async () => table?.stop());

  it('walks the recipients a page at a time across invocations, each page once, and ends with exact counters', async () => {
    // A virtual invocation clock: each page costs 100 ms of a 1 s invocation.
    const recount = dynamoDbCounterRecount({ client: table.documentClient, tableName: table.tableName });
    let remaining = 0;
    const pages: string[] = [];
    const counting = {
      ...recount,
      tallyPage: async (...args: Parameters<typeof recount.tallyPage>) => {
        remaining -= 100;
        pages.push(`${args[1]}:${JSON.stringify(args[3] ?? null)}`);
        return recount.tallyPage(...args);
      },
    };
    // Only what the recount step reads of the scheduler's dependencies.
    const deps = { content: compiledContent, campaigns: store, sweeps: new DynamoDbSweepStore({ tableName: table.tableName, client: table.documentClient }), recount: counting, log: () => {} } as unknown as SchedulerDeps;
    const now = new Date('2026-12-01T00:00:00.000Z');

    const outcomes: string[] = [];
    for (let invocation = 0; invocation < 20; invocation++) {
      remaining = 1000;
      const report = await runSweeps({ ...deps, budget: { pageSize: 3, reserveMs: 0, firstPageMs: 100 } }, now, () => remaining, [recountStep]);
      outcomes.push(...report.walks.map((walk) => walk.outcome));
      if (!report.outOfTime) break;
    }

    expect(outcomes.filter((outcome) => outcome === 'partial').length).toBeGreaterThan(1);
    expect(outcomes.at(-1)).toBe('complete');
    expect(new Set(pages).size).toBe(pages.length); // no page read twice
    expect((await store.snapshot(campaign.campaignId))!.counters).toMatchObject({ sent: RECIPIENTS, delivered: 14 });
    // Settled now: the next run has no recount to do.
    const after = await runSweeps({ ...deps, budget: { pageSize: 3, reserveMs: 0, firstPageMs: 100 } }, now, () => 1000, [recountStep]);
    expect(after.walks).toEqual([]);
  });
});

describe('Sweep step: recount of choice counters, flagged by a repair', () => {
  let table: TestTable;
  let store: DynamoDbCampaignStore;
  const campaign = campaignOf();

  beforeAll(async () => {
    table = await startTestTable();
    store = new DynamoDbCampaignStore({ tableName: table.tableName, client: table.documentClient });
    await store.createCampaign(campaign);
    for (const { region } of campaign.regions) {
      for (let shard = 0; shard < AUDIENCE_SHARDS; shard++) await store.advancePlan(campaign.campaignId, region, shard, 0, { audience: region === 'eea' && shard === 0 ? 4 : 0, at: AT });
    }
    const marks: Record<string, unknown>[] = [
      { choice: 'accept', choiceSeq: 1, choiceDefaulted: false },
      { choice: 'delete', choiceSeq: 3, choiceDefaulted: false },
      { choice: 'keep-previous', choiceSeq: 1, choiceDefaulted: true },
      {},
    ];
    for (const [i, mark] of marks.entries()) {
      await table.documentClient.send(
        new PutCommand({ TableName: table.tableName, Item: { ...recipientKey(campaign.campaignId, `c${i}`), accountId: `c${i}`, campaignId: campaign.campaignId, region: 'eea', status: 'sent', ...mark } }),
      );
    }
    // Sends all counted (settled); a crash lost the `delete` count (the state moved, the ADD never came).
    await store.addCounters(campaign.campaignId, 2, { sent: 4, choice_accept: 1, defaulted: 1 });
  }, 60_000);
  afterAll(async () => table?.stop());

  it('is not due while settled; a flag makes it due; counters moving during the walk keep it due; a quiet walk clears it', async () => {
    const recount = dynamoDbCounterRecount({ client: table.documentClient, tableName: table.tableName });
    const deps = { content: compiledContent, campaigns: store, sweeps: new DynamoDbSweepStore({ tableName: table.tableName, client: table.documentClient }), recount, log: () => {} } as unknown as SchedulerDeps;
    const budget = { pageSize: 2, reserveMs: 0, firstPageMs: 1 };
    const run = (at: string, steps = [recountStep]) => runSweeps({ ...deps, budget }, new Date(at), () => 60_000, steps);

    // Settled sends hide the lost choice count: nothing is due.
    expect((await run('2026-12-01T00:00:00.000Z')).walks).toEqual([]);
    await recount.flag(campaign.campaignId, '2026-12-01T00:30:00.000Z');

    // A customer's choice is counted while the walk runs (its ADD lands between two pages).
    let pages = 0;
    const moving = {
      ...recount,
      tallyPage: async (...args: Parameters<typeof recount.tallyPage>) => {
        if (++pages === 2) await store.addCounters(campaign.campaignId, 1, { choice_accept: 1, choice_delete: -1 });
        return recount.tallyPage(...args);
      },
    };
    const walked = await runSweeps({ ...deps, recount: moving, budget }, new Date('2026-12-01T01:00:00.000Z'), () => 60_000, [recountStep]);
    expect(walked.walks.map((walk) => walk.outcome)).toEqual(['complete']);
    // Still due: what moved during the walk may be miscounted.
    expect(await recount.unsettled(campaign)).toBe(true);

    // The next walk, with nothing moving, corrects exactly and clears the flag.
    expect((await run('2026-12-01T02:00:00.000Z')).walks.map((walk) => walk.outcome)).toEqual(['complete']);
    expect((await store.snapshot(campaign.campaignId))!.counters).toMatchObject({ sent: 4, choice_accept: 1, choice_delete: 1, choice_keep_previous: 0, defaulted: 1 });
    expect(await recount.unsettled(campaign)).toBe(false);
    expect((await run('2026-12-01T03:00:00.000Z')).walks).toEqual([]);
  });
});
