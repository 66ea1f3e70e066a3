/**
 * `CampaignStore` on the ledger table (docs/design.md): the campaign's `META`, its sharded `CNT#`
 * counters and its `PLAN#` checkpoints. No transactions: every invariant is one conditional
 * single-item write, ordered so that a retry after a crash converges.
 */
import { type DynamoDBDocumentClient, DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type CampaignMetrics, countDelta, noMetrics } from '../metrics.ts';
import { isConditionFailure } from '../../ledger/dynamo-batch.ts';
import { AUDIENCE_SHARDS } from '../../ledger/types.ts';
import { type Campaign, type CampaignSnapshot, COUNTER_NAMES, isRunning, RUN_TRANSITIONS, type RunAction, type Counters, type PlanAdvance, type PlanCursor, zeroCounters } from '../model.ts';
import type { CampaignControlStore, CampaignStore } from '../ports.ts';
import { META_SK, campaignPk, counterSk, parkPk, planSk } from './keys.ts';

export interface DynamoDbCampaignStoreOptions {
  readonly tableName: string;
  readonly client: DynamoDBDocumentClient;
  /** Every counter delta is also counted as campaign metrics (`metrics.ts`): one owner for both. @default none */
  readonly metrics?: CampaignMetrics;
  /** How long a started campaign is served from memory (its run state may change: pause, resume). @default 5000 */
  readonly cacheMs?: number;
}

/** The campaign items of the ledger table. */
export class DynamoDbCampaignStore implements CampaignStore, CampaignControlStore {
  readonly tableName: string;
  readonly client: DynamoDBDocumentClient;
  readonly #campaigns = new Map<string, { campaign: Campaign; until: number }>();
  readonly #cacheMs: number;
  readonly #metrics: CampaignMetrics;

  constructor(options: DynamoDbCampaignStoreOptions) {
    if (!options.tableName) throw new TypeError('DynamoDbCampaignStore needs a tableName');
    this.tableName = options.tableName;
    this.client = options.client;
    this.#cacheMs = options.cacheMs ?? 5000;
    this.#metrics = options.metrics ?? noMetrics;
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

  /**
   * The campaign, or undefined. A started, running campaign changes only its run state, so it is
   * cached a few seconds (a pause takes effect within them). A paused or blocked one is never
   * cached: the sender parks on what it reads, and a cached pause would park the very messages a
   * resume just put back, where they would stay until the next resume.
   */
  async getCampaign(campaignId: string, options: { consistent?: boolean; fresh?: boolean } = {}): Promise<Campaign | undefined> {
    const cached = this.#campaigns.get(campaignId);
    if (cached && cached.until > Date.now() && !options.fresh) return cached.campaign;
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: campaignPk(campaignId), sk: META_SK }, ConsistentRead: options.consistent ?? true }),
    );
    if (!result.Item) return undefined;
    const { pk: _pk, sk: _sk, ...campaign } = result.Item;
    if (campaign['status'] === 'started' && isRunning(campaign as Campaign)) this.#campaigns.set(campaignId, { campaign: campaign as Campaign, until: Date.now() + this.#cacheMs });
    return campaign as Campaign;
  }

  /** Move a started campaign's run state by `action`; the new campaign, or the current one when the move is not allowed from its state. */
  async setRunState(campaignId: string, action: RunAction, at: string, reason?: string): Promise<{ moved: boolean; campaign: Campaign | undefined }> {
    const { from, to } = RUN_TRANSITIONS[action];
    const values: Record<string, unknown> = { ':started': 'started', ':run': { status: to, at, ...(reason ? { reason } : {}) } };
    from.forEach((state, index) => (values[`:from${index}`] = state));
    const inFrom = `#run.#status IN (${from.map((_, index) => `:from${index}`).join(', ')})`;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: campaignPk(campaignId), sk: META_SK },
          UpdateExpression: 'SET #run = :run',
          ConditionExpression: `#status = :started AND (${from.includes('running') ? `attribute_not_exists(#run) OR ${inFrom}` : inFrom})`,
          ExpressionAttributeNames: { '#run': 'run', '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      );
      this.#campaigns.delete(campaignId);
      return { moved: true, campaign: await this.getCampaign(campaignId) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      this.#campaigns.delete(campaignId);
      return { moved: false, campaign: await this.getCampaign(campaignId) };
    }
  }

  /** Keep a send message of a paused campaign until it resumes (keyed by its queue message id: parking twice is one item). */
  async park(campaignId: string, messageId: string, body: string, at: string): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { pk: parkPk(campaignId), sk: messageId, body, at } }));
  }

  /** One page of parked send messages. */
  async parked(campaignId: string, cursor?: Record<string, unknown>): Promise<{ items: { messageId: string; body: string }[]; cursor?: Record<string, unknown> }> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': parkPk(campaignId) },
        ConsistentRead: true,
        Limit: 100,
        ...(cursor ? { ExclusiveStartKey: cursor } : {}),
      }),
    );
    const items = (result.Items ?? []).map((item) => ({ messageId: String(item['sk']), body: String(item['body']) }));
    return result.LastEvaluatedKey ? { items, cursor: result.LastEvaluatedKey } : { items };
  }

  async unpark(campaignId: string, messageIds: readonly string[]): Promise<void> {
    for (const messageId of messageIds) await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: parkPk(campaignId), sk: messageId } }));
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
          // A middle page with a carry removes nothing: an empty REMOVE clause is a syntax error (ValidationException).
          UpdateExpression: `SET ${set.join(', ')} ADD audience :n${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
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
    countDelta(this.#metrics, campaignId, deltas);
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
