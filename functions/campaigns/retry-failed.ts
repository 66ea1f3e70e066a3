/**
 * `POST /v1/campaigns/{campaignId}/retry-failed`: give the sender back every recipient whose
 * notice failed for a retryable reason (`ses-faults.ts` `isRetryableFailure`), exactly once each.
 * Each recipient moves `failed` → `released` by one conditional write on its recorded reason (the
 * `failed` counter −1 for the writes that moved), then the send messages go out; the sender's claim
 * keeps it to one email. A crash between the write and the enqueue leaves it `released` with
 * `retriedAt`: a repeated call sends it again (harmless, the claim dedupes) but counts nothing new.
 *
 * One call is bounded: it walks at most `maxPages` pages of the shards and stops early when the
 * invocation's time runs low, answering a `cursor` to continue from (the walk's shard and page
 * position, sealed to the campaign). A call that stops inside a page continues after the last
 * recipient it handled (its item key), so each recipient is handled by one call. Every call handles
 * at least one recipient, whatever its time, so a walk always ends.
 */
import type { Clock } from '../core/clock.ts';
import { NotFoundError } from '../core/errors.ts';
import { InvalidCursorError } from '../ledger/errors.ts';
import { decodeCursor, encodeCursor, type StoreKey } from '../ledger/cursor.ts';
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
  /** Its item's key: a walk that stops after it continues from there. */
  readonly key?: Readonly<Record<string, string>>;
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
  /** Where the next call continues (the walk stopped on its page or time budget); absent: every shard was walked. */
  readonly cursor?: string;
}

/** How much of the walk one call may do. */
export interface RetryFailedOptions {
  /** The `cursor` of the previous call's answer. @default the first shard */
  readonly cursor?: string;
  /** Pages of recipients one call reads at most. @default 100 */
  readonly maxPages?: number;
  /** The invocation's remaining time; the walk stops while `RETRY_TIME_RESERVE_MS` are left. @default unbounded (pages only) */
  readonly timeLeftMs?: () => number;
}

/** Time left for the enqueue, the counter write and the answer when a walk stops early. */
export const RETRY_TIME_RESERVE_MS = 3_000;
const DEFAULT_MAX_PAGES = 100;

/** A position of the walk: a shard and, inside it, the page's start key. */
interface WalkPosition {
  readonly shard: number;
  readonly key?: StoreKey;
}

const binding = (campaignId: string): string => `retry-failed\u0000${campaignId}`;

const encodePosition = (campaignId: string, position: WalkPosition): string =>
  encodeCursor({ shard: String(position.shard), ...position.key }, binding(campaignId));

const decodePosition = (campaignId: string, cursor: string): WalkPosition => {
  let decoded: StoreKey;
  try {
    decoded = decodeCursor(cursor, binding(campaignId), ['shard', 'pk', 'sk']);
  } catch {
    decoded = decodeCursor(cursor, binding(campaignId), ['shard']);
  }
  const shard = Number(decoded['shard']);
  if (!Number.isInteger(shard) || shard < 0 || shard >= AUDIENCE_SHARDS) throw new InvalidCursorError();
  const { shard: _shard, ...key } = decoded;
  return Object.keys(key).length > 0 ? { shard, key } : { shard };
};

/** A page's continuation key as a cursor can carry it (the recipient items' string `pk`/`sk`). */
const asStoreKey = (key: Record<string, unknown>): StoreKey => {
  if (!Object.values(key).every((value) => typeof value === 'string')) throw new Error('retry-failed: a page key that is not all strings');
  return key as StoreKey;
};

/** Re-queue a campaign's retryable failures, as far as one call's budget goes (`options`). */
export const retryFailed = async (deps: RetryFailedDeps, campaignId: string, options: RetryFailedOptions = {}): Promise<RetryFailedResult> => {
  const campaign = await deps.campaigns.getCampaign(campaignId);
  if (!campaign || campaign.status !== 'started') throw new NotFoundError(`campaign ${campaignId} does not exist or has not started`);
  let position: WalkPosition | undefined = options.cursor === undefined ? { shard: 0 } : decodePosition(campaignId, options.cursor);
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  const timeLow = (): boolean => options.timeLeftMs !== undefined && options.timeLeftMs() < RETRY_TIME_RESERVE_MS;
  const at = deps.clock.now().toISOString();
  const toSend: FailedRecipient[] = [];
  const notRetryable: Record<string, number> = {};
  let requeued = 0;
  let stillQueued = 0;
  let pages = 0;
  let handled = 0;
  walk: while (position) {
    if (pages >= maxPages || (pages > 0 && timeLow())) break;
    const page = await deps.recipients.retryCandidates(campaignId, position.shard, position.key);
    pages++;
    // Where a walk stopped inside this page continues: after the last recipient it handled here.
    let lastHandled: FailedRecipient | undefined;
    for (const recipient of page.items) {
      // Out of time inside a page: continue after the last recipient handled.
      if (handled > 0 && timeLow()) {
        if (lastHandled?.key) position = { shard: position.shard, key: asStoreKey(lastHandled.key) };
        break walk;
      }
      handled++;
      lastHandled = recipient;
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
    const next = page.cursor === undefined ? undefined : asStoreKey(page.cursor);
    position = next ? { shard: position.shard, key: next } : position.shard + 1 < AUDIENCE_SHARDS ? { shard: position.shard + 1 } : undefined;
  }
  if (requeued > 0) await deps.campaigns.addCounters(campaignId, 0, { failed: -requeued });
  await deps.sendQueue.send(sendMessagesFor(campaignId, toSend));
  return { campaignId, requeued, stillQueued, notRetryable, ...(position ? { cursor: encodePosition(campaignId, position) } : {}) };
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
