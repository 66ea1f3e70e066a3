import { afterEach, describe, expect, it, vi } from 'vitest';
import { identityOf, LAMBDA_TIMEOUT_MS, LocalLambdaContext } from '../../../../local/gateway/context.ts';

describe('Function: identityOf', () => {
  it('names the function, its ARN and its log group after the Lambda, once', () => {
    // Act
    const first = identityOf('choices');

    // Assess
    expect(first).toEqual({
      functionName: 'disclosure-choices',
      invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:disclosure-choices',
      logGroupName: '/aws/lambda/disclosure-choices',
    });
    expect(identityOf('choices')).toBe(first);
  });
});

describe('Class: LocalLambdaContext', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('carries the request id and the function identity', () => {
    // Act
    const context = new LocalLambdaContext(identityOf('notices'), 'req-1');

    // Assess
    expect(context).toMatchObject({
      awsRequestId: 'req-1',
      functionName: 'disclosure-notices',
      functionVersion: '$LATEST',
      memoryLimitInMB: '512',
      callbackWaitsForEmptyEventLoop: false,
    });
  });

  it('counts the remaining time down from the timeout, also when the function is called detached', () => {
    // Prepare
    vi.useFakeTimers({ now: 1_000_000 });
    const { getRemainingTimeInMillis } = new LocalLambdaContext(identityOf('notices'), 'req-1');

    // Act
    const atStart = getRemainingTimeInMillis();
    vi.setSystemTime(1_000_000 + 1_000);
    const later = getRemainingTimeInMillis();
    vi.setSystemTime(1_000_000 + LAMBDA_TIMEOUT_MS + 1);
    const after = getRemainingTimeInMillis();

    // Assess
    expect(atStart).toBe(LAMBDA_TIMEOUT_MS);
    expect(later).toBe(LAMBDA_TIMEOUT_MS - 1_000);
    expect(after).toBe(0);
  });
});
