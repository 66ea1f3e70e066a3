/**
 * Which ledger table a CLI command (export, import, evidence) reads or writes, found without flags:
 * `--endpoint`/`--table` when given; else a running local platform (its discovery file, whatever
 * its ports or DATA_DIR); else a deployed stack's outputs (`npx cdk deploy --outputs-file
 * cdk-outputs.json`: its `LedgerTableName`, with AWS credentials and region from the environment).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createDocumentClient, DynamoDbAcceptanceStore } from '../../functions/ledger/dynamodb-store.ts';
import { discoveryCandidates, findRunningPlatform } from '../../local/discovery.ts';
import { localClientConfig } from '../../local/dynamo-engine.ts';

export const DEFAULT_OUTPUTS_FILE = 'cdk-outputs.json';

export interface LedgerTargetOptions {
  readonly endpoint?: string;
  readonly table?: string;
  /** A `cdk deploy --outputs-file` file. @default cdk-outputs.json */
  readonly outputs?: string;
}

export interface LedgerTarget {
  readonly store: DynamoDbAcceptanceStore;
  /** One line for stderr: where the data comes from. */
  readonly description: string;
  close(): void;
}

/** A failure the CLI prints as one line (no stack trace). */
export class CliError extends Error {
  override readonly name = 'CliError';
}

const DEFAULT_TABLE = 'disclosure-ledger';

/** The table from the options, the running local platform, or the deployed stack's outputs; a CliError naming what was tried otherwise. */
export const resolveLedgerTarget = (options: LedgerTargetOptions, env: NodeJS.ProcessEnv = process.env): LedgerTarget => {
  if (options.endpoint) {
    const client = createDocumentClient(localClientConfig(options.endpoint));
    const table = options.table ?? DEFAULT_TABLE;
    return { store: new DynamoDbAcceptanceStore({ tableName: table, client }), description: `table ${table} at ${options.endpoint}`, close: () => client.destroy() };
  }
  const running = findRunningPlatform(discoveryCandidates(env));
  if (running && !options.table) {
    const { dynamoEndpoint, tableName, url } = running.discovery;
    const client = createDocumentClient(localClientConfig(dynamoEndpoint));
    return {
      store: new DynamoDbAcceptanceStore({ tableName, client }),
      description: `the local platform at ${url} (table ${tableName}, found in ${running.file})`,
      close: () => client.destroy(),
    };
  }
  const tableName = options.table ?? tableFromOutputs(options.outputs ?? DEFAULT_OUTPUTS_FILE, options.outputs !== undefined);
  if (!tableName) {
    throw new CliError(
      `no ledger found: no running local platform (looked for ${discoveryCandidates(env).join(', ')}) and no ${options.outputs ?? DEFAULT_OUTPUTS_FILE}; ` +
        'start one with `npm start`, deploy with `npx cdk deploy --outputs-file cdk-outputs.json`, or pass --endpoint/--table',
    );
  }
  if (!env['AWS_REGION'] && !env['AWS_DEFAULT_REGION'] && !env['AWS_PROFILE']) {
    throw new CliError(`table ${tableName} is in AWS, but no region is configured: set AWS_REGION (and credentials), or pass --endpoint for a local engine`);
  }
  const client = createDocumentClient({});
  return { store: new DynamoDbAcceptanceStore({ tableName, client }), description: `AWS table ${tableName}`, close: () => client.destroy() };
};

const tableFromOutputs = (file: string, explicit: boolean): string | undefined => {
  const path = resolve(file);
  if (!existsSync(path)) {
    if (explicit) throw new CliError(`${file} does not exist`);
    return undefined;
  }
  let outputs: unknown;
  try {
    outputs = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new CliError(`${file} is not JSON (expected the file of \`cdk deploy --outputs-file\`)`);
  }
  const tables = Object.values((outputs ?? {}) as Record<string, Record<string, unknown>>)
    .map((stack) => stack?.['LedgerTableName'])
    .filter((name): name is string => typeof name === 'string');
  if (tables.length === 0) throw new CliError(`${file} has no LedgerTableName output`);
  if (tables.length > 1) throw new CliError(`${file} has ${tables.length} stacks with a LedgerTableName: pass --table`);
  return tables[0];
};

/** One line for any failure: ours as written, the SDK's with its name, never a stack trace. */
export const failureLine = (error: unknown): string => {
  if (error instanceof CliError) return error.message;
  const name = (error as { name?: string } | null)?.name ?? 'Error';
  const message = String((error as { message?: string } | null)?.message ?? error).split('\n')[0] ?? '';
  if (name === 'ResourceNotFoundException') return `the ledger table does not exist there (${message})`;
  if (/ECONNREFUSED|fetch failed|connect/i.test(message) || name === 'TimeoutError') return `cannot reach the ledger (${name}: ${message}); is the platform still running?`;
  if (/credential/i.test(name) || /credential/i.test(message)) return `no AWS credentials (${message}): configure them, or pass --endpoint for a local engine`;
  return `${name}: ${message}`;
};
