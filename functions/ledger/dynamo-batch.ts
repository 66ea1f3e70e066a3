/**
 * The DynamoDB batch and condition plumbing every store on the ledger table shares: BatchGet and
 * BatchWrite in chunks of their API limits, retrying what DynamoDB left unprocessed with
 * the shared jittered backoff (`core/retry.ts`, timers injected), and the test for a failed condition.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { systemTimers } from '../core/clock.ts';
import { backoffMs, type RetryPolicy, type Timers } from '../core/retry.ts';
import { LedgerIntegrityError } from './errors.ts';

const BATCH_GET_LIMIT = 100;
const BATCH_WRITE_LIMIT = 25;
/** What DynamoDB leaves unprocessed is retried this often, backing off up to a second. */
export const UNPROCESSED_RETRY: RetryPolicy = { attempts: 8, baseMs: 25, maxMs: 1000 };

type Item = Record<string, unknown>;

/** A conditional write's condition did not hold (the SDK error, or its name across SDK copies). */
export const isConditionFailure = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException || (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

export interface BatchGetOptions {
  readonly consistentRead?: boolean;
  readonly projection?: { readonly expression: string; readonly names: Record<string, string> };
  /** Names what is read in the error thrown when DynamoDB keeps leaving keys unprocessed. */
  readonly what: string;
  /** @default systemTimers */
  readonly timers?: Timers;
}

/** Every item of `keys` that exists (duplicates read once), 100 keys per BatchGet. */
export const batchGetAll = async (client: DynamoDBDocumentClient, tableName: string, keys: readonly Item[], options: BatchGetOptions): Promise<Item[]> => {
  const unique = [...new Map(keys.map((key) => [JSON.stringify(key), key])).values()];
  const timers = options.timers ?? systemTimers;
  const items: Item[] = [];
  for (let offset = 0; offset < unique.length; offset += BATCH_GET_LIMIT) {
    let pending: Item[] = unique.slice(offset, offset + BATCH_GET_LIMIT);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= UNPROCESSED_RETRY.attempts) throw new LedgerIntegrityError(`${options.what} still unprocessed after retries`);
      if (attempt > 0) await timers.sleep(backoffMs(attempt, UNPROCESSED_RETRY, timers.random));
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
export const batchPutAll = async (
  client: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Item[],
  what: string,
  timers: Timers = systemTimers,
): Promise<void> => {
  for (let offset = 0; offset < items.length; offset += BATCH_WRITE_LIMIT) {
    let pending = items.slice(offset, offset + BATCH_WRITE_LIMIT).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= UNPROCESSED_RETRY.attempts) throw new LedgerIntegrityError(`${what} still unprocessed after retries`);
      if (attempt > 0) await timers.sleep(backoffMs(attempt, UNPROCESSED_RETRY, timers.random));
      const result = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (result.UnprocessedItems?.[tableName] ?? []) as typeof pending;
    }
  }
};
