/**
 * `RecipientStore` (and the choice mark of `RecipientChoiceStore`) on the ledger table: one item
 * per campaign and account (`CMP#<id>#R#<shard>` / `ACCT#<id>`), the notice and its reminder
 * tracked side by side, plus each SES call's item and delivery log (`CMP#<id>#CALL#<shard>`, read
 * back through `functions/ledger/send-facts.ts`). Every transition is one conditional write, so a
 * redelivery or a duplicate SES event never applies twice.
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { systemTimers } from '../../core/clock.ts';
import type { Timers } from '../../core/retry.ts';
import { batchGetAll, isConditionFailure } from '../../ledger/dynamo-batch.ts';
import { TTL_ATTRIBUTE } from '../../ledger/table-definition.ts';
import type { RecordedChoice } from '../../ledger/types.ts';
import type { ClaimInput, ClaimOutcome, RecipientRecord, SendKind, SendState } from '../model.ts';
import { type AcceptedSend, type CallShard, type OutcomeEvent, type OutcomeKept, type RecipientChoiceStore, type RecipientStore, type SendCall, callRef, recipientId } from '../ports.ts';
import { DELIVERY_ATTRIBUTE_PREFIX, campaignCallKey, deliveryLogKey, shardOf } from '../../ledger/keys.ts';
import { withSendFacts } from '../../ledger/send-facts.ts';
import type { FailedRecipient, RetryFailedStore } from '../retry-failed.ts';
import { fieldsOf, recipientKey, recipientPk } from './keys.ts';
import { claimRecipient } from './claim.ts';

export interface DynamoDbRecipientStoreOptions {
  readonly tableName: string;
  readonly client: DynamoDBDocumentClient;
  /** Waits between retries of unprocessed batch reads. @default systemTimers */
  readonly timers?: Timers;
}

type Item = Record<string, unknown>;

const sendState = (item: Item, kind: SendKind): SendState => {
  const f = fieldsOf(kind);
  const status = item[f.status];
  const lease = item[f.lease];
  return { ...(typeof status === 'string' ? { status } : {}), ...(lease !== undefined ? { leaseUntil: Number(lease) } : {}) };
};

const toRecord = (item: Item): RecipientRecord => {
  const text = (name: string) => (typeof item[name] === 'string' ? { [name]: item[name] as string } : {});
  return {
    campaignId: String(item['campaignId'] ?? String(item['pk']).replace(/^CMP#(.*)#R#\d+$/, '$1')),
    accountId: typeof item['accountId'] === 'string' ? item['accountId'] : String(item['sk']).replace(/^ACCT#/, ''),
    ...text('region'),
    ...text('language'),
    ...text('choice'),
    ...text('deadline'),
    ...(item['late'] === true ? { late: true } : {}),
    notice: sendState(item, 'notice'),
    reminder: sendState(item, 'reminder'),
  };
};

/** The recipient items of the ledger table. */
export class DynamoDbRecipientStore implements RecipientStore, RecipientChoiceStore, RetryFailedStore {
  readonly tableName: string;
  readonly client: DynamoDBDocumentClient;
  readonly #timers: Timers;

  constructor(options: DynamoDbRecipientStoreOptions) {
    if (!options.tableName) throw new TypeError('DynamoDbRecipientStore needs a tableName');
    this.tableName = options.tableName;
    this.client = options.client;
    this.#timers = options.timers ?? systemTimers;
  }

  async claimRecipient(input: ClaimInput): Promise<ClaimOutcome> {
    return claimRecipient(this, input, (key) => this.#getItem(key));
  }

  async markSent(campaignId: string, accountId: string, kind: SendKind, attemptId: string, messageId: string, at: string): Promise<boolean> {
    return this.#transition(campaignId, accountId, kind, attemptId, 'sent', { messageId, at });
  }

  async settleSent(campaignId: string, accountId: string, kind: SendKind, messageId: string, at: string): Promise<boolean> {
    return this.#transition(campaignId, accountId, kind, undefined, 'sent', { messageId, at });
  }

  async markFailed(campaignId: string, accountId: string, kind: SendKind, attemptId: string, reason: string, at: string): Promise<boolean> {
    return this.#transition(campaignId, accountId, kind, attemptId, 'failed', { reason, at });
  }

  /** One write per `SendBulkEmail`, not per recipient: from now on a crash leaves them in doubt. */
  async markSubmitted(call: SendCall, accountIds: readonly string[], expiresAt: number): Promise<void> {
    await this.#perShard(call, accountIds, (key, ids) =>
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: 'ADD #submitted :ids SET #ttl = :ttl, #kind = :kind, #accepted = if_not_exists(#accepted, :none)',
        ExpressionAttributeNames: { '#submitted': 'submitted', '#ttl': TTL_ATTRIBUTE, '#kind': 'kind', '#accepted': 'accepted' },
        ExpressionAttributeValues: { ':ids': new Set(ids), ':ttl': Math.ceil(expiresAt / 1000), ':kind': call.kind, ':none': {} },
      }),
    );
  }

  async clearSubmitted(call: SendCall, accountIds: readonly string[]): Promise<void> {
    await this.#perShard(call, accountIds, (key, ids) =>
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: 'DELETE #submitted :ids',
        ExpressionAttributeNames: { '#submitted': 'submitted' },
        ExpressionAttributeValues: { ':ids': new Set(ids) },
      }),
    );
  }

  /**
   * What SES accepted of one call, on the call's item (one write for the call, not one per
   * recipient): each entry's message id and instant; they leave `submitted`, and the item, now
   * their `sent` evidence, no longer expires.
   */
  async recordAccepted(call: SendCall, accepted: readonly AcceptedSend[]): Promise<void> {
    const byId = new Map(accepted.map((entry) => [entry.accountId, entry]));
    await this.#perShard(call, [...byId.keys()], (key, ids) => {
      const names: Record<string, string> = { '#accepted': 'accepted', '#submitted': 'submitted', '#ttl': TTL_ATTRIBUTE };
      const values: Record<string, unknown> = { ':ids': new Set(ids) };
      const sets = ids.map((accountId, index) => {
        const entry = byId.get(accountId)!;
        names[`#a${index}`] = accountId;
        values[`:a${index}`] = { m: entry.messageId, t: entry.at };
        return `#accepted.#a${index} = :a${index}`;
      });
      return new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: `SET ${sets.join(', ')} REMOVE #ttl DELETE #submitted :ids`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      });
    });
  }

  /** One write per recipient shard among `accountIds` on the call's item in that shard (a send message is one shard's: one write). */
  async #perShard(call: SendCall, accountIds: readonly string[], command: (key: { pk: string; sk: string }, ids: string[]) => UpdateCommand): Promise<void> {
    const byShard = new Map<number, string[]>();
    for (const accountId of accountIds) {
      const shard = shardOf(accountId);
      byShard.set(shard, [...(byShard.get(shard) ?? []), accountId]);
    }
    await Promise.all([...byShard].map(([shard, ids]) => this.client.send(command(campaignCallKey(call.campaignId, shard, call.callId), ids))));
  }

  async acceptedInCalls(calls: readonly CallShard[]): Promise<Map<string, ReadonlyMap<string, string>>> {
    const byKey = new Map(calls.map((call) => [JSON.stringify(campaignCallKey(call.campaignId, call.shard, call.callId)), call]));
    const items = await batchGetAll(this.client, this.tableName, [...byKey.keys()].map((key) => JSON.parse(key) as { pk: string; sk: string }), {
      consistentRead: true,
      what: 'call reads',
      timers: this.#timers,
    });
    const accepted = new Map<string, ReadonlyMap<string, string>>();
    for (const item of items) {
      const call = byKey.get(JSON.stringify({ pk: item['pk'], sk: item['sk'] }));
      const entries = (item['accepted'] ?? {}) as Record<string, { m?: unknown }>;
      if (call) accepted.set(callRef(call), new Map(Object.entries(entries).flatMap(([accountId, entry]) => (typeof entry?.m === 'string' ? [[accountId, entry.m] as const] : []))));
    }
    return accepted;
  }

  /**
   * Notices' deliveries, in their call's delivery log (one write per call and batch of events,
   * not one per recipient): each account's first delivery instant is kept, a repeat changes
   * nothing. Answers the accounts this call kept (count those).
   */
  async recordDeliveries(call: CallShard, deliveries: readonly { readonly accountId: string; readonly at: string }[]): Promise<string[]> {
    const unique = [...new Map(deliveries.map((entry) => [entry.accountId, entry])).values()];
    if (unique.length === 0) return [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = unique.map((entry, index) => {
      names[`#d${index}`] = `${DELIVERY_ATTRIBUTE_PREFIX}${entry.accountId}`;
      values[`:d${index}`] = entry.at;
      return `#d${index} = if_not_exists(#d${index}, :d${index})`;
    });
    const result = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: deliveryLogKey(call.campaignId, call.shard, call.callId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_OLD',
      }),
    );
    const before = result.Attributes ?? {};
    return unique.filter((entry) => before[`${DELIVERY_ATTRIBUTE_PREFIX}${entry.accountId}`] === undefined).map((entry) => entry.accountId);
  }

  /** So the redelivered message may claim it at once. */
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

  /** One consistent BatchGet (100 keys a call). */
  async getRecipients(keys: readonly { campaignId: string; accountId: string }[]): Promise<Map<string, RecipientRecord>> {
    const items = await batchGetAll(
      this.client,
      this.tableName,
      keys.map(({ campaignId, accountId }) => recipientKey(campaignId, accountId)),
      { consistentRead: true, what: 'recipient reads', timers: this.#timers },
    );
    return new Map((await withSendFacts(this, items)).map(toRecord).map((record) => [recipientId(record.campaignId, record.accountId), record]));
  }

  /** The recipient item with its send facts (`withSendFacts`: tests, diagnostics), or undefined. */
  async getRecipient(campaignId: string, accountId: string): Promise<Item | undefined> {
    const item = await this.#getItem(recipientKey(campaignId, accountId));
    return item && (await withSendFacts(this, [item]))[0];
  }

  async recordOutcome(
    campaignId: string,
    accountId: string,
    event: OutcomeEvent,
    messageId: string,
    at: string,
    bounce?: { readonly type: string; readonly subType: string },
    options: { readonly acceptedByCall?: boolean } = {},
  ): Promise<OutcomeKept> {
    const key = recipientKey(campaignId, accountId);
    const names: Record<string, string> = { '#at': `${event}At`, '#eventMessageId': `${event}MessageId` };
    const values: Record<string, unknown> = { ':at': at, ':messageId': messageId };
    let update = 'SET #at = :at, #eventMessageId = :messageId';
    if (event === 'bounced' && bounce) {
      update += ', #bounceType = :bounceType, #bounceSubType = :bounceSubType';
      Object.assign(names, { '#bounceType': 'bounceType', '#bounceSubType': 'bounceSubType' });
      Object.assign(values, { ':bounceType': bounce.type, ':bounceSubType': bounce.subType });
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: update,
          // Not on a notice still `sending` unless its call's item holds its `sent` facts: else the caller settles it first (the email's first event is its reconciliation).
          ConditionExpression: options.acceptedByCall
            ? 'attribute_exists(pk) AND attribute_not_exists(#at)'
            : 'attribute_exists(pk) AND attribute_not_exists(#at) AND (attribute_not_exists(#status) OR #status <> :sending)',
          ExpressionAttributeNames: options.acceptedByCall ? names : { ...names, '#status': 'status' },
          ExpressionAttributeValues: options.acceptedByCall ? values : { ...values, ':sending': 'sending' },
        }),
      );
      return { kept: true, held: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    // Already kept (a redelivered event, or another message's), still `sending`, or no such recipient: one read tells which.
    const current = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: key,
        ConsistentRead: true,
        ProjectionExpression: '#eventMessageId, #status',
        ExpressionAttributeNames: { '#eventMessageId': `${event}MessageId`, '#status': 'status' },
      }),
    );
    if (current.Item?.['status'] === 'sending' && !options.acceptedByCall) return { kept: false, held: false, sending: true };
    return { kept: false, held: current.Item?.[`${event}MessageId`] === messageId };
  }

  /**
   * Note the recipient's choice in force. Monotonic by the choice's `seq` (the n-th change): a
   * repair that replays an older change never overwrites a newer one, so the mark converges on the
   * newest evidence whoever writes it, in any order (the recount reads the choice counters from it).
   */
  async markRecipient(campaignId: string, accountId: string, choice: RecordedChoice, onlyFirst: boolean): Promise<boolean> {
    const seq = choice.seq ?? 1;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: recipientKey(campaignId, accountId),
          UpdateExpression: 'SET #choice = :option, choiceAt = :at, choiceDefaulted = :defaulted, choiceSeq = :seq',
          ConditionExpression: onlyFirst
            ? 'attribute_exists(pk) AND attribute_not_exists(#choice)'
            : 'attribute_exists(pk) AND (attribute_not_exists(choiceSeq) OR choiceSeq < :seq)',
          ExpressionAttributeNames: { '#choice': 'choice' },
          ExpressionAttributeValues: { ':option': choice.option, ':at': choice.at, ':defaulted': choice.defaulted, ':seq': seq },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async retryCandidates(campaignId: string, shard: number, cursor?: Record<string, unknown>): Promise<{ items: FailedRecipient[]; cursor?: Record<string, unknown> }> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: '#status = :failed OR (#status = :released AND attribute_exists(retriedAt))',
        ProjectionExpression: 'sk, accountId, #region, #language, #status, failureReason',
        ExpressionAttributeNames: { '#status': 'status', '#region': 'region', '#language': 'language' },
        ExpressionAttributeValues: { ':pk': recipientPk(campaignId, shard), ':failed': 'failed', ':released': 'released' },
        ConsistentRead: true,
        ...(cursor ? { ExclusiveStartKey: cursor } : {}),
      }),
    );
    const items = (result.Items ?? []).map((item): FailedRecipient => ({
      accountId: typeof item['accountId'] === 'string' ? item['accountId'] : String(item['sk']).replace(/^ACCT#/, ''),
      region: String(item['region'] ?? 'global'),
      ...(typeof item['language'] === 'string' ? { language: item['language'] } : {}),
      status: item['status'] === 'failed' ? 'failed' : 'released',
      ...(typeof item['failureReason'] === 'string' ? { reason: item['failureReason'] } : {}),
      key: { pk: recipientPk(campaignId, shard), sk: String(item['sk']) },
    }));
    return result.LastEvaluatedKey ? { items, cursor: result.LastEvaluatedKey } : { items };
  }

  async requeueFailed(campaignId: string, accountId: string, reason: string, at: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: recipientKey(campaignId, accountId),
          UpdateExpression: 'SET #status = :released, retriedAt = :at, retriedReason = failureReason ADD retries :one REMOVE failureReason, failedAt',
          ConditionExpression: '#status = :failed AND failureReason = :reason',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':released': 'released', ':failed': 'failed', ':reason': reason, ':at': at, ':one': 1 },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
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
    const names: Record<string, string> = { '#status': f.status, '#lease': f.lease, '#at': to === 'sent' ? f.at : f.failedAt };
    const values: Record<string, unknown> = { ':to': to, ':sending': 'sending', ':at': detail.at };
    let update = 'SET #status = :to, #at = :at';
    if (detail.messageId !== undefined) {
      update += ', #messageId = :messageId';
      names['#messageId'] = f.messageId;
      values[':messageId'] = detail.messageId;
    }
    if (detail.reason !== undefined) {
      update += ', #reason = :reason';
      names['#reason'] = f.reason;
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

  async #getItem(key: { pk: string; sk: string }): Promise<Item | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return result.Item;
  }
}
