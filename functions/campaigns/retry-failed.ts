/**
 * `POST /v1/campaigns/{campaignId}/retry-failed`: give the sender back every recipient whose
 * notice failed for a retryable reason (`ses-faults.ts` `isRetryableFailure`), exactly once each.
 * Each recipient moves `failed` → `released` by one conditional write on its recorded reason (the
 * `failed` counter −1 for the writes that moved), then the send messages go out; the sender's claim
 * keeps it to one email. A crash between the write and the enqueue leaves it `released` with
 * `retriedAt`: a repeated call sends it again (harmless, the claim dedupes) but counts nothing new.
 */
import type { Clock } from '../core/clock.ts';
import { NotFoundError } from '../core/errors.ts';
import { AUDIENCE_SHARDS } from '../ledger/types.ts';
import { MAX_RECIPIENTS_PER_SEND, type SendMessage } from './messages.ts';
import type { CampaignReader, CounterStore, Queue } from './ports.ts';
import { isRetryableFailure } from './ses-faults.ts';

/** A recipient whose notice failed, or that an earlier retry released and nobody has claimed since. */
export interface FailedRecipient {
  readonly accountId: string;
  readonly region: string;
  readonly language?: string;
  /** `failed`, or `released` after a retry. */
  readonly status: 'failed' | 'released';
  readonly reason?: string;
}

/** The recipient items `retry-failed` reads and moves (`DynamoDbRecipientStore`). */
export interface RetryFailedStore {
  /** One page of a shard's recipients that failed or were released by a retry. */
  retryCandidates(campaignId: string, shard: number, cursor?: Record<string, unknown>): Promise<{ items: FailedRecipient[]; cursor?: Record<string, unknown> }>;
  /** `failed` for `reason` → `released` (noting the retry); true when this call moved it. */
  requeueFailed(campaignId: string, accountId: string, reason: string, at: string): Promise<boolean>;
}

export interface RetryFailedDeps {
  readonly campaigns: CampaignReader & CounterStore;
  readonly recipients: RetryFailedStore;
  readonly sendQueue: Queue<SendMessage>;
  readonly clock: Clock;
}

export interface RetryFailedResult {
  readonly campaignId: string;
  /** Recipients this call moved from failed back to the sender. */
  readonly requeued: number;
  /** Recipients an earlier retry released that are still waiting: their send messages went out again. */
  readonly stillQueued: number;
  /** Failed recipients left failed, per reason (a bad address, no contact …). */
  readonly notRetryable: Readonly<Record<string, number>>;
}

/** Re-queue a campaign's retryable failures. */
export const retryFailed = async (deps: RetryFailedDeps, campaignId: string): Promise<RetryFailedResult> => {
  const campaign = await deps.campaigns.getCampaign(campaignId);
  if (!campaign || campaign.status !== 'started') throw new NotFoundError(`campaign ${campaignId} does not exist or has not started`);
  const at = deps.clock.now().toISOString();
  const toSend: FailedRecipient[] = [];
  const notRetryable: Record<string, number> = {};
  let requeued = 0;
  let stillQueued = 0;
  for (let shard = 0; shard < AUDIENCE_SHARDS; shard++) {
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await deps.recipients.retryCandidates(campaignId, shard, cursor);
      for (const recipient of page.items) {
        if (recipient.status === 'released') {
          toSend.push(recipient);
          stillQueued++;
        } else if (!isRetryableFailure(recipient.reason)) {
          const reason = recipient.reason ?? 'unknown';
          notRetryable[reason] = (notRetryable[reason] ?? 0) + 1;
        } else if (await deps.recipients.requeueFailed(campaignId, recipient.accountId, recipient.reason!, at)) {
          toSend.push(recipient);
          requeued++;
        }
      }
      cursor = page.cursor;
    } while (cursor);
  }
  if (requeued > 0) await deps.campaigns.addCounters(campaignId, 0, { failed: -requeued });
  await deps.sendQueue.send(sendMessagesFor(campaignId, toSend));
  return { campaignId, requeued, stillQueued, notRetryable };
};

/** Send messages of ≤ 50 accounts per region and language. */
const sendMessagesFor = (campaignId: string, recipients: readonly FailedRecipient[]): SendMessage[] => {
  const groups = new Map<string, FailedRecipient[]>();
  for (const recipient of recipients) {
    const key = `${recipient.region}\u0000${recipient.language ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), recipient]);
  }
  const messages: SendMessage[] = [];
  for (const [key, group] of groups) {
    const [region, language] = key.split('\u0000') as [string, string];
    for (let offset = 0; offset < group.length; offset += MAX_RECIPIENTS_PER_SEND) {
      messages.push({
        campaignId,
        kind: 'notice',
        region,
        ...(language ? { language } : {}),
        accountIds: group.slice(offset, offset + MAX_RECIPIENTS_PER_SEND).map((r) => r.accountId),
      });
    }
  }
  return messages;
};
