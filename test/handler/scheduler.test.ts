import { DynamoDbLateMarkerStore } from '../../functions/campaigns/dynamodb/late-store.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHandler } from '../../functions/lambdas/campaign-scheduler.ts';
import { candidateCampaignIds } from '../../functions/campaigns/sweeps.ts';
import { DynamoDbCampaignStore } from '../../functions/campaigns/dynamodb/campaign-store.ts';
import { DynamoDbRecipientStore } from '../../functions/campaigns/dynamodb/recipient-store.ts';
import { DynamoDbChoiceOutbox } from '../../functions/campaigns/dynamodb/outbox-store.ts';
import { DynamoDbSweepStore } from '../../functions/campaigns/dynamodb/sweep-store.ts';
import { InMemoryChoicePublisher } from '../../functions/campaigns/events.ts';
import type { SendMessage } from '../../functions/campaigns/messages.ts';
import type { Campaign } from '../../functions/campaigns/model.ts';
import { compiledContent } from '../../functions/content/artifact.ts';
import { CHOICE_OPTION_IDS } from '../../functions/core/choice-options.ts';
import { fixedClock } from '../../functions/core/clock.ts';
import { startTestTable, type TestTable } from '../integration/engines.ts';
import { lambdaContext } from '../fakes/http-event.ts';

const DEADLINE = '2027-02-01T00:00:00.000Z';
const campaign: Campaign = {
  campaignId: 'privacy-v2',
  noticeId: 'privacy',
  version: 2,
  deadline: DEADLINE,
  regions: [
    { region: 'eea', notification: 'choice', options: CHOICE_OPTION_IDS },
    { region: 'jp', notification: 'choice', options: CHOICE_OPTION_IDS },
  ],
  createdAt: '2026-11-01T00:00:00.000Z',
  status: 'started',
};

/** The walks of the campaign-wide steps (the late-enrolment step walks every run; its own tests are in late-acceptors). */
const campaignWalks = (report: { walks: readonly { step: string }[] }) => report.walks.filter((walk) => walk.step !== 'late-enrolment' && walk.step !== 'choice-outbox');

describe('Lambda: campaign-scheduler', () => {
  let table: TestTable;
  let campaigns: DynamoDbCampaignStore;
  let choices: DynamoDbRecipientStore;
  const clock = fixedClock('2026-12-01T00:00:00.000Z');
  const events = new InMemoryChoicePublisher();
  const enqueued: SendMessage[] = [];
  let handler: ReturnType<typeof makeHandler>;
  const run = () => handler({}, lambdaContext(300_000));

  const seed = async (accountId: string, region: string, language: string, acceptedVersion = 1) => {
    await table.store.advanceState({
      kind: 'acceptance',
      accountId,
      noticeId: 'privacy',
      version: acceptedVersion,
      region,
      language,
      contentHash: 'a'.repeat(64),
      at: '2026-04-01T00:00:00.000Z',
      source: { channel: 'api' },
    });
    await choices.claimRecipient({ campaignId: 'privacy-v2', accountId, kind: 'notice', attemptId: 'a', region, language, now: 0, leaseMs: 1, inDoubtGraceMs: 0 });
    await choices.markSent('privacy-v2', accountId, 'notice', 'a', `m-${accountId}`, '2026-11-02T00:00:00.000Z');
  };
  const choiceEvidence = async (accountId: string) =>
    (await table.scanAll()).filter((item) => item['accountId'] === accountId && String(item['sk']).startsWith('EV#CHO#'));

  beforeAll(async () => {
    table = await startTestTable();
    campaigns = new DynamoDbCampaignStore({ tableName: table.tableName, client: table.documentClient });
    choices = new DynamoDbRecipientStore({ tableName: table.tableName, client: table.documentClient });
    await campaigns.createCampaign(campaign);
    for (let i = 0; i < 51; i++) await seed(`acct-de-${i}`, 'eea', 'en');
    await seed('acct-jp', 'jp', 'ja');
    await seed('acct-chose', 'eea', 'en');
    await seed('acct-crashed', 'eea', 'en');
    await seed('acct-on-v2', 'eea', 'en');
    await table.store.advanceState({
      kind: 'acceptance',
      accountId: 'acct-on-v2',
      noticeId: 'privacy',
      version: 2,
      region: 'eea',
      language: 'en',
      contentHash: 'b'.repeat(64),
      at: '2026-12-01T00:00:00.000Z',
      source: { channel: 'api' },
    });
    const chosen = { campaignId: 'privacy-v2', version: 2, option: 'delete' as const, at: '2026-12-02T00:00:00.000Z', defaulted: false };
    await table.store.recordChoice('acct-chose', 'privacy', chosen);
    await choices.markRecipient('privacy-v2', 'acct-chose', chosen, false);
    handler = makeHandler({
      content: compiledContent,
      clock,
      campaigns,
      ledger: table.store,
      choices,
      events,
      outbox: new DynamoDbChoiceOutbox({ tableName: table.tableName, client: table.documentClient }),
      sweeps: new DynamoDbSweepStore({ tableName: table.tableName, client: table.documentClient }),
      late: new DynamoDbLateMarkerStore({ tableName: table.tableName, client: table.documentClient }),
      recipients: choices,
      contacts: table.store,
      sendQueue: { send: async (messages) => void enqueued.push(...messages) },
      reminderDays: 7,
      log: () => {},
    });
  });
  afterAll(async () => table?.stop());

  it('finds the campaign from the content: privacy version 2 needs a choice', () => {
    expect(candidateCampaignIds(compiledContent)).toEqual(['privacy-v2']);
  });

  it('does nothing before the reminder window', async () => {
    clock.set('2027-01-20T00:00:00.000Z');

    const result = await run();

    expect(campaignWalks(result)).toEqual([]);
    expect(result.outOfTime).toBe(false);
    expect(enqueued).toHaveLength(0);
  });

  it('enqueues one reminder per recipient without a choice, in batches of ≤ 50 per language, once', async () => {
    // Act: two runs inside the window
    clock.set('2027-01-25T01:00:00.000Z');
    const first = await run();
    clock.advance(3_600_000);
    const second = await run();

    // Assess
    expect(campaignWalks(first)).toEqual([{ step: 'reminders', scope: 'privacy-v2', outcome: 'complete', pages: 16, processed: 54 }]);
    expect(campaignWalks(second)).toEqual([{ step: 'reminders', scope: 'privacy-v2', outcome: 'done', pages: 0, processed: 0 }]);
    const accounts = enqueued.flatMap((message) => message.accountIds);
    expect(new Set(accounts).size).toBe(accounts.length);
    expect(accounts).toHaveLength(54);
    expect(accounts).not.toContain('acct-chose');
    expect(enqueued.every((message) => message.kind === 'reminder' && message.accountIds.length <= 50)).toBe(true);
    expect(enqueued.find((message) => message.accountIds.includes('acct-jp'))).toMatchObject({ region: 'jp', language: 'ja' });
  });

  it('at the deadline records keep-previous as defaulted for everyone without a choice, exactly once, converging after a crash', async () => {
    // Prepare: a default that crashed after its evidence, before the state (its outbox entry, evidence seq 1, state without a choice)
    await new DynamoDbChoiceOutbox({ tableName: table.tableName, client: table.documentClient }).add({
      accountId: 'acct-crashed', noticeId: 'privacy', campaignId: 'privacy-v2', seq: 1, writer: 'crashed-writer', at: DEADLINE,
    });
    await table.store.appendEvidence('acct-crashed', 'privacy', {
      kind: 'choice',
      campaignId: 'privacy-v2',
      version: 2,
      option: 'keep-previous',
      defaulted: true,
      channel: 'system',
      seq: 1,
      evidenceId: 'privacy-v2/acct-crashed/1',
      writer: 'crashed-writer',
      shown: { options: ['accept', 'keep-previous', 'delete'], region: 'eea', language: 'en' },
      previousVersion: 1,
      at: DEADLINE,
    });
    clock.set('2027-02-01T00:30:00.000Z');

    // Act
    const first = await run();
    const second = await run();

    // Assess: 51 DE + JP newly defaulted, the crashed one rolled forward (counted, and published by
    // the outbox drain, not reported as new); not the one who chose, not the one already on v2
    expect(campaignWalks(first)).toEqual([{ step: 'defaults', scope: 'privacy-v2', outcome: 'complete', pages: expect.any(Number), processed: 52 }]);
    expect(campaignWalks(second)).toEqual([{ step: 'defaults', scope: 'privacy-v2', outcome: 'done', pages: 0, processed: 0 }]);
    expect(first.walks.find((walk) => walk.step === 'choice-outbox')).toMatchObject({ outcome: 'complete', processed: 1 });
    expect((await table.store.getState('acct-crashed', 'privacy'))?.choice).toMatchObject({ option: 'keep-previous', defaulted: true, seq: 1 });
    expect((await table.store.getState('acct-jp', 'privacy'))?.choice).toMatchObject({ option: 'keep-previous', defaulted: true, at: DEADLINE });
    expect((await table.store.getState('acct-chose', 'privacy'))?.choice).toMatchObject({ option: 'delete', defaulted: false });
    expect((await table.store.getState('acct-on-v2', 'privacy'))?.choice).toBeUndefined();
    expect(await choiceEvidence('acct-crashed')).toHaveLength(1);
    expect((await choiceEvidence('acct-de-7'))[0]).toMatchObject({ option: 'keep-previous', defaulted: true, channel: 'system' });
    expect((await campaigns.snapshot('privacy-v2'))?.counters.defaulted).toBe(53);
    // Each published once: 52 by their writers, the crashed one by the outbox drain.
    expect(new Set(events.events.filter((event) => event.defaulted).map((event) => event.eventId)).size).toBe(53);
    expect(events.events.filter((event) => event.defaulted)).toHaveLength(53);
    expect((await table.scanAll()).filter((item) => String(item['pk']).startsWith('OUTBOX#'))).toEqual([]);
  });
});
