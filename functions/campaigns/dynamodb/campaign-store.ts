/**
 * `CampaignStore` on the ledger table (docs/design.md): the campaign's `META`, its sharded `CNT#`
 * counters and its `PLAN#` checkpoints. No transactions: every invariant is one conditional
 * single-item write, ordered so that a retry after a crash converges.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../../ledger/dynamo-batch.ts';
import { AUDIENCE_SHARDS } from '../../ledger/types.ts';
import { type Campaign, type CampaignSnapshot, COUNTER_NAMES, type Counters, type PlanAdvance, type PlanCursor, zeroCounters } from '../model.ts';
import type { CampaignStore } from '../ports.ts';
import { META_SK, campaignPk, counterSk, planSk } from './keys.ts';

export interface DynamoDbCampaignStoreOptions {
  readonly tableName: string;
  readonly client: DynamoDBDocumentClient;
}

/** The campaign items of the ledger table. */
export class DynamoDbCampaignStore implements CampaignStore {
  readonly tableName: string;
  readonly client: DynamoDBDocumentClient;
  readonly #campaigns = new Map<string, Campaign>();

  constructor(options: DynamoDbCampaignStoreOptions) {
    if (!options.tableName) throw new TypeError('DynamoDbCampaignStore needs a tableName');
    this.tableName = options.tableName;
    this.client = options.client;
  }

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
  async advancePlan(campaignId: string, region: string, shard: number, fromPage: number, next: PlanAdvance): Promise<boolean> {
    const set = ['#page = :next', '#done = :done', 'updatedAt = :now'];
    const remove: string[] = [];
    const values: Record<string, unknown> = { ':next': fromPage + 1, ':done': next.cursor === undefined, ':n': next.audience, ':now': next.at };
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
