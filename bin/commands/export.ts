/**
 * `npm run cli -- export --notice privacy [--format jsonl|csv] [--endpoint URL] [--table NAME]`:
 * streams a notice's evidence (GSI2, shard by shard, page by page) to stdout for a regulator.
 * One page is in memory at a time and the stream honours stdout's backpressure, so memory stays
 * flat however large the table; a progress bar goes to stderr.
 */
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { stringify } from 'csv-stringify';
import { DynamoDbAcceptanceStore, createDocumentClient } from '../../functions/ledger/dynamodb-store.ts';
import { AUDIENCE_SHARDS, type StoredEvidence } from '../../functions/ledger/types.ts';

export type ExportFormat = 'jsonl' | 'csv';

/** CSV columns: every evidence kind flattened; empty where a kind has no such field. */
export const CSV_COLUMNS = [
  'accountId', 'noticeId', 'kind', 'at', 'version', 'region', 'language', 'contentHash', 'channel', 'ipPrefix', 'userAgent',
  'event', 'campaignId', 'messageId', 'option', 'defaulted',
] as const;

const PAGE_SIZE = 500;

type Flat = Partial<Record<(typeof CSV_COLUMNS)[number], unknown>>;
const flatten = (evidence: StoredEvidence): Flat => {
  const { source, ...rest } = evidence as StoredEvidence & { source?: Record<string, unknown> };
  return { ...rest, ...(source ?? {}) } as Flat;
};

export interface ExportProgress {
  readonly shardsDone: number;
  readonly items: number;
}

/** Every evidence item of `noticeId`, shard by shard, one page in memory at a time. */
export async function* noticeEvidence(
  store: Pick<DynamoDbAcceptanceStore, 'listNoticeEvidence'>,
  noticeId: string,
  onProgress: (progress: ExportProgress) => void = () => {},
): AsyncGenerator<StoredEvidence> {
  let items = 0;
  for (let shard = 0; shard < AUDIENCE_SHARDS; shard++) {
    let cursor: string | undefined;
    do {
      const page = await store.listNoticeEvidence({ noticeId, shard, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
      for (const item of page.items) {
        items++;
        yield item;
      }
      cursor = page.cursor;
      onProgress({ shardsDone: shard, items });
    } while (cursor);
    onProgress({ shardsDone: shard + 1, items });
  }
}

/** Stream the evidence of a notice as JSON Lines or CSV into `output`. */
export const exportEvidence = async (input: {
  store: Pick<DynamoDbAcceptanceStore, 'listNoticeEvidence'>;
  noticeId: string;
  format: ExportFormat;
  output: Writable;
  onProgress?: (progress: ExportProgress) => void;
}): Promise<void> => {
  const source = Readable.from(noticeEvidence(input.store, input.noticeId, input.onProgress));
  if (input.format === 'csv') {
    const csv = stringify({ header: true, columns: [...CSV_COLUMNS], cast: { boolean: (value) => String(value) } });
    await pipeline(source, async function* (items: AsyncIterable<StoredEvidence>) {
      for await (const item of items) yield flatten(item);
    }, csv, input.output, { end: false });
    return;
  }
  await pipeline(source, async function* (items: AsyncIterable<StoredEvidence>) {
    for await (const item of items) yield `${JSON.stringify(item)}\n`;
  }, input.output, { end: false });
};

interface ExportOptions {
  readonly notice: string;
  readonly format: string;
  readonly endpoint?: string;
  readonly table: string;
}

/** Register the `export` command. */
export const register = (program: Command): void => {
  program
    .command('export')
    .description('stream the acceptance evidence of a notice (jsonl or csv)')
    .requiredOption('--notice <id>', 'the notice whose evidence to export')
    .option('--format <format>', 'jsonl or csv', 'jsonl')
    .option('--endpoint <url>', 'a local engine (e.g. the one `npm start` prints); default: AWS from the environment')
    .option('--table <name>', 'the ledger table', process.env['TABLE_NAME'] ?? 'disclosure-ledger')
    .action(async (options: ExportOptions) => {
      if (options.format !== 'jsonl' && options.format !== 'csv') program.error('--format must be jsonl or csv');
      const client = createDocumentClient(
        options.endpoint
          ? { endpoint: options.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
          : {},
      );
      const store = new DynamoDbAcceptanceStore({ tableName: options.table, client });
      const bar = new SingleBar(
        { stream: process.stderr, format: 'evidence {bar} {value}/{total} shards | {items} items', hideCursor: true },
        Presets.shades_classic,
      );
      bar.start(AUDIENCE_SHARDS, 0, { items: 0 });
      try {
        await exportEvidence({
          store,
          noticeId: options.notice,
          format: options.format as ExportFormat,
          output: process.stdout,
          onProgress: ({ shardsDone, items }) => bar.update(shardsDone, { items }),
        });
      } finally {
        bar.stop();
        client.destroy();
      }
    });
};
