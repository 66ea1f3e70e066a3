/**
 * `AcceptanceStore` on one DynamoDB table through an injectable `DynamoDBDocumentClient`.
 * No transactions (dynalite has none): every invariant is one conditional single-item write,
 * and the writes of a use case are ordered so that a retry after a crash converges. The state
 * item's writes (acceptance, `choice`) live in `dynamodb-state.ts`, its one writer; its `notified`
 * is derived on read from the campaigns' items (`notified.ts`).
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  type NativeAttributeValue,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { batchGetAll, batchPutAll, isConditionFailure } from './dynamo-batch.ts';
import { systemTimers } from '../core/clock.ts';
import type { Timers } from '../core/retry.ts';
import { advanceState, recordChoice } from './dynamodb-state.ts';
import { derivedNotified } from './notified.ts';
import { withSendFacts } from './send-facts.ts';
import { decodeCursor, encodeCursor, type StoreKey } from './cursor.ts';
import { InvalidCursorError, LedgerIntegrityError } from './errors.ts';
import {
  CONTACT_SK,
  EVIDENCE_SK_PREFIX,
  accountPk,
  campaignMetaKey,
  campaignRecipientKey,
  campaignRecipientPk,
  choiceEvidenceSk,
  contactEventSk,
  audiencePk,
  audienceSkBelow,
  evidenceByNoticePk,
  evidenceByNoticeSk,
  evidenceSk,
  shardOf,
  stateSk,
} from './keys.ts';
import type { AcceptanceStore } from './store.ts';
import { AUDIENCE_INDEX, EVIDENCE_BY_NOTICE_INDEX } from './table-definition.ts';
import { evidenceOrder, pageOf, type EvidenceFilter } from './evidence-order.ts';
import { NOTIFICATION_ATTRIBUTES, mergeBySortKey, notificationEvidenceOf } from './notification-evidence.ts';
import { campaignIdFor } from '../core/audience.ts';
import type {
  AccountEvidence,
  AcceptanceRecord,
  AcceptanceState,
  ContactEvidence,
  AppendOutcome,
  AudienceMember,
  AudienceQuery,
  ChoiceEvidence,
  ChoiceWrite,
  EvidenceRecord,
  Page,
  RecordedChoice,
  StoredEvidence,
} from './types.ts';

export interface DynamoDbAcceptanceStoreOptions {
  readonly tableName: string;
  /** A document client; built from `clientConfig` when absent. */
  readonly client?: DynamoDBDocumentClient;
  readonly clientConfig?: DynamoDBClientConfig;
  /** Waits between retries of unprocessed batch items. @default systemTimers */
  readonly timers?: Timers;
  /**
   * The notice versions whose campaigns (`campaignIdFor`) may hold an account's notification
   * evidence on their recipient items (`notification-evidence.ts`). @default every version of the content index
   */
  readonly campaignVersions?: () => readonly { readonly noticeId: string; readonly version: number }[];
}

/** Every notice version of the content index (read when first needed, so a store that never lists evidence never loads it). */
const contentIndexVersions = async (): Promise<readonly { noticeId: string; version: number }[]> => {
  const { contentIndex } = await import('../content/index-artifact.ts');
  return contentIndex.notices.flatMap((notice) => notice.versions.map((version) => ({ noticeId: notice.noticeId, version: version.version })));
};

/** The projection of a recipient item's notification attributes (and its key, to tell campaigns apart). */
const NOTIFICATION_PROJECTION = {
  expression: ['pk', 'sk', ...NOTIFICATION_ATTRIBUTES].map((_, index) => `#n${index}`).join(', '),
  names: Object.fromEntries(['pk', 'sk', ...NOTIFICATION_ATTRIBUTES].map((name, index) => [`#n${index}`, name])),
};
const RECIPIENT_KEYS = ['pk', 'sk'] as const;

const DEFAULT_AUDIENCE_PAGE = 500;
const MAX_AUDIENCE_PAGE = 1000;
const AUDIENCE_KEYS = ['pk', 'sk', 'gsi1pk', 'gsi1sk'] as const;
const NOTICE_EVIDENCE_KEYS = ['pk', 'sk', 'gsi2pk', 'gsi2sk'] as const;

/** A document client that drops undefined attributes (optional evidence fields). */
export const createDocumentClient = (config: DynamoDBClientConfig = {}): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(new DynamoDBClient(config), { marshallOptions: { removeUndefinedValues: true } });

/** Copy without undefined values, so an injected client without `removeUndefinedValues` works too. */
const defined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;


/** The item without its key attributes, as the document client read it (its values are `NativeAttributeValue`). */
const stripKeys = (item: Record<string, NativeAttributeValue>): Record<string, NativeAttributeValue> => {
  const { pk: _pk, sk: _sk, gsi1pk: _g1p, gsi1sk: _g1s, gsi2pk: _g2p, gsi2sk: _g2s, ...rest } = item;
  return rest;
};

/** An evidence item in the table's key design (GSI2 makes it part of the regulator export). */
const evidenceItem = (accountId: string, noticeId: string, evidence: EvidenceRecord): Record<string, unknown> =>
  defined({
    ...evidence,
    ...('source' in evidence ? { source: defined(evidence.source) } : {}),
    accountId,
    noticeId,
    pk: accountPk(accountId),
    sk: evidenceSk(noticeId, evidence),
    gsi2pk: evidenceByNoticePk(noticeId, shardOf(accountId)),
    gsi2sk: evidenceByNoticeSk(evidence.at, accountId),
  });

/** The ledger's DynamoDB adapter. */
export class DynamoDbAcceptanceStore implements AcceptanceStore {
  readonly tableName: string;
  readonly client: DynamoDBDocumentClient;
  readonly #timers: Timers;

  constructor(options: DynamoDbAcceptanceStoreOptions) {
    if (!options.tableName) throw new TypeError('DynamoDbAcceptanceStore needs a tableName');
    this.tableName = options.tableName;
    this.client = options.client ?? createDocumentClient(options.clientConfig);
    this.#timers = options.timers ?? systemTimers;
    this.#campaignVersions = options.campaignVersions;
  }

  readonly #campaignVersions: (() => readonly { readonly noticeId: string; readonly version: number }[]) | undefined;

  async #versions(noticeId?: string): Promise<readonly { readonly noticeId: string; readonly version: number; readonly campaignId: string }[]> {
    const all = this.#campaignVersions ? this.#campaignVersions() : await contentIndexVersions();
    return all
      .filter((entry) => noticeId === undefined || entry.noticeId === noticeId)
      .map((entry) => ({ ...entry, campaignId: campaignIdFor(entry.noticeId, entry.version) }));
  }

  /** The notification evidence the account's recipient items hold (one consistent BatchGet over the candidate campaigns). */
  async #recipientEvidence(accountId: string, filter: EvidenceFilter): Promise<{ sk: string; item: AccountEvidence }[]> {
    if (filter.kind !== undefined && filter.kind !== 'notification') return [];
    const campaigns = await this.#versions(filter.noticeId);
    if (campaigns.length === 0) return [];
    const byPk = new Map(campaigns.map((campaign) => [campaignRecipientKey(campaign.campaignId, accountId).pk, campaign]));
    const items = await batchGetAll(
      this.client,
      this.tableName,
      campaigns.map((campaign) => campaignRecipientKey(campaign.campaignId, accountId)),
      { consistentRead: true, projection: NOTIFICATION_PROJECTION, what: 'recipient evidence', timers: this.#timers },
    );
    return (await withSendFacts(this, items)).flatMap((item) => {
      const campaign = byPk.get(String(item['pk']));
      return campaign && item['sk'] === `ACCT#${accountId}` ? notificationEvidenceOf(item, campaign) : [];
    });
  }

  async appendAcceptance(record: AcceptanceRecord): Promise<AppendOutcome> {
    const created = await this.appendEvidence(record.accountId, record.noticeId, record);
    if (created) return { created, record };
    // Same variant already accepted: answer with the first record, read strongly so a retry sees it.
    const existing = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: accountPk(record.accountId), sk: evidenceSk(record.noticeId, record) },
        ConsistentRead: true,
      }),
    );
    if (!existing.Item) throw new LedgerIntegrityError('acceptance evidence vanished after a conditional failure');
    return { created: false, record: toAcceptanceRecord(existing.Item) };
  }

  async advanceState(record: AcceptanceRecord): Promise<boolean> {
    return advanceState(this, record);
  }

  async recordChoice(accountId: string, noticeId: string, choice: RecordedChoice): Promise<ChoiceWrite> {
    return recordChoice(this, accountId, noticeId, choice);
  }

  async getChoiceEvidence(accountId: string, noticeId: string, campaignId: string, seq: number): Promise<ChoiceEvidence | undefined> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: accountPk(accountId), sk: choiceEvidenceSk(noticeId, campaignId, seq) }, ConsistentRead: true }),
    );
    return result.Item ? (stripKeys(result.Item) as unknown as ChoiceEvidence) : undefined;
  }

  /**
   * The state item with its `notified` derived (`notified.ts`): one consistent BatchGet of the
   * state, and of the recipient item and campaign item of each version's campaign of the notice.
   */
  async getState(accountId: string, noticeId: string, options: { readonly notified?: boolean } = {}): Promise<AcceptanceState | undefined> {
    const stateKey = { pk: accountPk(accountId), sk: stateSk(noticeId) };
    if (options.notified === false) {
      const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: stateKey, ConsistentRead: true }));
      if (!result.Item || typeof result.Item['acceptedVersion'] !== 'number') return undefined;
      const { notified: _stored, ...state } = stripKeys(result.Item) as AcceptanceState;
      return state;
    }
    const campaigns = await this.#versions(noticeId);
    const keys = [stateKey, ...campaigns.flatMap((campaign) => [campaignRecipientKey(campaign.campaignId, accountId), campaignMetaKey(campaign.campaignId)])];
    // The recipient items with their send facts: a notice its call recorded reads `sent` (`send-facts.ts`).
    const items = new Map(
      (await withSendFacts(this, await batchGetAll(this.client, this.tableName, keys, { consistentRead: true, what: 'account state', timers: this.#timers }))).map((item) => [
        `${item['pk']}|${item['sk']}`,
        item,
      ]),
    );
    const item = items.get(`${stateKey.pk}|${stateKey.sk}`);
    if (!item || typeof item['acceptedVersion'] !== 'number') return undefined;
    const { notified: stored, ...state } = stripKeys(item) as AcceptanceState;
    const of = (key: { pk: string; sk: string }) => items.get(`${key.pk}|${key.sk}`);
    const notified = derivedNotified(
      campaigns.map((campaign) => ({
        version: campaign.version,
        campaignId: campaign.campaignId,
        recipient: of(campaignRecipientKey(campaign.campaignId, accountId)),
        campaign: of(campaignMetaKey(campaign.campaignId)),
      })),
      stored,
    );
    return notified ? { ...state, notified } : state;
  }

  async listEvidence(accountId: string, page: EvidenceFilter & { limit: number; cursor?: string }): Promise<Page<AccountEvidence>> {
    return pageOf(await this.listAccountEvidence(accountId, page), accountId, page);
  }

  /** Every evidence item of the account (all its DynamoDB pages), in time order, optionally of one notice or kind. */
  async listAccountEvidence(accountId: string, filter: EvidenceFilter = {}): Promise<AccountEvidence[]> {
    const entries: { sk: string; item: AccountEvidence }[] = [];
    let start: Record<string, NativeAttributeValue> | undefined;
    do {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': accountPk(accountId), ':prefix': EVIDENCE_SK_PREFIX },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of result.Items ?? []) entries.push({ sk: String(item['sk']), item: stripKeys(item) as AccountEvidence });
      start = result.LastEvaluatedKey;
    } while (start);
    return evidenceOrder(mergeBySortKey([...entries, ...(await this.#recipientEvidence(accountId, filter))]), filter);
  }

  async appendEvidence(accountId: string, noticeId: string, evidence: EvidenceRecord): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: evidenceItem(accountId, noticeId, evidence),
          // Append-only: an existing evidence item is never overwritten.
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Append evidence that restates a third party's record, 25 items per BatchWrite: each item's
   * every field comes from the source event (an SES event's own timestamp and message id), so
   * writing it again writes the same bytes, and the append-only rule holds without the per-item
   * condition a BatchWrite cannot carry. Only for such evidence: never for acceptances or choices.
   */
  async appendEventEvidence(entries: readonly { accountId: string; noticeId: string; evidence: EvidenceRecord }[]): Promise<void> {
    const items = new Map<string, Record<string, unknown>>();
    for (const { accountId, noticeId, evidence } of entries) {
      const item = evidenceItem(accountId, noticeId, evidence);
      items.set(`${item['pk']}|${item['sk']}`, item); // one BatchWrite may not name a key twice
    }
    await batchPutAll(this.client, this.tableName, [...items.values()], 'evidence', this.#timers);
  }

  async putContact(accountId: string, email: string, at: string, via: ContactEvidence['via'] = 'contact'): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: accountPk(accountId), sk: CONTACT_SK },
          UpdateExpression: 'SET #accountId = :accountId, #email = :email, #updatedAt = :at',
          // The tombstone (`erasedAt`) stays on the item: no request made before the erasure sets an address again.
          ConditionExpression: 'attribute_not_exists(#erasedAt) OR #erasedAt < :at',
          ExpressionAttributeNames: { '#accountId': 'accountId', '#email': 'email', '#updatedAt': 'updatedAt', '#erasedAt': 'erasedAt' },
          ExpressionAttributeValues: { ':accountId': accountId, ':email': email, ':at': at },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
    await this.#appendContactEvent(accountId, { kind: 'contact', event: 'set', via, at });
    return true;
  }

  async deleteContact(accountId: string, at: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: accountPk(accountId), sk: CONTACT_SK },
          UpdateExpression: 'SET #accountId = :accountId, #erasedAt = :at REMOVE #email',
          ConditionExpression: 'attribute_not_exists(#erasedAt) OR #erasedAt < :at',
          ExpressionAttributeNames: { '#accountId': 'accountId', '#email': 'email', '#erasedAt': 'erasedAt' },
          ExpressionAttributeValues: { ':accountId': accountId, ':at': at },
        }),
      );
    } catch (error) {
      // A later erasure is already there: the address is gone either way.
      if (!isConditionFailure(error)) throw error;
    }
    await this.#appendContactEvent(accountId, { kind: 'contact', event: 'erased', via: 'contact', at });
  }

  /** The tombstone's instant, if the contact was ever erased. */
  async contactErasedAt(accountId: string): Promise<string | undefined> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: accountPk(accountId), sk: CONTACT_SK }, ConsistentRead: true, ProjectionExpression: 'erasedAt' }),
    );
    const erasedAt = result.Item?.['erasedAt'];
    return typeof erasedAt === 'string' ? erasedAt : undefined;
  }

  async #appendContactEvent(accountId: string, evidence: ContactEvidence): Promise<void> {
    await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: { ...evidence, accountId, pk: accountPk(accountId), sk: contactEventSk(evidence.at, randomUUID()) } }),
    );
  }

  async getContacts(accountIds: readonly string[]): Promise<Map<string, string>> {
    const items = await batchGetAll(
      this.client,
      this.tableName,
      accountIds.map((accountId) => ({ pk: accountPk(accountId), sk: CONTACT_SK })),
      { projection: { expression: '#accountId, #email', names: { '#accountId': 'accountId', '#email': 'email' } }, what: 'contacts', timers: this.#timers },
    );
    const contacts = new Map<string, string>();
    for (const item of items) {
      if (typeof item['accountId'] === 'string' && typeof item['email'] === 'string') contacts.set(item['accountId'], item['email']);
    }
    return contacts;
  }

  async queryAudience(input: AudienceQuery): Promise<{ members: AudienceMember[]; cursor?: string }> {
    const binding = `audience:${input.noticeId}:${input.region}:${input.shard}:${input.belowVersion}`;
    const start = input.cursor ? decodeCursor(input.cursor, binding, AUDIENCE_KEYS) : undefined;
    const limit = Math.min(Math.max(1, input.limit ?? DEFAULT_AUDIENCE_PAGE), MAX_AUDIENCE_PAGE);
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: AUDIENCE_INDEX,
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk < :below',
        ExpressionAttributeValues: {
          ':pk': audiencePk(input.noticeId, input.region, input.shard),
          ':below': audienceSkBelow(input.belowVersion),
        },
        Limit: limit,
        ExclusiveStartKey: start,
      }),
    );
    const members = (result.Items ?? []).map((item) => ({
      accountId: String(item['accountId']),
      region: String(item['region']),
      language: String(item['language']),
      acceptedVersion: Number(item['acceptedVersion']),
    }));
    const next = result.LastEvaluatedKey as StoreKey | undefined;
    return { members, ...(next ? { cursor: encodeCursor(pick(next, AUDIENCE_KEYS), binding) } : {}) };
  }

  /** One page of a notice's evidence in one shard, oldest first (GSI2; the export walks every shard). */
  async listNoticeEvidence(input: { noticeId: string; shard: number; cursor?: string; limit?: number }): Promise<Page<StoredEvidence>> {
    const binding = `notice-evidence:${input.noticeId}:${input.shard}`;
    const start = input.cursor ? decodeCursor(input.cursor, binding, NOTICE_EVIDENCE_KEYS) : undefined;
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: EVIDENCE_BY_NOTICE_INDEX,
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': evidenceByNoticePk(input.noticeId, input.shard) },
        Limit: input.limit ?? DEFAULT_AUDIENCE_PAGE,
        ExclusiveStartKey: start,
      }),
    );
    const items = (result.Items ?? []).map((item) => stripKeys(item) as StoredEvidence);
    const next = result.LastEvaluatedKey as StoreKey | undefined;
    return { items, ...(next ? { cursor: encodeCursor(pick(next, NOTICE_EVIDENCE_KEYS), binding) } : {}) };
  }

  /**
   * One page of the notification evidence a notice's campaigns keep on their recipient items in
   * one shard (`notification-evidence.ts`), campaign by campaign; the export reads it after the
   * shard's GSI2 items. A page may hold more records than `limit` (up to six per recipient).
   */
  async listCampaignNotificationEvidence(input: { noticeId: string; shard: number; cursor?: string; limit?: number }): Promise<Page<StoredEvidence>> {
    const binding = `campaign-evidence:${input.noticeId}:${input.shard}`;
    const campaigns = await this.#versions(input.noticeId);
    const position = input.cursor ? decodeCursor(input.cursor, binding, ['c', ...RECIPIENT_KEYS]) : undefined;
    let index = position ? Number(position['c']) : 0;
    if (!Number.isSafeInteger(index) || index < 0) throw new InvalidCursorError();
    let start: StoreKey | undefined = position ? pickKey(position) : undefined;
    const items: StoredEvidence[] = [];
    const limit = input.limit ?? DEFAULT_AUDIENCE_PAGE;
    for (; index < campaigns.length; index++, start = undefined) {
      const campaign = campaigns[index]!;
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#n0 = :pk',
          ExpressionAttributeNames: NOTIFICATION_PROJECTION.names,
          ExpressionAttributeValues: { ':pk': campaignRecipientPk(campaign.campaignId, input.shard) },
          ProjectionExpression: NOTIFICATION_PROJECTION.expression,
          Limit: limit,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of await withSendFacts(this, result.Items ?? [])) items.push(...notificationEvidenceOf(item, campaign).map((entry) => entry.item));
      const next = result.LastEvaluatedKey as StoreKey | undefined;
      if (next) return { items, cursor: encodeCursor({ c: String(index), ...pickKey(next) }, binding) };
    }
    return { items };
  }
}

/**
 * The stored acceptance in the same field order as a freshly built one: engines return attributes
 * in their own order (DynamoDB Local differs from dynalite), and a repeated answer must be the same.
 */
const toAcceptanceRecord = (item: Record<string, unknown>): AcceptanceRecord => {
  const source = (item['source'] ?? {}) as Record<string, unknown>;
  return {
    kind: 'acceptance',
    accountId: String(item['accountId']),
    noticeId: String(item['noticeId']),
    version: Number(item['version']),
    region: String(item['region']),
    language: String(item['language']),
    contentHash: String(item['contentHash']),
    at: String(item['at']),
    ...(typeof item['acceptedAt'] === 'string' ? { acceptedAt: item['acceptedAt'], imported: true } : {}),
    source: {
      channel: String(source['channel']),
      ...(typeof source['ipPrefix'] === 'string' ? { ipPrefix: source['ipPrefix'] } : {}),
      ...(typeof source['userAgent'] === 'string' ? { userAgent: source['userAgent'] } : {}),
    },
  };
};

const pickKey = (key: Record<string, unknown>): StoreKey => ({ pk: String(key['pk']), sk: String(key['sk']) }) as StoreKey;

const pick = (key: StoreKey, names: readonly string[]): StoreKey =>
  Object.fromEntries(names.filter((name) => key[name] !== undefined).map((name) => [name, key[name]!]));
