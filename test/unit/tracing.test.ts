/**
 * functions/tracing.ts: with tracing on, the SDK clients a Lambda builds are captured by the
 * Powertools Tracer (the X-Ray SDK's middleware on their stack, the document client's too); with
 * it off they are returned untouched and the tracer is not loaded.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { platformTracer, sdkCapture, tracingEnabled } from '../../functions/tracing.ts';

const XRAY_MIDDLEWARE = /XRaySDKInstrumentation/;
const middlewareOf = (client: { middlewareStack: { identify(): string[] } }): string[] => client.middlewareStack.identify();

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('Function: sdkCapture', () => {
  it('returns every client untouched when tracing is off (the tracer is never imported then)', async () => {
    for (const env of [{}, { POWERTOOLS_TRACE_ENABLED: 'false' }, { POWERTOOLS_TRACE_ENABLED: 'TRUE ' }]) {
      expect(tracingEnabled(env)).toBe(false);
      const capture = await sdkCapture(env);
      const client = new SQSClient({ region: 'eu-west-1' });
      expect(capture(client)).toBe(client);
      expect(middlewareOf(client).some((name) => XRAY_MIDDLEWARE.test(name))).toBe(false);
    }
  });

  it('captures each SDK client with the Powertools Tracer when tracing is on (POWERTOOLS_TRACE_ENABLED=true in Lambda)', async () => {
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs24.x');
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'true');
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'disclosure-test');
    const capture = await sdkCapture();
    const sqs = capture(new SQSClient({ region: 'eu-west-1' }));
    expect(middlewareOf(sqs).some((name) => XRAY_MIDDLEWARE.test(name))).toBe(true);
    // The document client shares its base client's stack: capturing it traces every ledger call.
    const documents = capture(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })));
    expect(middlewareOf(documents).some((name) => XRAY_MIDDLEWARE.test(name))).toBe(true);
    const tracer = await platformTracer();
    expect(tracer.isTracingEnabled()).toBe(true);
    // One tracer per container.
    expect(await platformTracer()).toBe(tracer);
  });
});
