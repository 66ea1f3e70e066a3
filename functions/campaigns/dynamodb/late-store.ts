/**
 * `LateMarkerStore` on the ledger table: the sparse `CMP#<id>#LATE#<shard>` partitions the accounts
 * API writes when an account becomes affected after a campaign started, and the late recipient
 * items the scheduler's enrolment step creates. Every write is one conditional single-item update.
 */
import { type DynamoDBDocumentClient, DeleteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../../ledger/dynamo-batch.ts';
import type { LateMarker, LateMarkerStore, LateStage } from '../ports.ts';
import { lateKey, latePk, recipientKey } from './keys.ts';

const PAGE = 200;

const conditional = async (write: Promise<unknown>): Promise<boolean> => {
  try {
    await write;
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
};

/** The late-enrolment items of the ledger table. */
export class DynamoDbLateMarkerStore implements LateMarkerStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    if (!options.tableName) throw new TypeError('DynamoDbLateMarkerStore needs a tableName');
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async note(campaignId: string, accountId: string, at: string): Promise<void> {
    // An enrolled marker keeps its stage: noting again (a retried acceptance) never re-sends.
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: lateKey(campaignId, accountId),
        UpdateExpression: 'SET accountId = :id, stage = if_not_exists(stage, :noted), notedAt = :at',
        ExpressionAttributeValues: { ':id': accountId, ':noted': 'noted', ':at': at },
      }),
    );
  }

  async page(campaignId: string, shard: number, cursor?: Record<string, unknown>, limit = PAGE): Promise<{ items: LateMarker[]; cursor?: Record<string, unknown> }> {
    const result = await this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': latePk(campaignId, shard) },
        ConsistentRead: true,
        Limit: limit,
        ...(cursor ? { ExclusiveStartKey: cursor } : {}),
      }),
    );
    const items = (result.Items ?? []).map((item) => ({
      accountId: String(item['accountId']),
      stage: item['stage'] as LateStage,
      notedAt: String(item['notedAt']),
      ...(typeof item['deadline'] === 'string' ? { deadline: item['deadline'] } : {}),
    }));
    return result.LastEvaluatedKey ? { items, cursor: result.LastEvaluatedKey } : { items };
  }

  async advance(campaignId: string, accountId: string, stage: LateStage, deadline?: string): Promise<void> {
    await conditional(
      this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: lateKey(campaignId, accountId),
          UpdateExpression: deadline ? 'SET stage = :stage, deadline = :deadline' : 'SET stage = :stage',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':stage': stage, ...(deadline ? { ':deadline': deadline } : {}) },
        }),
      ),
    );
  }

  async remove(campaignId: string, accountId: string): Promise<void> {
    await this.#client.send(new DeleteCommand({ TableName: this.#tableName, Key: lateKey(campaignId, accountId) }));
  }

  async createLateRecipient(campaignId: string, accountId: string, fields: { region: string; language: string; deadline: string; at: string }): Promise<boolean> {
    return conditional(
      this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: recipientKey(campaignId, accountId),
          UpdateExpression: 'SET accountId = :id, campaignId = :campaign, #region = :region, #language = :language, deadline = :deadline, late = :true, enrolledAt = :at',
          ConditionExpression: 'attribute_not_exists(pk)',
          ExpressionAttributeNames: { '#region': 'region', '#language': 'language' },
          ExpressionAttributeValues: {
            ':id': accountId,
            ':campaign': campaignId,
            ':region': fields.region,
            ':language': fields.language,
            ':deadline': fields.deadline,
            ':true': true,
            ':at': fields.at,
          },
        }),
      ),
    );
  }

  async reviveNoContact(campaignId: string, accountId: string, deadline: string, at: string): Promise<boolean> {
    return conditional(
      this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: recipientKey(campaignId, accountId),
          // The planner's recipient (it counted it): `planned`, so the recount does not count it as a late enrolee.
          UpdateExpression: 'SET #status = :released, deadline = :deadline, late = :true, planned = :true, enrolledAt = :at REMOVE failureReason, failedAt',
          ConditionExpression: '#status = :failed AND failureReason = :noContact',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':released': 'released', ':failed': 'failed', ':noContact': 'no-contact', ':deadline': deadline, ':true': true, ':at': at },
        }),
      ),
    );
  }
}
