/**
 * The DynamoDB batch and condition plumbing every store on the ledger table shares: BatchGet and
 * BatchWrite in chunks of their API limits, retrying what DynamoDB left unprocessed with
 * exponential backoff, and the test for a failed condition.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LedgerIntegrityError } from './errors.ts';

const BATCH_GET_LIMIT = 100;
const BATCH_WRITE_LIMIT = 25;
const ATTEMPTS = 8;

type Item = Record<string, unknown>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const backoff = (attempt: number) => Math.min(1000, 25 * 2 ** attempt);

/** A conditional write's condition did not hold (the SDK error, or its name across SDK copies). */
export const isConditionFailure = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException || (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

export interface BatchGetOptions {
  readonly consistentRead?: boolean;
  readonly projection?: { readonly expression: string; readonly names: Record<string, string> };
  /** Names what is read in the error thrown when DynamoDB keeps leaving keys unprocessed. */
  readonly what: string;
}

/** Every item of `keys` that exists (duplicates read once), 100 keys per BatchGet. */
export const batchGetAll = async (client: DynamoDBDocumentClient, tableName: string, keys: readonly Item[], options: BatchGetOptions): Promise<Item[]> => {
  const unique = [...new Map(keys.map((key) => [JSON.stringify(key), key])).values()];
  const items: Item[] = [];
  for (let offset = 0; offset < unique.length; offset += BATCH_GET_LIMIT) {
    let pending: Item[] = unique.slice(offset, offset + BATCH_GET_LIMIT);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= ATTEMPTS) throw new LedgerIntegrityError(`${options.what} still unprocessed after retries`);
      if (attempt > 0) await sleep(backoff(attempt));
      const result = await client.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: {
              Keys: pending,
              ...(options.consistentRead ? { ConsistentRead: true } : {}),
              ...(options.projection ? { ProjectionExpression: options.projection.expression, ExpressionAttributeNames: options.projection.names } : {}),
            },
          },
        }),
      );
      items.push(...(result.Responses?.[tableName] ?? []));
      pending = (result.UnprocessedKeys?.[tableName]?.Keys as Item[] | undefined) ?? [];
    }
  }
  return items;
};

/** Put every item, 25 per BatchWrite (unconditionally: BatchWrite carries no condition). */
export const batchPutAll = async (client: DynamoDBDocumentClient, tableName: string, items: readonly Item[], what: string): Promise<void> => {
  for (let offset = 0; offset < items.length; offset += BATCH_WRITE_LIMIT) {
    let pending = items.slice(offset, offset + BATCH_WRITE_LIMIT).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= ATTEMPTS) throw new LedgerIntegrityError(`${what} still unprocessed after retries`);
      if (attempt > 0) await sleep(backoff(attempt));
      const result = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (result.UnprocessedItems?.[tableName] ?? []) as typeof pending;
    }
  }
};
