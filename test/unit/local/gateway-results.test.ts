import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../functions/core/clock.ts';
import { startGateway, type Gateway } from '../../../local/gateway.ts';

const NOW = '2026-03-12T19:03:58.000Z';

describe('Function: startGateway, writing results', () => {
  let gateway: Gateway | undefined;
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  it('writes a frozen result handed back again and again with the same status, headers and bytes every time', async () => {
    // Prepare
    const body = 'ü'.repeat(2000);
    const result = Object.freeze({ statusCode: 200, headers: Object.freeze({ 'Content-Type': 'text/plain; charset=utf-8', ETag: '"x"' }), body });
    gateway = await startGateway({ handlers: { notices: async () => result }, clock: fixedClock(NOW) });

    // Act
    const responses = [];
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${gateway.url}/v1/notices/privacy`);
      responses.push({ status: response.status, etag: response.headers.get('etag'), length: response.headers.get('content-length'), text: await response.text() });
    }

    // Assess
    for (const response of responses) expect(response).toEqual({ status: 200, etag: '"x"', length: String(Buffer.byteLength(body)), text: body });
  });

  it('writes a result object that the handler changes between requests as it is at each request', async () => {
    // Prepare
    const result: APIGatewayProxyStructuredResultV2 = { statusCode: 200, headers: { 'Content-Type': 'text/plain' }, body: 'first' };
    gateway = await startGateway({ handlers: { notices: async () => result }, clock: fixedClock(NOW) });

    // Act
    const first = await (await fetch(`${gateway.url}/v1/notices/privacy`)).text();
    result.body = 'second answer';
    result.headers = { 'Content-Type': 'text/plain', 'X-Changed': 'yes' };
    const second = await fetch(`${gateway.url}/v1/notices/privacy`);

    // Assess
    expect(first).toBe('first');
    expect(await second.text()).toBe('second answer');
    expect(second.headers.get('x-changed')).toBe('yes');
  });
});
