/**
 * The DynamoDB-compatible engine for `npm start` and the integration tests: dynalite (pure
 * Node, in memory unless `dataDir`) or AWS's own DynamoDB Local jar. Both speak the real wire
 * protocol, so the code under test uses the real AWS SDK v3 clients.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceNotFoundException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { systemTimers } from '../functions/core/clock.ts';
import { retrying, type RetryPolicy, type Timers } from '../functions/core/retry.ts';
import { createTableInput } from '../functions/ledger/table-definition.ts';

export type DynamoEngineName = 'dynalite' | 'dynamodb-local';

export interface DynamoEngineOptions {
  /** Persist here instead of in memory. @default in memory */
  readonly dataDir?: string;
  /** @default 'dynalite' */
  readonly engine?: DynamoEngineName;
  /** How long to wait for DynamoDB Local to answer. @default 60000 */
  readonly startTimeoutMs?: number;
  /** Waits between DynamoDB Local's start-up probes. @default systemTimers */
  readonly timers?: Timers;
}

export interface DynamoEngine {
  readonly engine: DynamoEngineName;
  readonly endpoint: string;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** What a client of a local engine is configured with; assignable to `DynamoDBClientConfig`. */
export interface LocalClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** SDK settings for a local engine: any static credentials, a fixed region, the engine's endpoint. */
export const localClientConfig = (endpoint: string): LocalClientConfig => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

const listen = async (server: { listen(port: number, host: string): unknown; once: Server['once'] }): Promise<void> => {
  server.listen(0, '127.0.0.1');
  await once(server as Server, 'listening');
};

const startDynalite = async (dataDir?: string): Promise<DynamoEngine> => {
  const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(dataDir ? { path: dataDir } : {}) });
  await listen(server);
  const { port } = server.address() as AddressInfo;
  return {
    engine: 'dynalite',
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
};

const freePort = async (): Promise<number> => {
  const probe = createServer();
  await listen(probe);
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
};

/** DynamoDB Local stopped before it answered. */
export class DynamoDbLocalExitedError extends Error {
  override readonly name = 'DynamoDbLocalExitedError';
  constructor(readonly exitCode: number) {
    super(`DynamoDB Local exited with code ${exitCode}`);
  }
}

/** DynamoDB Local did not answer before the start timeout; `cause` is the last probe's failure. */
export class DynamoDbLocalTimeoutError extends Error {
  override readonly name = 'DynamoDbLocalTimeoutError';
  constructor(options: { cause: unknown }) {
    super('DynamoDB Local did not answer in time', options);
  }
}

/** Probing the JVM while it starts: about 100 ms apart (jittered), the deadline decides when to stop. */
const START_PROBES: RetryPolicy = { attempts: Number.POSITIVE_INFINITY, baseMs: 100, maxMs: 200 };

export interface WaitUntilAnsweringOptions {
  readonly timeoutMs: number;
  /** @default systemTimers */
  readonly timers?: Timers;
  /** Milliseconds, for the deadline. @default Date.now */
  readonly now?: () => number;
}

/** Probe until the engine answers; fails at once if its process exits, or with the last failure at the deadline. */
export const waitUntilAnswering = async (probe: () => Promise<unknown>, exitCode: () => number | null, options: WaitUntilAnsweringOptions): Promise<void> => {
  const { timers = systemTimers, now = Date.now } = options;
  const deadline = now() + options.timeoutMs;
  try {
    await retrying(
      async () => {
        const code = exitCode();
        if (code !== null) throw new DynamoDbLocalExitedError(code);
        await probe();
      },
      { policy: START_PROBES, timers, retryable: (error) => !(error instanceof DynamoDbLocalExitedError) && now() <= deadline },
    );
  } catch (error) {
    throw error instanceof DynamoDbLocalExitedError ? error : new DynamoDbLocalTimeoutError({ cause: error });
  }
};

const startDynamoDbLocal = async (options: DynamoEngineOptions): Promise<DynamoEngine> => {
  const emulator = join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
  const port = await freePort();
  const storage = options.dataDir ? ['-dbPath', options.dataDir, '-sharedDb'] : ['-inMemory'];
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const workDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'dynamodb-local-'));
  const removeWorkDir = () => {
    if (!options.dataDir) rmSync(workDir, { recursive: true, force: true });
  };
  const child = spawn(
    'java',
    [`-Djava.library.path=${join(emulator, 'DynamoDBLocal_lib')}`, '-jar', join(emulator, 'DynamoDBLocal.jar'), ...storage, '-port', String(port)],
    // DynamoDB Local writes a metadata file into its working directory: keep it out of the repository.
    { stdio: 'ignore', cwd: workDir },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ ...localClientConfig(endpoint), maxAttempts: 1 });
  try {
    await waitUntilAnswering(() => client.send(new ListTablesCommand({ Limit: 1 })), () => child.exitCode, {
      timeoutMs: options.startTimeoutMs ?? 60_000,
      timers: options.timers,
    });
  } catch (error) {
    child.kill('SIGKILL');
    removeWorkDir();
    throw error;
  } finally {
    client.destroy();
  }
  return {
    engine: 'dynamodb-local',
    endpoint,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      removeWorkDir();
    },
  };
};

/** Start an engine on 127.0.0.1 and a random port. */
export const startDynamoEngine = async (options: DynamoEngineOptions = {}): Promise<DynamoEngine> =>
  (options.engine ?? 'dynalite') === 'dynamodb-local' ? startDynamoDbLocal(options) : startDynalite(options.dataDir);

/** Create the ledger table if it does not exist, and wait until it is active. */
export const ensureTable = async (client: DynamoDBClient, tableName: string): Promise<void> => {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException) && (error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
};

/** dynalite in a child process, so the engine gets its own core instead of sharing the caller's event loop (load tests, benches). */
export const startDynaliteProcess = async (): Promise<{ endpoint: string; stop(): Promise<void> }> => {
  const script = `const server = require(${JSON.stringify(require.resolve('dynalite'))})({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));`;
  const child: ChildProcess = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (data: Buffer) => resolve(Number(String(data).trim())));
    child.once('exit', (code) => reject(new Error(`dynalite exited with ${code}`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
};
