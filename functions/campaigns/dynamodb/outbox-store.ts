/**
 * `ChoiceOutbox` on the ledger table: one item per choice write in flight, in 16 sharded
 * partitions (`OUTBOX#<shard>`, sorted by instant), written before the choice evidence and deleted
 * once its `ChoiceRecorded` event is published. The scheduler's drain reads it page by page.
 */
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor } from '../../ledger/cursor.ts';
import { shardOf } from '../../ledger/keys.ts';
import { AUDIENCE_SHARDS } from '../../ledger/types.ts';
import type { ChoiceOutbox, OutboxEntry } from '../ports.ts';

const outboxPk = (shard: number): string => `OUTBOX#${String(shard).padStart(2, '0')}`;
const outboxKey = (entry: OutboxEntry): { pk: string; sk: string } => ({
  pk: outboxPk(shardOf(entry.accountId)),
  sk: `${entry.at}#${entry.campaignId}#${entry.accountId}#${entry.seq}#${entry.writer}`,
});
const CURSOR_BINDING = 'choice-outbox';
const CURSOR_KEYS = ['shard', 'sk'] as const;

export class DynamoDbChoiceOutbox implements ChoiceOutbox {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: { tableName: string; client: DynamoDBDocumentClient }) {
    if (!options.tableName) throw new TypeError('DynamoDbChoiceOutbox needs a tableName');
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async add(entry: OutboxEntry): Promise<void> {
    await this.#client.send(new PutCommand({ TableName: this.#tableName, Item: { ...outboxKey(entry), ...entry } }));
  }

  async remove(entry: OutboxEntry): Promise<void> {
    await this.#client.send(new DeleteCommand({ TableName: this.#tableName, Key: outboxKey(entry) }));
  }

  async page(input: { cursor?: string; limit: number }): Promise<{ entries: OutboxEntry[]; cursor?: string }> {
    const from = input.cursor ? decodeCursor(input.cursor, CURSOR_BINDING, CURSOR_KEYS) : undefined;
    let shard = from ? Number(from['shard']) : 0;
    const fromSk = from?.['sk'];
    let start = fromSk && fromSk !== '-' ? { pk: outboxPk(shard), sk: fromSk } : undefined;
    const entries: OutboxEntry[] = [];
    while (shard < AUDIENCE_SHARDS && entries.length < input.limit) {
      const result = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': outboxPk(shard) },
          ConsistentRead: true,
          Limit: input.limit - entries.length,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of result.Items ?? []) {
        const { accountId, noticeId, campaignId, seq, writer, at } = item as OutboxEntry;
        entries.push({ accountId, noticeId, campaignId, seq: Number(seq), writer, at });
      }
      if (result.LastEvaluatedKey) {
        start = { pk: outboxPk(shard), sk: String(result.LastEvaluatedKey['sk']) };
        if (entries.length >= input.limit) return { entries, cursor: encodeCursor({ shard: String(shard), sk: start.sk }, CURSOR_BINDING) };
      } else {
        shard++;
        start = undefined;
      }
    }
    return shard < AUDIENCE_SHARDS ? { entries, cursor: encodeCursor({ shard: String(shard), sk: '-' }, CURSOR_BINDING) } : { entries };
  }
}
