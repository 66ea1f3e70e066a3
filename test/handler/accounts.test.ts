import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeHandler, handler as lambdaHandler } from '../../functions/lambdas/accounts.ts';
import { publishedContent } from '../../functions/ledger/published-content.ts';
import { fixedClock } from '../../functions/core/clock.ts';
import { DynamoDbAcceptanceStore, createDocumentClient } from '../../functions/ledger/dynamodb-store.ts';
import { variantOf } from '../integration/engines.ts';
import { httpEvent, lambdaContext } from '../fakes/http-event.ts';

const event = (method: string, path: string, options: { body?: unknown; sub?: string; scope?: string; contentType?: string } = {}): APIGatewayProxyEventV2 =>
  httpEvent({
    method,
    path,
    headers: options.body !== undefined ? { 'content-type': options.contentType ?? 'application/json' } : {},
    ...(options.sub ? { authorizer: { jwt: { claims: { sub: options.sub, ...(options.scope ? { scope: options.scope } : {}) }, scopes: null } } } : {}),
    ...(options.body !== undefined ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
  });

describe('Lambda: accounts (error mapping, mocked DynamoDB)', () => {
  const mock = mockClient(DynamoDBDocumentClient);
  const logged: string[] = [];
  const logger = new Logger({ serviceName: 'accounts', logLevel: 'DEBUG' });
  const handler = makeHandler({
    store: new DynamoDbAcceptanceStore({ tableName: 'Ledger', client: createDocumentClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }) }),
    content: publishedContent,
    clock: fixedClock('2026-11-29T12:00:00.000Z'),
    logger,
  });
  const invoke = async (e: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => handler(e, lambdaContext());

  // Capture what the logger writes (its console is bound to stdout and stderr) to assert on what an unexpected error logs.
  const capture = (chunk: string | Uint8Array): boolean => {
    logged.push(String(chunk));
    return true;
  };
  beforeEach(() => {
    mock.reset();
    logged.length = 0;
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('answers a bare 500 problem when DynamoDB throttles past the SDK retries, and logs the error sanitised (no address)', async () => {
    mock.on(PutCommand).rejects(new DynamoDBServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'throttled writing for p@example.org', $metadata: {} }));

    const result = await invoke(event('POST', '/v1/accounts/acct-1/acceptances', { sub: 'acct-1', body: { ...variantOf(1, 'eea', 'en'), email: 'p@example.org' } }));

    expect(result.statusCode).toBe(500);
    expect(result.headers?.['Content-Type']).toBe('application/problem+json');
    expect(JSON.parse(result.body ?? '{}')).toEqual({ type: 'https://disclosure.dev/problems/internal', title: 'Internal error', status: 500 });
    expect(logged.join('\n')).toContain('ThrottlingException');
    expect(logged.join('\n')).toContain('throttled writing for <redacted>');
    expect(logged.join('\n')).not.toMatch(/example\.org/);
  });

  it.each([
    ['an unknown path', event('GET', '/v1/accounts/acct-1/unknown', { sub: 'acct-1' }), 404],
    ['a method the route lacks', event('PATCH', '/v1/accounts/acct-1/contact', { sub: 'acct-1' }), 404],
    ['malformed JSON', event('PUT', '/v1/accounts/acct-1/contact', { sub: 'acct-1', body: '{"email":' }), 400],
    ['a non-JSON content type', event('PUT', '/v1/accounts/acct-1/contact', { sub: 'acct-1', body: 'email=x', contentType: 'application/x-www-form-urlencoded' }), 415],
    ['an unknown field', event('PUT', '/v1/accounts/acct-1/contact', { sub: 'acct-1', body: { email: 'a@example.org', name: 'x' } }), 400],
    ['a malformed account id', event('GET', '/v1/accounts/a%20b/acceptances', { sub: 'svc', scope: 'disclosure/service' }), 400],
    ['no principal', event('GET', '/v1/accounts/acct-1/acceptances'), 401],
    ['no principal, before the body is parsed', event('PUT', '/v1/accounts/acct-1/contact', { body: '{"email":' }), 401],
    ["another user's account, before the body is parsed", event('POST', '/v1/accounts/acct-2/acceptances', { sub: 'acct-1', body: 'x', contentType: 'text/plain' }), 403],
    ["another user's account", event('GET', '/v1/accounts/acct-2/acceptances', { sub: 'acct-1' }), 403],
  ])('answers %s with problem+json and no store call', async (_case, request, status) => {
    const result = await invoke(request);
    expect(result.statusCode).toBe(status);
    expect(result.headers?.['Content-Type']).toBe('application/problem+json');
    expect(mock.calls()).toHaveLength(0);
  });

  it('the Lambda entry fails fast without TABLE_NAME', async () => {
    const saved = process.env['TABLE_NAME'];
    delete process.env['TABLE_NAME'];
    try {
      await expect(lambdaHandler(event('GET', '/v1/accounts/a/acceptances'), lambdaContext())).rejects.toThrow('TABLE_NAME');
    } finally {
      if (saved !== undefined) process.env['TABLE_NAME'] = saved;
    }
  });
});
