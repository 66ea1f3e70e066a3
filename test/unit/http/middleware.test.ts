import { describe, expect, it } from 'vitest';
import { httpStack, type HttpResult } from '../../../functions/http/middleware.ts';
import { httpEvent, lambdaContext } from '../../fakes/http-event.ts';

// A Lambda with 6 ms left: middy's early timeout (5 ms before the end) fires after 1 ms.
const almostOutOfTime = lambdaContext(6);
const event = httpEvent({ path: '/slow' });
const slowAnswer = (): Promise<HttpResult> => new Promise((resolve) => setTimeout(() => resolve({ statusCode: 200, body: 'late' }), 40));

describe('Function: httpStack', () => {
  it('answers a problem before the Lambda timeout by default', async () => {
    // Prepare
    const stack = httpStack(slowAnswer, { onUnexpectedError: () => {} });

    // Act
    const result = await stack(event, almostOutOfTime);

    // Assess
    expect(result.statusCode).toBeGreaterThanOrEqual(500);
    expect(result.headers?.['Content-Type'] ?? result.headers?.['content-type']).toMatch(/problem\+json/);
  });

  it('waits for the handler when the early timeout is turned off', async () => {
    // Prepare
    const stack = httpStack(slowAnswer, { earlyTimeout: false });

    // Act
    const result = await stack(event, almostOutOfTime);

    // Assess
    expect(result).toEqual({ statusCode: 200, body: 'late' });
  });
});
