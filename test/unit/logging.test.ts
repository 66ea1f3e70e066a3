/** Correlated logs: every line of an HTTP request and of a worker invocation carries the request ids; errors are sanitised. */
import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../../functions/core/clock.ts';
import { makeHandler } from '../../functions/lambdas/accounts.ts';
import { LAMBDAS } from '../../functions/manifest.ts';
import { DynamoDbAcceptanceStore, createDocumentClient } from '../../functions/ledger/dynamodb-store.ts';
import { publishedContent } from '../../functions/ledger/published-content.ts';
import { campaignIdsOfRecords, errorDetails, withLambdaContext } from '../../functions/logging.ts';
import { variantOf } from '../integration/engines.ts';
import { httpEvent, lambdaContext } from '../fakes/http-event.ts';

const lines: string[] = [];
const capture = (chunk: string | Uint8Array): boolean => {
  for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(line);
  return true;
};
const records = (): Record<string, unknown>[] => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

beforeEach(() => {
  lines.length = 0;
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
});
afterEach(() => vi.restoreAllMocks());

describe('Logs of an HTTP request (accounts)', () => {
  const mock = mockClient(DynamoDBDocumentClient);
  afterEach(() => mock.reset());

  it('carry the Lambda and the API Gateway request id on every line, success and unexpected error alike', async () => {
    // Prepare
    const logger = new Logger({ serviceName: 'accounts', logLevel: 'DEBUG' });
    const handler = makeHandler({
      store: new DynamoDbAcceptanceStore({ tableName: 'Ledger', client: createDocumentClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }) }),
      content: publishedContent,
      clock: fixedClock('2026-11-29T12:00:00.000Z'),
      logger,
    });
    const request = (apiRequestId: string) => {
      const event = httpEvent({
        method: 'POST',
        path: '/v1/accounts/acct-1/acceptances',
        headers: { 'content-type': 'application/json' },
        authorizer: { jwt: { claims: { sub: 'acct-1' }, scopes: null } },
        body: JSON.stringify({ ...variantOf(1, 'eea', 'en'), email: 'person@example.org' }),
      });
      return { ...event, requestContext: { ...event.requestContext, requestId: apiRequestId } };
    };

    // Act: one request that succeeds, one whose write fails with a message holding an address
    mock.on(PutCommand).resolves({});
    await handler(request('api-req-1'), { ...lambdaContext(), awsRequestId: 'lambda-req-1' });
    mock.on(PutCommand).rejects(new Error('conditional write failed for person@example.org'));
    const failed = await handler(request('api-req-2'), { ...lambdaContext(), awsRequestId: 'lambda-req-2' });

    // Assess
    expect(failed.statusCode).toBe(500);
    const logged = records();
    expect(logged.length).toBeGreaterThanOrEqual(2);
    const byRequest = logged.map((line) => [line['function_request_id'], line['apiGatewayRequestId']]);
    expect(byRequest).toContainEqual(['lambda-req-1', 'api-req-1']);
    expect(byRequest).toContainEqual(['lambda-req-2', 'api-req-2']);
    for (const [lambdaId, apiId] of byRequest) expect(String(lambdaId).replace('lambda', 'api')).toBe(apiId);
    for (const line of logged) expect(line['service']).toBe('accounts');
    const error = logged.find((line) => line['message'] === 'unexpected error')!;
    expect(error).toMatchObject({ errorName: 'Error', errorMessage: 'conditional write failed for <redacted>' });
    expect(String(error['stack'])).toMatch(/^\s+at /);
    expect(lines.join('\n')).not.toContain('example.org');
  });
});

describe('Logs of a worker invocation', () => {
  it('carry the Lambda request id on every line, one invocation after another', async () => {
    const logger = new Logger({ serviceName: 'campaign-sender' });
    const worker = withLambdaContext(logger, async (event: { campaignId: string }) => {
      logger.info('batch sent', { campaignId: event.campaignId });
      logger.warn('a recipient retried', { campaignId: event.campaignId });
    });
    await worker({ campaignId: 'c-1' }, { ...lambdaContext(), awsRequestId: 'worker-req-1' });
    await worker({ campaignId: 'c-2' }, { ...lambdaContext(), awsRequestId: 'worker-req-2' });
    expect(records().map((line) => [line['function_request_id'], line['campaignId']])).toEqual([
      ['worker-req-1', 'c-1'], ['worker-req-1', 'c-1'], ['worker-req-2', 'c-2'], ['worker-req-2', 'c-2'],
    ]);
  });

  it('a queue worker’s every line carries the request id and the campaignId of its records, and none after the invocation', async () => {
    const logger = new Logger({ serviceName: 'campaign-sender' });
    const sqs = (...bodies: string[]) => ({ Records: bodies.map((body, i) => ({ messageId: `m${i}`, body })) });
    const worker = withLambdaContext(
      logger,
      async (_event: ReturnType<typeof sqs>) => {
        logger.info('claimed');
        logger.warn('SendBulkEmail retryable failure', { attempt: 1 });
      },
      campaignIdsOfRecords((body) => body['campaignId']),
    );
    await worker(sqs(JSON.stringify({ campaignId: 'privacy-v2', accountIds: ['a'] })), { ...lambdaContext(), awsRequestId: 'send-1' });
    await worker(sqs(JSON.stringify({ campaignId: 'privacy-v3' }), JSON.stringify({ campaignId: 'privacy-v2' }), 'not json'), { ...lambdaContext(), awsRequestId: 'send-2' });
    logger.info('between invocations');
    expect(records().map((line) => [line['function_request_id'], line['campaignId']])).toEqual([
      ['send-1', 'privacy-v2'], ['send-1', 'privacy-v2'], ['send-2', 'privacy-v2,privacy-v3'], ['send-2', 'privacy-v2,privacy-v3'], ['send-2', undefined],
    ]);
  });

  it('every Lambda but notices takes its service name from the environment and its entry the Lambda context', () => {
    for (const spec of Object.values(LAMBDAS)) {
      const source = readFileSync(new URL(`../../${spec.entry}`, import.meta.url), 'utf8');
      expect(source, spec.entry).not.toMatch(/serviceName:/);
      expect(source, spec.entry).not.toMatch(/console\.(error|log|warn)/);
      if (spec.entry.endsWith('notices.ts')) continue;
      expect(source, spec.entry).toMatch(/new Logger\(\)/);
      if (spec.trigger.kind !== 'http') expect(source, spec.entry).toMatch(/withLambdaContext\(logger, lazyEntry\(/);
      // Queue workers tag every line with the campaign of their records.
      if (spec.trigger.kind === 'queue') expect(source, spec.entry).toMatch(/withLambdaContext\(logger, lazyEntry\(defaultDeps, makeHandler\), campaignIdsOfRecords\(/);
      else expect(source, spec.entry).toMatch(/\blogger(: deps\.logger)?,/);
    }
  });
});

describe('Function: errorDetails', () => {
  it('keeps the class, redacts addresses in the message and keeps only stack frames', () => {
    const details = errorDetails(new TypeError('no contact for a.person@example.org, retry'));
    expect(details.errorName).toBe('TypeError');
    expect(details.errorMessage).toBe('no contact for <redacted>, retry');
    expect(details.stack?.split('\n').every((line) => /^\s+at /.test(line))).toBe(true);
    expect(errorDetails('plain')).toEqual({ errorName: 'string' });
  });
});
