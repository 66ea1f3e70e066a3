/** `SweepStore` on the ledger table: recipients read from their sharded partitions, finished sweeps noted on `CMP#<id>`/`SCHED`. */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../../ledger/dynamo-batch.ts';
import type { SweepName, SweepRecipient, SweepStore } from '../ports.ts';
import { SCHED_SK, campaignPk, recipientPk } from './keys.ts';

const SWEEP_ATTRIBUTE: Record<SweepName, string> = { reminders: 'remindersQueuedAt', defaults: 'defaultsAppliedAt' };
const RECIPIENT_PAGE = 500;

/** `SweepStore` on the ledger table. */
export class DynamoDbSweepStore implements SweepStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    if (!options.tableName) throw new TypeError('DynamoDbSweepStore needs a tableName');
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async recipients(campaignId: string, shard: number, cursor?: Record<string, unknown>): Promise<{ items: SweepRecipient[]; cursor?: Record<string, unknown> }> {
    const result = await this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': recipientPk(campaignId, shard) },
        ProjectionExpression: 'sk, accountId, #region, #language, #status, reminderStatus, choice, late',
        ExpressionAttributeNames: { '#region': 'region', '#language': 'language', '#status': 'status' },
        Limit: RECIPIENT_PAGE,
        ...(cursor ? { ExclusiveStartKey: cursor } : {}),
      }),
    );
    const items = (result.Items ?? []).map((item) => ({
      ...(item as SweepRecipient),
      accountId: typeof item['accountId'] === 'string' ? item['accountId'] : String(item['sk']).replace(/^ACCT#/, ''),
    }));
    return result.LastEvaluatedKey ? { items, cursor: result.LastEvaluatedKey } : { items };
  }

  async sweepDone(campaignId: string, sweep: SweepName): Promise<boolean> {
    const result = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { pk: campaignPk(campaignId), sk: SCHED_SK }, ConsistentRead: true }),
    );
    return typeof result.Item?.[SWEEP_ATTRIBUTE[sweep]] === 'string';
  }

  async markSweepDone(campaignId: string, sweep: SweepName, at: string): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: campaignPk(campaignId), sk: SCHED_SK },
          UpdateExpression: 'SET #done = :at',
          ConditionExpression: 'attribute_not_exists(#done)',
          ExpressionAttributeNames: { '#done': SWEEP_ATTRIBUTE[sweep] },
          ExpressionAttributeValues: { ':at': at },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
