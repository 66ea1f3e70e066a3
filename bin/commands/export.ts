/**
 * `npm run cli -- export [--notice id] [--since T] [--until T] [--account id] [--kind k] [--format jsonl|csv]
 * [--endpoint URL --table NAME | --outputs cdk-outputs.json]`: streams evidence to stdout for a
 * regulator. With no flags it finds the running local platform (or the deployed stack's outputs) and
 * exports every published notice. A notice is walked shard by shard (GSI2, then the notification
 * evidence its campaigns keep on their recipient items), an account through its own partition
 * and recipient items; one page is in memory at a time and the stream honours stdout's backpressure, so
 * memory stays flat however large the table; a progress bar goes to stderr. CSV cells that a
 * spreadsheet would evaluate (starting with = + - @, tab or carriage return) are neutralised
 * (OWASP CSV injection). Every failure is one line on stderr and exit code 1.
 */
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { stringify } from 'csv-stringify';
import type { DynamoDbAcceptanceStore } from '../../functions/ledger/dynamodb-store.ts';
import { AUDIENCE_SHARDS, EVIDENCE_KINDS, eventTime, type AccountEvidence, type EvidenceKind } from '../../functions/ledger/types.ts';
import { CliError, failureLine, resolveLedgerTarget, type LedgerTargetOptions } from './ledger-target.ts';

export type ExportFormat = 'jsonl' | 'csv';

/** CSV columns: every evidence kind flattened; empty where a kind has no such field. */
export const CSV_COLUMNS = [
  'accountId', 'noticeId', 'kind', 'at', 'version', 'region', 'language', 'contentHash', 'channel', 'ipPrefix', 'userAgent',
  'event', 'campaignId', 'messageId', 'option', 'defaulted', 'acceptedAt', 'imported',
] as const;

const PAGE_SIZE = 500;

/** OWASP: a cell starting with one of these is a formula to a spreadsheet. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** Prefix a formula-looking text cell with a single quote, so a spreadsheet shows it as text. */
export const neutraliseCell = (value: unknown): unknown => (typeof value === 'string' && FORMULA_START.test(value) ? `'${value}` : value);

type Flat = Partial<Record<(typeof CSV_COLUMNS)[number], unknown>>;
const flatten = (evidence: AccountEvidence): Flat => {
  const { source, ...rest } = evidence as AccountEvidence & { source?: Record<string, unknown> };
  const flat = { ...rest, ...(source ?? {}) } as Record<string, unknown>;
  return Object.fromEntries(Object.entries(flat).map(([key, value]) => [key, neutraliseCell(value)])) as Flat;
};

export interface ExportProgress {
  readonly shardsDone: number;
  readonly items: number;
}

export interface ExportFilter {
  /** Items whose event time (an import's original time, else when recorded) is at or after this instant. */
  readonly since?: string;
  /** … and at or before this one. */
  readonly until?: string;
  readonly account?: string;
  readonly kind?: EvidenceKind;
}

type ExportStore = Pick<DynamoDbAcceptanceStore, 'listNoticeEvidence' | 'listCampaignNotificationEvidence' | 'listAccountEvidence'>;

const matches = (item: AccountEvidence, filter: ExportFilter): boolean => {
  const time = eventTime(item);
  return (
    (filter.kind === undefined || item.kind === filter.kind) &&
    (filter.since === undefined || time >= filter.since) &&
    (filter.until === undefined || time <= filter.until)
  );
};

/** Every evidence item of `noticeId` that passes the filter, one page in memory at a time. */
export async function* noticeEvidence(
  store: ExportStore,
  noticeId: string,
  onProgress: (progress: ExportProgress) => void = () => {},
  filter: ExportFilter = {},
): AsyncGenerator<AccountEvidence> {
  let items = 0;
  if (filter.account !== undefined) {
    // One account's partition: small, read in one go, already in time order.
    for (const item of await store.listAccountEvidence(filter.account, { noticeId })) {
      if (!matches(item, filter)) continue;
      items++;
      yield item;
    }
    onProgress({ shardsDone: AUDIENCE_SHARDS, items });
    return;
  }
  for (let shard = 0; shard < AUDIENCE_SHARDS; shard++) {
    // The shard's evidence items (GSI2, oldest first), then the notification evidence its campaigns keep on their recipient items.
    for (const list of [store.listNoticeEvidence.bind(store), store.listCampaignNotificationEvidence.bind(store)]) {
      let cursor: string | undefined;
      do {
        const page = await list({ noticeId, shard, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
        for (const item of page.items) {
          if (!matches(item, filter)) continue;
          items++;
          yield item;
        }
        cursor = page.cursor;
        onProgress({ shardsDone: shard, items });
      } while (cursor);
    }
    onProgress({ shardsDone: shard + 1, items });
  }
}

/** Stream the evidence of one or more notices as JSON Lines or CSV into `output`. */
export const exportEvidence = async (input: {
  store: ExportStore;
  noticeId: string | readonly string[];
  format: ExportFormat;
  output: Writable;
  filter?: ExportFilter;
  onProgress?: (progress: ExportProgress) => void;
}): Promise<void> => {
  const notices = typeof input.noticeId === 'string' ? [input.noticeId] : input.noticeId;
  const all = async function* (): AsyncGenerator<AccountEvidence> {
    for (const [index, noticeId] of notices.entries()) {
      yield* noticeEvidence(input.store, noticeId, (progress) => input.onProgress?.({ ...progress, shardsDone: index * AUDIENCE_SHARDS + progress.shardsDone }), input.filter);
    }
  };
  const source = Readable.from(all());
  if (input.format === 'csv') {
    const csv = stringify({ header: true, columns: [...CSV_COLUMNS], cast: { boolean: (value) => String(value) } });
    await pipeline(source, async function* (items: AsyncIterable<AccountEvidence>) {
      for await (const item of items) yield flatten(item);
    }, csv, input.output, { end: false });
    return;
  }
  await pipeline(source, async function* (items: AsyncIterable<AccountEvidence>) {
    for await (const item of items) yield `${JSON.stringify(item)}\n`;
  }, input.output, { end: false });
};

export interface ExportOptions extends LedgerTargetOptions {
  readonly notice?: string;
  readonly format?: string;
  readonly since?: string;
  readonly until?: string;
  readonly account?: string;
  readonly kind?: string;
}

/** `--since 2026-11-01` (00:00Z) or a full instant → ISO 8601; `--until 2026-11-30` covers the whole day. */
const instantOption = (name: string, value: string | undefined, endOfDay: boolean): string | undefined => {
  if (value === undefined) return undefined;
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z` : value;
  const time = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(time)) throw new CliError(`--${name} is a date (2026-11-01) or an ISO 8601 instant, not '${value}'`);
  return new Date(time).toISOString();
};

/** Runs the export and resolves to the exit code; every failure is one line on `stderr`. */
export const runExport = async (
  options: ExportOptions,
  io: { stdout: Writable; stderr: (text: string) => void; progress?: NodeJS.WriteStream | Writable },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> => {
  let close = (): void => {};
  try {
    const format = options.format ?? 'jsonl';
    if (format !== 'jsonl' && format !== 'csv') throw new CliError(`--format is jsonl or csv, not '${format}'`);
    if (options.kind !== undefined && !(EVIDENCE_KINDS as readonly string[]).includes(options.kind)) {
      throw new CliError(`--kind is one of ${EVIDENCE_KINDS.join(', ')}, not '${options.kind}'`);
    }
    const since = instantOption('since', options.since, false);
    const until = instantOption('until', options.until, true);
    const filter: ExportFilter = {
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
      ...(options.account ? { account: options.account } : {}),
      ...(options.kind ? { kind: options.kind as EvidenceKind } : {}),
    };
    const notices = options.notice ? [options.notice] : (await import('../../functions/ledger/published-content.ts')).publishedContent.notices.map((n) => n.noticeId);
    const target = resolveLedgerTarget(options, env);
    close = target.close;
    io.stderr(`exporting ${notices.join(', ')} from ${target.description}\n`);
    const bar = io.progress
      ? new SingleBar({ stream: io.progress as NodeJS.WriteStream, format: 'evidence {bar} {value}/{total} shards | {items} items', hideCursor: true }, Presets.shades_classic)
      : undefined;
    bar?.start(notices.length * AUDIENCE_SHARDS, 0, { items: 0 });
    try {
      await exportEvidence({ store: target.store, noticeId: notices, format, output: io.stdout, filter, onProgress: ({ shardsDone, items }) => bar?.update(shardsDone, { items }) });
    } finally {
      bar?.stop();
    }
    return 0;
  } catch (error) {
    io.stderr(`error: ${failureLine(error)}\n`);
    return 1;
  } finally {
    close();
  }
};

/** Register the `export` command. */
export const register = (program: Command): void => {
  program
    .command('export')
    .description('stream the evidence of the published notices (jsonl or csv); finds a running `npm start` with no flags')
    .option('--notice <id>', 'only this notice (default: every published notice)')
    .option('--since <time>', 'only evidence at or after this date or ISO 8601 instant')
    .option('--until <time>', 'only evidence at or before this date (the whole day) or instant')
    .option('--account <id>', "only this account's evidence")
    .option('--kind <kind>', `only this kind: ${EVIDENCE_KINDS.join(', ')}`)
    .option('--format <format>', 'jsonl or csv', 'jsonl')
    .option('--endpoint <url>', 'a DynamoDB endpoint (default: the running local platform, else the deployed stack)')
    .option('--table <name>', 'the ledger table (with --endpoint, or in AWS)')
    .option('--outputs <file>', 'the `cdk deploy --outputs-file` file naming the deployed table (default cdk-outputs.json)')
    .action(async (options: ExportOptions) => {
      process.exitCode = await runExport(options, { stdout: process.stdout, stderr: (text) => process.stderr.write(text), progress: process.stderr });
    });
};
