/**
 * `retry-failed` in bounded calls on a real engine: a page budget or the invocation's time budget
 * stops the walk with a cursor; continuing with it re-queues every retryable failure exactly once
 * across the calls (counted once under `requeued`, the failed counter back to zero), also when a
 * call stops inside a page. Cursors are sealed to the campaign and checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbCampaignStore } from '../../functions/campaigns/dynamodb/campaign-store.ts';
import { DynamoDbRecipientStore } from '../../functions/campaigns/dynamodb/recipient-store.ts';
import type { SendMessage } from '../../functions/campaigns/messages.ts';
import { retryFailed, RETRY_TIME_RESERVE_MS, type RetryFailedOptions, type RetryFailedResult } from '../../functions/campaigns/retry-failed.ts';
import { fixedClock } from '../../functions/core/clock.ts';
import { encodeCursor } from '../../functions/ledger/cursor.ts';
import { InvalidCursorError } from '../../functions/ledger/errors.ts';
import { AUDIENCE_SHARDS } from '../../functions/ledger/types.ts';
import { campaignOf } from '../unit/campaigns/campaign-fixture.ts';
import { startTestTable, type TestTable } from './engines.ts';

const NOW = Date.parse('2026-11-29T12:00:00.000Z');
const FAILED = 48;

describe('Function: retryFailed, bounded calls', () => {
  let table: TestTable;
  let campaigns: DynamoDbCampaignStore;
  let recipients: DynamoDbRecipientStore;
  const sent: SendMessage[] = [];
  const deps = () => ({ campaigns, recipients, clock: fixedClock(new Date(NOW).toISOString()), sendQueue: { send: async (m: readonly SendMessage[]) => void sent.push(...m) } });

  /** A started campaign with `FAILED` recipients failed for a retryable reason, spread over the shards. */
  const seed = async (version: number): Promise<string> => {
    const campaign = campaignOf({ campaignId: `privacy-v${version}`, version });
    await campaigns.createCampaign(campaign);
    await campaigns.markStarted(campaign.campaignId, new Date(NOW).toISOString());
    for (let index = 0; index < FAILED; index++) {
      const accountId = `r-${version}-${index}`;
      const claim = await recipients.claimRecipient({
        campaignId: campaign.campaignId, accountId, kind: 'notice', attemptId: `att-${accountId}`, region: 'eea', language: 'en', now: NOW, leaseMs: 60_000, inDoubtGraceMs: 60_000,
      });
      expect(claim.kind).toBe('claimed');
      expect(await recipients.markFailed(campaign.campaignId, accountId, 'notice', `att-${accountId}`, 'AccessDeniedException', new Date(NOW).toISOString())).toBe(true);
    }
    await campaigns.addCounters(campaign.campaignId, 1, { audience: FAILED, failed: FAILED });
    return campaign.campaignId;
  };

  /** Calls until no cursor is answered; each call's answer. */
  const walk = async (campaignId: string, options: (call: number) => Omit<RetryFailedOptions, 'cursor'>): Promise<RetryFailedResult[]> => {
    const answers: RetryFailedResult[] = [];
    let cursor: string | undefined;
    do {
      const answer = await retryFailed(deps(), campaignId, { ...options(answers.length), ...(cursor ? { cursor } : {}) });
      answers.push(answer);
      cursor = answer.cursor;
      expect(answers.length).toBeLessThan(100);
    } while (cursor);
    return answers;
  };

  beforeAll(async () => {
    table = await startTestTable();
    campaigns = new DynamoDbCampaignStore({ tableName: table.tableName, client: table.documentClient, cacheMs: 0 });
    recipients = new DynamoDbRecipientStore({ tableName: table.tableName, client: table.documentClient });
  }, 60_000);
  afterAll(async () => table?.stop());

  it('walks the shards a few pages per call, each failure re-queued exactly once across the calls', async () => {
    const campaignId = await seed(2);
    sent.length = 0;
    const answers = await walk(campaignId, () => ({ maxPages: 3 }));
    // One page per shard here: 16 shards, 3 pages a call.
    expect(answers).toHaveLength(Math.ceil(AUDIENCE_SHARDS / 3));
    expect(answers.slice(0, -1).every((answer) => typeof answer.cursor === 'string')).toBe(true);
    expect(answers.reduce((sum, answer) => sum + answer.requeued, 0)).toBe(FAILED);
    expect(answers.reduce((sum, answer) => sum + answer.stillQueued, 0)).toBe(0);
    const accounts = sent.flatMap((message) => message.accountIds);
    expect(accounts).toHaveLength(FAILED);
    expect(new Set(accounts).size).toBe(FAILED);
    expect((await campaigns.snapshot(campaignId))!.counters.failed).toBe(0);
  });

  it('stops inside a page when the time runs low and continues after the last recipient it handled: each requeued and sent once', async () => {
    const campaignId = await seed(3);
    sent.length = 0;
    // Each call's remaining time drops under the reserve after a few checks.
    const answers = await walk(campaignId, () => {
      let checks = 0;
      return { timeLeftMs: () => (checks++ < 6 ? RETRY_TIME_RESERVE_MS + 5_000 : RETRY_TIME_RESERVE_MS - 1) };
    });
    // 5 recipients a call (the time check passes 6 times: once before the first page's read … ).
    expect(answers.length).toBeGreaterThanOrEqual(Math.ceil(FAILED / 6));
    expect(answers.reduce((sum, answer) => sum + answer.requeued, 0)).toBe(FAILED);
    // Each call continued after the last recipient the previous one handled: nobody twice.
    expect(answers.reduce((sum, answer) => sum + answer.stillQueued, 0)).toBe(0);
    const accounts = sent.flatMap((message) => message.accountIds);
    expect(accounts).toHaveLength(FAILED);
    expect(new Set(accounts).size).toBe(FAILED);
    expect((await campaigns.snapshot(campaignId))!.counters.failed).toBe(0);
  });

  it('refuses a cursor that is not its own: garbage, another campaign\'s, a shard out of range', async () => {
    const campaignId = 'privacy-v2';
    await expect(retryFailed(deps(), campaignId, { cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(InvalidCursorError);
    const otherCampaigns = encodeCursor({ shard: '1' }, 'retry-failed\u0000privacy-v3');
    await expect(retryFailed(deps(), campaignId, { cursor: otherCampaigns })).rejects.toBeInstanceOf(InvalidCursorError);
    const outOfRange = encodeCursor({ shard: String(AUDIENCE_SHARDS) }, `retry-failed\u0000${campaignId}`);
    await expect(retryFailed(deps(), campaignId, { cursor: outOfRange })).rejects.toBeInstanceOf(InvalidCursorError);
  });
});
