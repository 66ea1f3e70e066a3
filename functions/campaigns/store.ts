/**
 * `CampaignStore`: the campaign's items in the ledger table (docs/design.md): `META`, sharded
 * `CNT#` counters, `PLAN#` cursors and the per-account recipient items. No transactions: every
 * invariant is one conditional single-item write, ordered so that a retry after a crash converges.
 */
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import { CHOICE_COUNTERS, type ChoiceOption } from '../core/choice-options.ts';
import type { RegionNotification } from '../core/audience.ts';
import { AUDIENCE_SHARDS } from '../ledger/types.ts';
import { accountPk, shardOf, stateSk } from '../ledger/keys.ts';
import { TTL_ATTRIBUTE } from '../ledger/table-definition.ts';
import { batchGetAll, isConditionFailure } from '../ledger/dynamo-batch.ts';
import type { SendKind } from './messages.ts';

export interface CampaignRegion {
  readonly region: string;
  readonly notification: RegionNotification;
  readonly options: readonly ChoiceOption[];
}

export interface Campaign {
  readonly campaignId: string;
  readonly noticeId: string;
  readonly version: number;
  /** ISO 8601; the choice tokens expire then and the default applies. */
  readonly deadline: string;
  readonly regions: readonly CampaignRegion[];
  readonly createdAt: string;
  /** `created` until the planner messages are enqueued, then `started`. */
  readonly status: 'created' | 'started';
}

export interface PlanCursor {
  /** Pages already checkpointed. */
  readonly page: number;
  readonly cursor?: string;
  readonly done: boolean;
  /** Accounts (by language, < 50 each) carried to the next page so batches stay full. */
  readonly carry?: Readonly<Record<string, readonly string[]>>;
}

/** What a claim attempt found. */
export type ClaimOutcome =
  /** Ours now: send it. */
  | { readonly kind: 'claimed'; readonly language?: string }
  /** Already sent or failed for good: nothing to do. */
  | { readonly kind: 'done'; readonly status: 'sent' | 'failed' }
  /** Another attempt holds a live lease, or it is in doubt (lease expired, grace not over): retry later. */
  | { readonly kind: 'busy' }
  /** A reminder for an account whose notice was never sent. */
  | { readonly kind: 'ineligible' };

export interface ClaimInput {
  readonly campaignId: string;
  readonly accountId: string;
  readonly kind: SendKind;
  readonly attemptId: string;
  readonly region: string;
  readonly language: string;
  /** Epoch ms. */
  readonly now: number;
  readonly leaseMs: number;
  /** How long after a lease expired with no SES `Send` event the recipient is sent again. */
  readonly inDoubtGraceMs: number;
}

/** The counter attributes of the `CNT#` items. */
export const COUNTER_NAMES = [
  'audience',
  'sent',
  'informational',
  'reminded',
  'delivered',
  'bounced',
  'complained',
  'failed',
  ...CHOICE_COUNTERS,
  'defaulted',
] as const;
export type CounterName = (typeof COUNTER_NAMES)[number];
export type Counters = Record<CounterName, number>;

/** The SES event names `recordSesEvents` accepts (EventBridge `eventType` spellings too). */
export type SesEventName = 'send' | 'delivered' | 'bounced' | 'complained' | 'failed';

/** One SES event as `recordSesEvents` takes it. */
export interface SesEventInput {
  readonly campaignId: string;
  readonly accountId: string;
  /** `Send`, `Delivery` … (any spelling `SesEventName` normalises). */
  readonly event: string;
  readonly messageId: string;
  readonly at: string;
  /** From the `kind` tag; without it a `Send` settles whichever of notice and reminder is `sending`. */
  readonly kind?: SendKind;
}

export interface RecordSesEventsOptions {
  /** How long to wait for live attempts to mark their own sends before settling them here. @default 0 */
  readonly awaitLiveAttemptsMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const itemKey = (event: { campaignId: string; accountId: string }): string => {
  const key = recipientKey(event.campaignId, event.accountId);
  return `${key.pk}|${key.sk}`;
};

const runLimited = async (concurrency: number, tasks: readonly (() => Promise<void>)[]): Promise<void> => {
  const limit = pLimit(concurrency);
  await Promise.all(tasks.map((task) => limit(task)));
};

export interface CampaignSnapshot {
  readonly campaign: Campaign;
  readonly counters: Counters;
  /** Planner cursors finished, out of regions × shards. */
  readonly plansDone: number;
  readonly plansTotal: number;
}

export interface CampaignStoreOptions {
  readonly tableName: string;
  readonly client: DynamoDBDocumentClient;
}

const campaignPk = (campaignId: string): string => `CMP#${campaignId}`;
const META_SK = 'META';
const counterSk = (shard: number): string => `CNT#${String(shard).padStart(2, '0')}`;
const planSk = (region: string, shard: number): string => `PLAN#${region}#${String(shard).padStart(2, '0')}`;
/** Recipient partition: sharded like the audience so one campaign never makes a hot partition. */
export const recipientKey = (campaignId: string, accountId: string): { pk: string; sk: string } => ({
  pk: `CMP#${campaignId}#R#${String(shardOf(accountId)).padStart(2, '0')}`,
  sk: `ACCT#${accountId}`,
});

/** A send attempt's marker: the recipients it handed to SES (`submitted`, a string set); expires through TTL. */
const attemptKey = (campaignId: string, attemptId: string): { pk: string; sk: string } => ({ pk: `CMP#${campaignId}#ATT`, sk: attemptId });

/** Attribute names of a recipient item per kind: a reminder is tracked beside the notice on the same item. */
const fieldsOf = (kind: SendKind) =>
  kind === 'notice'
    ? { status: 'status', attempt: 'attempt', lease: 'leaseUntil', messageId: 'messageId', at: 'sentAt' }
    : {
        status: 'reminderStatus',
        attempt: 'reminderAttempt',
        lease: 'reminderLeaseUntil',
        messageId: 'reminderMessageId',
        at: 'reminderSentAt',
      };


const normaliseEvent = (event: string): SesEventName | undefined => {
  switch (event.toLowerCase().replace(/[^a-z]/g, '')) {
    case 'send':
    case 'sent':
      return 'send';
    case 'delivery':
    case 'delivered':
      return 'delivered';
    case 'bounce':
    case 'bounced':
      return 'bounced';
    case 'complaint':
    case 'complained':
      return 'complained';
    case 'reject':
    case 'rejected':
    case 'renderingfailure':
    case 'failed':
      return 'failed';
    default:
      return undefined;
  }
};

const zeroCounters = (): Counters => Object.fromEntries(COUNTER_NAMES.map((name) => [name, 0])) as Counters;

/** The campaign items of the ledger table. */
export class CampaignStore {
  readonly tableName: string;
  readonly client: DynamoDBDocumentClient;
  readonly #campaigns = new Map<string, Campaign>();

  constructor(options: CampaignStoreOptions) {
    if (!options.tableName) throw new TypeError('CampaignStore needs a tableName');
    this.tableName = options.tableName;
    this.client = options.client;
  }

  /** Create the campaign once; a second call answers the existing one (`created: false`). */
  async createCampaign(campaign: Campaign): Promise<{ created: boolean; campaign: Campaign }> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: campaignPk(campaign.campaignId), sk: META_SK, ...campaign },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true, campaign };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.getCampaign(campaign.campaignId, { consistent: true });
      if (!existing) throw new Error('campaign vanished after a conditional failure', { cause: error });
      return { created: false, campaign: existing };
    }
  }

  /** The campaign, or undefined. Started campaigns are immutable, so they are cached. */
  async getCampaign(campaignId: string, options: { consistent?: boolean } = {}): Promise<Campaign | undefined> {
    const cached = this.#campaigns.get(campaignId);
    if (cached) return cached;
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: campaignPk(campaignId), sk: META_SK }, ConsistentRead: options.consistent ?? true }),
    );
    if (!result.Item) return undefined;
    const { pk: _pk, sk: _sk, ...campaign } = result.Item;
    if (campaign['status'] === 'started') this.#campaigns.set(campaignId, campaign as Campaign);
    return campaign as Campaign;
  }

  /** Mark the campaign started once its planner messages are enqueued. */
  async markStarted(campaignId: string, at: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: campaignPk(campaignId), sk: META_SK },
        UpdateExpression: 'SET #status = :started, startedAt = if_not_exists(startedAt, :at)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':started': 'started', ':at': at },
      }),
    );
  }

  /** The planner checkpoint of one region and shard. */
  async getPlan(campaignId: string, region: string, shard: number): Promise<PlanCursor> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: campaignPk(campaignId), sk: planSk(region, shard) }, ConsistentRead: true }),
    );
    const item = result.Item;
    if (!item) return { page: 0, done: false };
    const carry = item['carry'] as Record<string, string[]> | undefined;
    return {
      page: Number(item['page'] ?? 0),
      done: item['done'] === true,
      ...(typeof item['cursor'] === 'string' ? { cursor: item['cursor'] } : {}),
      ...(carry && typeof carry === 'object' && Object.keys(carry).length > 0 ? { carry } : {}),
    };
  }

  /**
   * Checkpoint page `fromPage` as done and add its members to the audience, in one conditional
   * write: the count is added exactly once per page. False when another planner got there first.
   */
  async advancePlan(
    campaignId: string,
    region: string,
    shard: number,
    fromPage: number,
    next: { cursor?: string; audience: number; carry?: Readonly<Record<string, readonly string[]>> },
  ): Promise<boolean> {
    const set = ['#page = :next', '#done = :done', 'updatedAt = :now'];
    const remove: string[] = [];
    const values: Record<string, unknown> = { ':next': fromPage + 1, ':done': next.cursor === undefined, ':n': next.audience, ':now': new Date().toISOString() };
    if (next.cursor !== undefined) {
      set.push('#cursor = :cursor');
      values[':cursor'] = next.cursor;
    } else {
      remove.push('#cursor');
    }
    if (next.cursor !== undefined && next.carry && Object.keys(next.carry).length > 0) {
      set.push('#carry = :carry');
      values[':carry'] = next.carry;
    } else {
      remove.push('#carry');
    }
    if (fromPage > 0) values[':from'] = fromPage;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: campaignPk(campaignId), sk: planSk(region, shard) },
          UpdateExpression: `SET ${set.join(', ')} ADD audience :n REMOVE ${remove.join(', ')}`,
          ConditionExpression: fromPage === 0 ? 'attribute_not_exists(#page)' : '#page = :from',
          ExpressionAttributeNames: { '#page': 'page', '#done': 'done', '#cursor': 'cursor', '#carry': 'carry' },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Claim a recipient for one send attempt (conditional: never two live attempts, never after
   * `sent`). A `sending` recipient whose lease expired is taken over at once only when its attempt
   * never reached SES for it (the attempt's marker says so); one that did is in doubt and waits
   * the grace, during which its SES `Send` event settles it.
   */
  async claimRecipient(input: ClaimInput): Promise<ClaimOutcome> {
    const f = fieldsOf(input.kind);
    const key = recipientKey(input.campaignId, input.accountId);
    const names: Record<string, string> = { '#status': f.status, '#attempt': f.attempt, '#lease': f.lease };
    const values: Record<string, unknown> = {
      ':sending': 'sending',
      ':attempt': input.attemptId,
      ':leaseUntil': input.now + input.leaseMs,
      ':claimedAt': new Date(input.now).toISOString(),
    };
    let update = 'SET #status = :sending, #attempt = :attempt, #lease = :leaseUntil, #claimedAt = :claimedAt';
    names['#claimedAt'] = input.kind === 'notice' ? 'claimedAt' : 'reminderClaimedAt';
    if (input.kind === 'notice') {
      update += ', accountId = :accountId, campaignId = :campaignId, #region = :region, #language = :language';
      names['#region'] = 'region';
      names['#language'] = 'language';
      Object.assign(values, { ':accountId': input.accountId, ':campaignId': input.campaignId, ':region': input.region, ':language': input.language });
    }
    const reminderGuard = input.kind === 'reminder' ? '#noticeStatus = :sent AND ' : '';
    if (input.kind === 'reminder') {
      names['#noticeStatus'] = 'status';
      values[':sent'] = 'sent';
    }
    const attempt = async (condition: string, extra: Record<string, unknown>) => {
      try {
        const claimed = await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: update,
            ConditionExpression: reminderGuard + condition,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ...values, ...extra },
            ReturnValues: 'ALL_NEW',
          }),
        );
        const language = claimed.Attributes?.['language'];
        return typeof language === 'string' ? { kind: 'claimed' as const, language } : { kind: 'claimed' as const };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        return undefined;
      }
    };
    const claimed = await attempt('(attribute_not_exists(#status) OR #status = :released OR (#status = :sending AND #lease < :staleBefore))', {
      ':released': 'released',
      ':staleBefore': input.now - input.inDoubtGraceMs,
    });
    if (claimed) return claimed;
    const current = await this.#getRecipient(key);
    if (input.kind === 'reminder' && current?.['status'] !== 'sent') return { kind: 'ineligible' };
    const status = current?.[f.status];
    if (status === 'sent' || status === 'failed') return { kind: 'done', status };
    const previous = current?.[f.attempt];
    if (status !== 'sending' || typeof previous !== 'string' || !(Number(current?.[f.lease]) < input.now)) return { kind: 'busy' };
    if (await this.#wasSubmitted(input.campaignId, previous, input.accountId)) return { kind: 'busy' };
    // The expired attempt never called SES for this recipient: take over from exactly that attempt.
    return (await attempt('#status = :sending AND #attempt = :previous AND #lease < :now', { ':previous': previous, ':now': input.now })) ?? { kind: 'busy' };
  }

  /** `sending` (this attempt) → `sent`. True when this call made the transition (count it then). */
  async markSent(campaignId: string, accountId: string, kind: SendKind, attemptId: string, messageId: string, at: string): Promise<boolean> {
    return this.#transition(campaignId, accountId, kind, attemptId, 'sent', { messageId, at });
  }

  /** `sending` (this attempt) → `failed` for good (rejected, no contact). True when this call made it. */
  async markFailed(campaignId: string, accountId: string, kind: SendKind, attemptId: string, reason: string, at: string): Promise<boolean> {
    return this.#transition(campaignId, accountId, kind, attemptId, 'failed', { reason, at });
  }

  /**
   * Note, on the attempt's marker, that this attempt is about to call SES for these recipients:
   * from now on a crash leaves them in doubt. One write per `SendBulkEmail`, not per recipient.
   */
  async markSubmitted(campaignId: string, attemptId: string, accountIds: readonly string[], expiresAt: number): Promise<void> {
    if (accountIds.length === 0) return;
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: attemptKey(campaignId, attemptId),
        UpdateExpression: 'ADD #submitted :ids SET #ttl = :ttl',
        ExpressionAttributeNames: { '#submitted': 'submitted', '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':ids': new Set(accountIds), ':ttl': Math.ceil(expiresAt / 1000) },
      }),
    );
  }

  /** SES answered that it did not take these entries: they are no longer in doubt. */
  async clearSubmitted(campaignId: string, attemptId: string, accountIds: readonly string[]): Promise<void> {
    if (accountIds.length === 0) return;
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: attemptKey(campaignId, attemptId),
        UpdateExpression: 'DELETE #submitted :ids',
        ExpressionAttributeNames: { '#submitted': 'submitted' },
        ExpressionAttributeValues: { ':ids': new Set(accountIds) },
      }),
    );
  }

  async #wasSubmitted(campaignId: string, attemptId: string, accountId: string): Promise<boolean> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: attemptKey(campaignId, attemptId),
        ConsistentRead: true,
        ProjectionExpression: '#submitted',
        ExpressionAttributeNames: { '#submitted': 'submitted' },
      }),
    );
    const submitted = result.Item?.['submitted'];
    return submitted instanceof Set && submitted.has(accountId);
  }

  /** Give a claim back after a retryable failure, so the redelivered message may claim it at once. */
  async releaseRecipient(campaignId: string, accountId: string, kind: SendKind, attemptId: string): Promise<void> {
    const f = fieldsOf(kind);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: recipientKey(campaignId, accountId),
          UpdateExpression: 'SET #status = :released REMOVE #lease',
          ConditionExpression: '#status = :sending AND #attempt = :attempt',
          ExpressionAttributeNames: { '#status': f.status, '#attempt': f.attempt, '#lease': f.lease },
          ExpressionAttributeValues: { ':released': 'released', ':sending': 'sending', ':attempt': attemptId },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async #transition(
    campaignId: string,
    accountId: string,
    kind: SendKind,
    attemptId: string | undefined,
    to: 'sent' | 'failed',
    detail: { messageId?: string; reason?: string; at: string },
  ): Promise<boolean> {
    const f = fieldsOf(kind);
    const names: Record<string, string> = { '#status': f.status, '#lease': f.lease, '#at': to === 'sent' ? f.at : kind === 'notice' ? 'failedAt' : 'reminderFailedAt' };
    const values: Record<string, unknown> = { ':to': to, ':sending': 'sending', ':at': detail.at };
    let update = 'SET #status = :to, #at = :at';
    if (detail.messageId !== undefined) {
      update += ', #messageId = :messageId';
      names['#messageId'] = f.messageId;
      values[':messageId'] = detail.messageId;
    }
    if (detail.reason !== undefined) {
      update += ', #reason = :reason';
      names['#reason'] = kind === 'notice' ? 'failureReason' : 'reminderFailureReason';
      values[':reason'] = detail.reason;
    }
    let condition = '#status = :sending';
    if (attemptId !== undefined) {
      condition += ' AND #attempt = :attempt';
      names['#attempt'] = f.attempt;
      values[':attempt'] = attemptId;
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: recipientKey(campaignId, accountId),
          UpdateExpression: `${update} REMOVE #lease`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async #getRecipient(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return result.Item;
  }

  /** The recipient item (tests, the scheduler), or undefined. */
  async getRecipient(campaignId: string, accountId: string): Promise<Record<string, unknown> | undefined> {
    return this.#getRecipient(recipientKey(campaignId, accountId));
  }

  /** ADD to one sharded counter item; spreading over shards keeps any one item from running hot. */
  async addCounters(campaignId: string, shard: number, deltas: Partial<Counters>): Promise<void> {
    const entries = Object.entries(deltas).filter(([, value]) => value !== undefined && value !== 0);
    if (entries.length === 0) return;
    const names = Object.fromEntries(entries.map(([name], index) => [`#c${index}`, name]));
    const values = Object.fromEntries(entries.map(([, value], index) => [`:c${index}`, value]));
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: campaignPk(campaignId), sk: counterSk(shard % AUDIENCE_SHARDS) },
        UpdateExpression: `ADD ${entries.map((_, index) => `#c${index} :c${index}`).join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /** Set the state item's `notified` unless a newer version's campaign already did (design doc). */
  async setNotified(accountId: string, campaign: Campaign, options: readonly ChoiceOption[], at: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: accountPk(accountId), sk: stateSk(campaign.noticeId) },
          UpdateExpression: 'SET notified = :notified',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(notified) OR notified.version < :version)',
          ExpressionAttributeValues: {
            ':notified': { campaignId: campaign.campaignId, version: campaign.version, deadline: campaign.deadline, options: [...options], at },
            ':version': campaign.version,
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /**
   * Record a batch of SES configuration-set events (the SES-events handler's SQS batch); answers,
   * per event, whether it changed anything. `send` moves a recipient still `sending` to `sent`
   * (the crash-reconciliation path): one consistent BatchGet finds those, so the usual case (the
   * sender already marked it) costs no write. Delivery, bounce, complaint and failure are kept
   * once per recipient with one conditional write each. The counts of the whole batch go out in
   * one ADD per campaign, after the writes that earned them (a crash between under-counts; a
   * redelivery never counts twice). Events for recipients the campaign does not know are ignored.
   */
  async recordSesEvents(events: readonly SesEventInput[], options: RecordSesEventsOptions = {}): Promise<boolean[]> {
    const changed = events.map(() => false);
    const deltas = new Map<string, Partial<Counters>>();
    const count = (campaignId: string, delta: Partial<Counters>) => {
      const total = deltas.get(campaignId) ?? {};
      for (const [name, value] of Object.entries(delta) as [CounterName, number][]) total[name] = (total[name] ?? 0) + value;
      deltas.set(campaignId, total);
    };
    const named = events.map((event) => normaliseEvent(event.event));
    const sends = events.flatMap((event, index) => (named[index] === 'send' ? [{ event, index }] : []));
    const items = await this.#getRecipients(sends.map(({ event }) => recipientKey(event.campaignId, event.accountId)));
    // A Send event usually overtakes the live attempt's own `sent` mark (SES emits it at once):
    // give live attempts a moment to record their sends rather than doing it twice.
    const sendingKind = (event: SesEventInput) =>
      (['notice', 'reminder'] as const).find((k) => (event.kind ?? k) === k && items.get(itemKey(event))?.[fieldsOf(k).status] === 'sending');
    const waitMs = options.awaitLiveAttemptsMs ?? 0;
    const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    for (let waited = 0; waited < waitMs; ) {
      const now = Date.now();
      const live = sends.filter(({ event }) => {
        const kind = sendingKind(event);
        return kind !== undefined && Number(items.get(itemKey(event))?.[fieldsOf(kind).lease]) > now;
      });
      if (live.length === 0) break;
      const step = Math.min(500, waitMs - waited);
      await sleep(step);
      waited += step;
      for (const [key, item] of await this.#getRecipients(live.map(({ event }) => recipientKey(event.campaignId, event.accountId)))) items.set(key, item);
    }
    await runLimited(16, events.map((event, index) => async () => {
      const name = named[index];
      if (!name) return;
      const key = recipientKey(event.campaignId, event.accountId);
      if (name === 'send') {
        const item = items.get(itemKey(event));
        const kind = sendingKind(event);
        if (!kind || !(await this.#transition(event.campaignId, event.accountId, kind, undefined, 'sent', { messageId: event.messageId, at: event.at }))) return;
        changed[index] = true;
        const campaign = await this.getCampaign(event.campaignId);
        if (kind === 'reminder' || !campaign) {
          count(event.campaignId, kind === 'reminder' ? { reminded: 1 } : { sent: 1 });
          return;
        }
        const region = campaign.regions.find((r) => r.region === item?.['region']);
        await this.setNotified(event.accountId, campaign, region?.options ?? [], event.at);
        count(event.campaignId, region?.notification === 'informational' ? { sent: 1, informational: 1 } : { sent: 1 });
        return;
      }
      if (event.kind === 'reminder') return; // reminders' deliveries are not campaign progress
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'SET #at = :at, #eventMessageId = :messageId',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#at)',
            ExpressionAttributeNames: { '#at': `${name}At`, '#eventMessageId': `${name}MessageId` },
            ExpressionAttributeValues: { ':at': event.at, ':messageId': event.messageId },
          }),
        );
      } catch (error) {
        if (isConditionFailure(error)) return;
        throw error;
      }
      changed[index] = true;
      count(event.campaignId, { [name]: 1 });
    }));
    for (const [campaignId, delta] of deltas) await this.addCounters(campaignId, shardOf(campaignId), delta);
    return changed;
  }

  /** Recipient items by `pk|sk`, read consistently. */
  async #getRecipients(keys: readonly { pk: string; sk: string }[]): Promise<Map<string, Record<string, unknown>>> {
    const items = await batchGetAll(this.client, this.tableName, keys, { consistentRead: true, what: 'recipient reads' });
    return new Map(items.map((item) => [`${item['pk']}|${item['sk']}`, item]));
  }

  /** The campaign and its counters summed over every `CNT#` and `PLAN#` item. */
  async snapshot(campaignId: string): Promise<CampaignSnapshot | undefined> {
    const counters = zeroCounters();
    let campaign: Campaign | undefined;
    let plansDone = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': campaignPk(campaignId) },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const sk = String(item['sk']);
        if (sk === META_SK) {
          const { pk: _pk, sk: _sk, ...rest } = item;
          campaign = rest as Campaign;
          continue;
        }
        if (sk.startsWith('PLAN#') && item['done'] === true) plansDone++;
        for (const name of COUNTER_NAMES) {
          const value = item[name];
          if (typeof value === 'number') counters[name] += value;
        }
      }
      start = page.LastEvaluatedKey;
    } while (start);
    if (!campaign) return undefined;
    return { campaign, counters, plansDone, plansTotal: campaign.regions.length * AUDIENCE_SHARDS };
  }
}
