/**
 * `npm run cli -- import <file.jsonl|file.csv> [--concurrency N] [--endpoint URL --table NAME]`:
 * records acceptances from another system with their original time (`acceptedAt`), through the
 * same use case as `POST …/acceptances` by a service principal: each line is validated like a
 * request body, its hash checked against the published variant, marked imported. Idempotent: a
 * rerun finds every line already recorded (the evidence key is the variant). Every rejected line
 * is reported with its reason; exit 1 if any was. Lines are streamed (constant memory) with a
 * progress bar on stderr.
 *
 * JSONL: one request body per line plus `accountId` (`{ accountId, noticeId, version, region,
 * language, contentHash, acceptedAt, email?, source? }`). CSV: a header naming those columns, with
 * `channel`, `ip`, `userAgent` for the source.
 */
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { parse as parseCsvLine } from 'csv-parse/sync';
import pLimit from 'p-limit';
import { systemClock, type Clock } from '../../functions/core/clock.ts';
import { DisclosureError, InvalidInputError } from '../../functions/core/errors.ts';
import { parseWith } from '../../functions/http/parse.ts';
import { acceptanceRequestSchema, accountIdSchema } from '../../functions/http/schemas/accounts.ts';
import type { PublishedContent } from '../../functions/ledger/published-variants.ts';
import { recordAcceptance } from '../../functions/ledger/record-acceptance.ts';
import type { AcceptanceStore } from '../../functions/ledger/store.ts';
import { CliError, failureLine, resolveLedgerTarget, type LedgerTargetOptions } from './ledger-target.ts';

export interface ImportSummary {
  readonly lines: number;
  readonly created: number;
  readonly existing: number;
  readonly rejected: readonly { readonly line: number; readonly reason: string }[];
}

const reasonOf = (error: unknown): string => {
  if (error instanceof InvalidInputError) {
    const issues = error.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    return issues ? `${error.message} (${issues})` : error.message;
  }
  if (error instanceof DisclosureError) return error.message;
  throw error;
};

/** One import line → the request body plus account id, or the reason it is refused. */
const lineToInput = (raw: Record<string, unknown>): { accountId: string; body: ReturnType<typeof parseBody> } => {
  const { accountId, ...rest } = raw;
  const id = parseWith(accountIdSchema, accountId, 'accountId');
  const body = parseBody(rest);
  if (body.acceptedAt === undefined) throw new InvalidInputError('an imported line needs acceptedAt', [{ path: 'acceptedAt', message: 'required for an import' }]);
  return { accountId: id, body };
};
const parseBody = (value: unknown) => parseWith(acceptanceRequestSchema, value, 'line');

const csvRecord = (header: readonly string[], text: string): Record<string, unknown> => {
  const [cells] = parseCsvLine(text, { relax_quotes: false }) as string[][];
  const row = Object.fromEntries(header.map((name, index) => [name, cells?.[index] ?? '']).filter(([, value]) => value !== ''));
  const { channel, ip, userAgent, version, ...rest } = row as Record<string, string>;
  const source = { ...(channel ? { channel } : {}), ...(ip ? { ip } : {}), ...(userAgent ? { userAgent } : {}) };
  return { ...rest, ...(version !== undefined ? { version: /^\d+$/.test(version) ? Number(version) : version } : {}), ...(Object.keys(source).length > 0 ? { source } : {}) };
};

/** Import every line of `file` into `store`. */
export const importAcceptances = async (input: {
  file: string;
  store: AcceptanceStore;
  content: PublishedContent;
  clock?: Clock;
  concurrency?: number;
  onProgress?: (lines: number) => void;
  onRejected?: (line: number, reason: string) => void;
}): Promise<ImportSummary> => {
  const deps = { store: input.store, content: input.content, clock: input.clock ?? systemClock };
  const limit = pLimit(input.concurrency ?? 8);
  const rejected: { line: number; reason: string }[] = [];
  let created = 0;
  let existing = 0;
  let lines = 0;
  let header: string[] | undefined;
  let csv: boolean | undefined;
  const pending = new Set<Promise<void>>();
  const reject = (line: number, reason: string): void => {
    rejected.push({ line, reason });
    input.onRejected?.(line, reason);
  };
  const reader = createInterface({ input: createReadStream(input.file), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const text of reader) {
    lineNumber++;
    const line = lineNumber;
    if (text.trim() === '') continue;
    csv ??= !text.trimStart().startsWith('{');
    if (csv && header === undefined) {
      header = (parseCsvLine(text) as string[][])[0]?.map((name) => name.trim()) ?? [];
      continue;
    }
    lines++;
    const task = limit(async () => {
      let raw: Record<string, unknown>;
      try {
        raw = csv ? csvRecord(header!, text) : (JSON.parse(text) as Record<string, unknown>);
        if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InvalidInputError('the line is not a JSON object');
      } catch (error) {
        reject(line, error instanceof InvalidInputError ? error.message : `not ${csv ? 'a CSV row' : 'JSON'}: ${(error as Error).message.split('\n')[0]}`);
        return;
      }
      try {
        const { accountId, body } = lineToInput(raw);
        const outcome = await recordAcceptance(deps, { accountId, ...body });
        if (outcome.created) created++;
        else existing++;
      } catch (error) {
        reject(line, reasonOf(error));
      }
      input.onProgress?.(created + existing + rejected.length);
    }).finally(() => pending.delete(task));
    pending.add(task);
    // Backpressure: never more than a few batches of lines in memory.
    if (pending.size >= (input.concurrency ?? 8) * 4) await Promise.race(pending);
  }
  await Promise.all(pending);
  rejected.sort((a, b) => a.line - b.line);
  return { lines, created, existing, rejected };
};

export interface ImportOptions extends LedgerTargetOptions {
  readonly concurrency?: string;
}

/** Runs the import and resolves to the exit code: 0 all lines recorded (new or already), 1 any rejected or a failure. */
export const runImport = async (file: string, options: ImportOptions, io: { stdout(text: string): void; stderr(text: string): void; progress?: NodeJS.WriteStream }, env: NodeJS.ProcessEnv = process.env): Promise<number> => {
  let close = (): void => {};
  try {
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      throw new CliError(`${file} does not exist`);
    }
    const concurrency = options.concurrency === undefined ? 8 : Number(options.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new CliError('--concurrency is a whole number from 1 to 64');
    const { publishedContent } = await import('../../functions/ledger/published-content.ts');
    const target = resolveLedgerTarget(options, env);
    close = target.close;
    io.stderr(`importing ${file} (${size} bytes) into ${target.description}\n`);
    const bar = io.progress ? new SingleBar({ stream: io.progress, format: 'import {bar} {value} lines', hideCursor: true }, Presets.shades_classic) : undefined;
    bar?.start(0, 0);
    const summary = await importAcceptances({
      file,
      store: target.store,
      content: publishedContent,
      concurrency,
      onProgress: (done) => {
        bar?.setTotal(Math.max(done, 1));
        bar?.update(done);
      },
      onRejected: (line, reason) => io.stdout(`line ${line}: ${reason}\n`),
    });
    bar?.stop();
    io.stderr(`${summary.lines} line(s): ${summary.created} recorded, ${summary.existing} already recorded, ${summary.rejected.length} rejected\n`);
    return summary.rejected.length === 0 ? 0 : 1;
  } catch (error) {
    io.stderr(`error: ${failureLine(error)}\n`);
    return 1;
  } finally {
    close();
  }
};

/** Wires `import` into the CLI. */
export const register = (program: Command): void => {
  program
    .command('import')
    .description('record acceptances with their original time (acceptedAt) from JSONL or CSV; idempotent; reports every rejected line')
    .argument('<file>', 'file.jsonl or file.csv')
    .option('--concurrency <n>', 'acceptances in flight (1-64)', '8')
    .option('--endpoint <url>', 'a DynamoDB endpoint (default: the running local platform, else the deployed stack)')
    .option('--table <name>', 'the ledger table (with --endpoint, or in AWS)')
    .option('--outputs <file>', 'the `cdk deploy --outputs-file` file naming the deployed table (default cdk-outputs.json)')
    .action(async (file: string, options: ImportOptions) => {
      process.exitCode = await runImport(file, options, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), progress: process.stderr });
    });
};
