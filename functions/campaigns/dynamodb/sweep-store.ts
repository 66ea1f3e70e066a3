/** `SweepStore` and `SweepCheckpointStore` on the ledger table: recipients read from their sharded partitions, walk checkpoints on `SWEEP#<scope>`/`STEP#<step>`. */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../../ledger/dynamo-batch.ts';
import { withSendFacts } from '../../ledger/send-facts.ts';
import type { CheckpointAdvance, SweepCheckpoint, SweepCheckpointStore, SweepRecipient, SweepStore } from '../ports.ts';
import { recipientPk, sweepCheckpointKey } from './keys.ts';

const RECIPIENT_PAGE = 500;

/** `SweepStore` on the ledger table. */
export class DynamoDbSweepStore implements SweepStore, SweepCheckpointStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    if (!options.tableName) throw new TypeError('DynamoDbSweepStore needs a tableName');
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async recipients(campaignId: string, shard: number, cursor?: Record<string, unknown>, limit = RECIPIENT_PAGE): Promise<{ items: SweepRecipient[]; cursor?: Record<string, unknown> }> {
    const result = await this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': recipientPk(campaignId, shard) },
        // With what the recipients' send facts need (`withSendFacts`): a notice its call recorded reads `sent`.
        ProjectionExpression: 'pk, sk, accountId, #region, #language, #status, #attempt, reminderStatus, reminderAttempt, choice, late',
        ExpressionAttributeNames: { '#region': 'region', '#language': 'language', '#status': 'status', '#attempt': 'attempt' },
        Limit: limit,
        ...(cursor ? { ExclusiveStartKey: cursor } : {}),
      }),
    );
    const items = (await withSendFacts({ client: this.#client, tableName: this.#tableName }, result.Items ?? [])).map((item): SweepRecipient => ({
      accountId: typeof item['accountId'] === 'string' ? item['accountId'] : String(item['sk']).replace(/^ACCT#/, ''),
      ...(typeof item['region'] === 'string' ? { region: item['region'] } : {}),
      ...(typeof item['language'] === 'string' ? { language: item['language'] } : {}),
      ...(typeof item['status'] === 'string' ? { status: item['status'] } : {}),
      ...(typeof item['reminderStatus'] === 'string' ? { reminderStatus: item['reminderStatus'] } : {}),
      ...(typeof item['choice'] === 'string' ? { choice: item['choice'] } : {}),
      ...(item['late'] === true ? { late: true } : {}),
    }));
    return result.LastEvaluatedKey ? { items, cursor: result.LastEvaluatedKey } : { items };
  }

  async getCheckpoint(scope: string, step: string): Promise<SweepCheckpoint> {
    const result = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: sweepCheckpointKey(scope, step), ConsistentRead: true }));
    const item = result.Item;
    return {
      page: typeof item?.['page'] === 'number' ? item['page'] : 0,
      ...(typeof item?.['cursor'] === 'string' ? { cursor: item['cursor'] } : {}),
      done: typeof item?.['doneAt'] === 'string',
    };
  }

  async advanceCheckpoint(scope: string, step: string, advance: CheckpointAdvance): Promise<boolean> {
    const doneNow = advance.complete && advance.once;
    const set = ['#page = :next', '#updatedAt = :at', ...(advance.next !== undefined ? ['#cursor = :cursor'] : []), ...(doneNow ? ['#doneAt = :at'] : [])];
    const add = ['#processed :processed', ...(advance.complete ? ['#passes :one'] : [])];
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: sweepCheckpointKey(scope, step),
          UpdateExpression: `SET ${set.join(', ')} ADD ${add.join(', ')}${advance.next === undefined ? ' REMOVE #cursor' : ''}`,
          ConditionExpression: advance.fromPage === 0 ? 'attribute_not_exists(#page) OR #page = :from' : '#page = :from',
          ExpressionAttributeNames: {
            '#page': 'page',
            '#cursor': 'cursor',
            '#updatedAt': 'updatedAt',
            '#processed': 'processed',
            ...(doneNow ? { '#doneAt': 'doneAt' } : {}),
            ...(advance.complete ? { '#passes': 'passes' } : {}),
          },
          ExpressionAttributeValues: {
            ':from': advance.fromPage,
            ':next': advance.fromPage + 1,
            ':at': advance.at,
            ':processed': advance.processed,
            ...(advance.next !== undefined ? { ':cursor': advance.next } : {}),
            ...(advance.complete ? { ':one': 1 } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
