/**
 * Shared test helper: a real DynamoDB-compatible engine with the ledger table, and the accounts
 * API behind the local gateway and JWT authoriser. The engine comes from `DYNAMO_ENGINE`
 * (`dynalite` by default, `dynamodb-local` in CI's second run).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { makeHandler } from '../../functions/lambdas/accounts.ts';
import { publishedContent } from '../../functions/ledger/published-content.ts';
import { fixedClock } from '../../functions/core/clock.ts';
import { createDocumentClient, DynamoDbAcceptanceStore } from '../../functions/ledger/dynamodb-store.ts';
import { ensureTable, localClientConfig, startDynamoEngine, type DynamoEngineName } from '../../local/dynamo-engine.ts';
import type { HttpHandler } from '../../functions/http/middleware.ts';
import { startGateway } from '../../local/gateway.ts';
import { createLocalJwtAuthorizer, type LocalJwtAuthorizer } from '../../local/jwt-authorizer.ts';

/** The engine the integration suite runs against. */
export const engineUnderTest = (): DynamoEngineName => (process.env['DYNAMO_ENGINE'] === 'dynamodb-local' ? 'dynamodb-local' : 'dynalite');

/** The instant the tests live at: version 1 in force, version 2 published ahead (effective 2027-02-01). */
export const TEST_NOW = '2026-11-29T12:00:00.000Z';

export interface TestTable {
  readonly engine: DynamoEngineName;
  readonly endpoint: string;
  readonly tableName: string;
  readonly client: DynamoDBClient;
  readonly documentClient: DynamoDBDocumentClient;
  readonly store: DynamoDbAcceptanceStore;
  /** Every item of the table, unmarshalled (paginated scan). */
  scanAll(): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

let tableCounter = 0;

/** Start an engine and create a fresh ledger table in it. */
export const startTestTable = async (engine: DynamoEngineName = engineUnderTest()): Promise<TestTable> => {
  const started = await startDynamoEngine({ engine });
  const client = new DynamoDBClient(localClientConfig(started.endpoint));
  const tableName = `ledger-test-${process.pid}-${++tableCounter}`;
  await ensureTable(client, tableName);
  const documentClient = createDocumentClient(localClientConfig(started.endpoint));
  return {
    engine,
    endpoint: started.endpoint,
    tableName,
    client,
    documentClient,
    store: new DynamoDbAcceptanceStore({ tableName, client: documentClient }),
    scanAll: async () => {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await documentClient.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },
    stop: async () => {
      client.destroy();
      documentClient.destroy();
      await started.stop();
    },
  };
};

export interface TestResponse {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: Record<string, unknown>;
  readonly text: string;
}

export interface LedgerApi {
  readonly url: string;
  readonly table: TestTable;
  readonly authorizer: LocalJwtAuthorizer;
  readonly clock: ReturnType<typeof fixedClock>;
  readonly handler: HttpHandler;
  /** Call a route over HTTP with an optional bearer token and JSON body. */
  call(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<TestResponse>;
  stop(): Promise<void>;
}

/** The accounts handler over a real engine, behind the local gateway with the JWT authoriser. */
export const startLedgerApi = async (options: { logger?: Logger } = {}): Promise<LedgerApi> => {
  const table = await startTestTable();
  const clock = fixedClock(TEST_NOW);
  const keyDir = mkdtempSync(join(tmpdir(), 'ledger-keys-'));
  const authorizer = await createLocalJwtAuthorizer({ keyDir, clock });
  const handler = makeHandler({
    store: table.store,
    content: publishedContent,
    clock,
    logger: options.logger ?? new Logger({ serviceName: 'accounts', logLevel: 'SILENT' }),
  });
  const gateway = await startGateway({ port: 0, host: '127.0.0.1', handlers: { accounts: handler }, clock, authorize: authorizer.authorizeRoute });
  return {
    url: gateway.url,
    table,
    authorizer,
    clock,
    handler,
    call: async (method, path, { token, body, headers = {} } = {}) => {
      const response = await fetch(new URL(path, gateway.url), {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      let parsed: Record<string, unknown> = {};
      try {
        parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        parsed = {};
      }
      return { status: response.status, contentType: response.headers.get('content-type'), body: parsed, text };
    },
    stop: async () => {
      await gateway.close();
      await table.stop();
      rmSync(keyDir, { recursive: true, force: true });
    },
  };
};

/** The published variant of the sample content, with its hash, for building valid acceptances. */
export const variantOf = (version: number, region: string, language: string) => {
  const notice = publishedContent.notices.find((candidate) => candidate.noticeId === 'privacy');
  const contentHash = notice?.versions.find((candidate) => candidate.version === version)?.variants[`${region}/${language}`]?.contentHash;
  if (!contentHash) throw new Error(`sample content has no privacy v${version} ${region}/${language}`);
  return { noticeId: 'privacy', version, region, language, contentHash };
};
