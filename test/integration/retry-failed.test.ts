/** `retry-failed` on a real engine: retryable failures go back to the sender exactly once each; a repeat call moves nobody again. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbCampaignStore } from '../../functions/campaigns/dynamodb/campaign-store.ts';
import { DynamoDbRecipientStore } from '../../functions/campaigns/dynamodb/recipient-store.ts';
import type { SendMessage } from '../../functions/campaigns/messages.ts';
import { retryFailed } from '../../functions/campaigns/retry-failed.ts';
import { fixedClock } from '../../functions/core/clock.ts';
import { campaignOf } from '../unit/campaigns/campaign-fixture.ts';
import { startTestTable, type TestTable } from './engines.ts';

const NOW = Date.parse('2026-11-29T12:00:00.000Z');

describe('Function: retryFailed', () => {
  let table: TestTable;
  let campaigns: DynamoDbCampaignStore;
  let recipients: DynamoDbRecipientStore;
  const campaign = campaignOf();
  const sent: SendMessage[] = [];
  const deps = () => ({ campaigns, recipients, clock: fixedClock(new Date(NOW).toISOString()), sendQueue: { send: async (m: readonly SendMessage[]) => void sent.push(...m) } });
  const claim = (accountId: string, attemptId: string) =>
    recipients.claimRecipient({
      campaignId: campaign.campaignId,
      accountId,
      kind: 'notice',
      attemptId,
      region: 'eea',
      language: 'en',
      now: NOW,
      leaseMs: 60_000,
      inDoubtGraceMs: 60_000,
    });
  /** Fail a recipient the way the sender does: claimed, then marked failed for `reason`. */
  const failFor = async (accountId: string, reason: string) => {
    expect((await claim(accountId, `att-${accountId}`)).kind).toBe('claimed');
    expect(await recipients.markFailed(campaign.campaignId, accountId, 'notice', `att-${accountId}`, reason, new Date(NOW).toISOString())).toBe(true);
  };

  beforeAll(async () => {
    table = await startTestTable();
    campaigns = new DynamoDbCampaignStore({ tableName: table.tableName, client: table.documentClient, cacheMs: 0 });
    recipients = new DynamoDbRecipientStore({ tableName: table.tableName, client: table.documentClient });
    await campaigns.createCampaign(campaign);
    await campaigns.markStarted(campaign.campaignId, new Date(NOW).toISOString());
    // Failed before blocking existed (configuration faults), a transient refusal, and two that must stay failed.
    await failFor('r-denied', 'AccessDeniedException');
    await failFor('r-mailfrom', 'MAIL_FROM_DOMAIN_NOT_VERIFIED');
    await failFor('r-rejected', 'MESSAGE_REJECTED');
    await failFor('r-bad-address', 'INVALID_PARAMETER');
    await failFor('r-no-contact', 'no-contact');
    await campaigns.addCounters(campaign.campaignId, 1, { audience: 5, failed: 5 });
  }, 60_000);
  afterAll(async () => table?.stop());

  it('re-queues each retryable failure once, counts it out of failed, and leaves the others failed', async () => {
    const first = await retryFailed(deps(), campaign.campaignId);
    expect(first).toEqual({ campaignId: campaign.campaignId, requeued: 3, stillQueued: 0, notRetryable: { INVALID_PARAMETER: 1, 'no-contact': 1 } });
    expect(sent.flatMap((m) => m.accountIds).sort()).toEqual(['r-denied', 'r-mailfrom', 'r-rejected']);
    expect(sent.every((m) => m.kind === 'notice' && m.campaignId === campaign.campaignId && m.region === 'eea')).toBe(true);
    expect((await campaigns.snapshot(campaign.campaignId))!.counters.failed).toBe(2);

    // A repeat before any sender claimed them moves nobody again (their messages go out again: the claim dedupes).
    const repeat = await retryFailed(deps(), campaign.campaignId);
    expect(repeat).toMatchObject({ requeued: 0, stillQueued: 3 });
    expect((await campaigns.snapshot(campaign.campaignId))!.counters.failed).toBe(2);

    // The sender takes them over (released → claimable) and sends them; then nothing is left to retry.
    for (const accountId of ['r-denied', 'r-mailfrom', 'r-rejected']) {
      expect((await claim(accountId, 'att-retry')).kind).toBe('claimed');
      expect(await recipients.markSent(campaign.campaignId, accountId, 'notice', 'att-retry', `m-${accountId}`, new Date(NOW).toISOString())).toBe(true);
    }
    sent.length = 0;
    expect(await retryFailed(deps(), campaign.campaignId)).toMatchObject({ requeued: 0, stillQueued: 0 });
    expect(sent).toEqual([]);
    const item = await recipients.getRecipient(campaign.campaignId, 'r-denied');
    expect(item).toMatchObject({ status: 'sent', retries: 1, retriedReason: 'AccessDeniedException' });
  });

  it('answers NotFound for a campaign that has not started', async () => {
    await expect(retryFailed(deps(), 'privacy-v9')).rejects.toMatchObject({ name: 'NotFoundError' });
  });
});
