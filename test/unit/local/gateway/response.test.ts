import type { OutgoingHttpHeaders } from 'node:http';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { problemFor } from '../../../../functions/http/problem.ts';
import { prepareResponse, preparedResponseOf, sendProblem, sendResult, type WritableResponse } from '../../../../local/gateway/response.ts';

/** A response that records what was written to it. */
class RecordingResponse implements WritableResponse {
  statusCode: number | undefined;
  headers: OutgoingHttpHeaders | undefined;
  body: string | Buffer | undefined;

  writeHead(statusCode: number, headers: OutgoingHttpHeaders): this {
    this.statusCode = statusCode;
    this.headers = headers;
    return this;
  }

  end(body: string | Buffer): this {
    this.body = body;
    return this;
  }
}

describe('Function: prepareResponse', () => {
  it('lower-cases header names, adds Set-Cookie and the byte length, and defaults the status to 200', () => {
    // Act
    const prepared = prepareResponse({ headers: { 'Content-Type': 'text/plain', 'X-Count': 3 }, cookies: ['a=1', 'b=2'], body: 'ü' });

    // Assess
    expect(prepared).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/plain', 'x-count': '3', 'set-cookie': ['a=1', 'b=2'], 'content-length': 2 },
      body: 'ü',
    });
  });

  it('decodes a base64 body and keeps the bytes of a large text body', () => {
    // Prepare
    const large = 'プ'.repeat(1024);

    // Act
    const binary = prepareResponse({ statusCode: 201, body: Buffer.from([1, 2, 3]).toString('base64'), isBase64Encoded: true });
    const text = prepareResponse({ statusCode: 200, body: large });
    const again = prepareResponse({ statusCode: 200, body: large });

    // Assess
    expect(binary.body).toEqual(Buffer.from([1, 2, 3]));
    expect(binary.headers['content-length']).toBe(3);
    expect(Buffer.isBuffer(text.body)).toBe(true);
    expect(text.headers['content-length']).toBe(Buffer.byteLength(large));
    expect(again.body).toBe(text.body);
  });

  it('answers an empty body when the result has none: Content-Length 0 on a 200, none on a 204 or 304', () => {
    expect(prepareResponse({ statusCode: 200 })).toEqual({ statusCode: 200, headers: { 'content-length': 0 }, body: '' });
    expect(prepareResponse({ statusCode: 204 })).toEqual({ statusCode: 204, headers: {}, body: '' });
    expect(prepareResponse({ statusCode: 304, headers: { ETag: '"x"' } })).toEqual({ statusCode: 304, headers: { etag: '"x"' }, body: '' });
  });

  it('keeps the Content-Length a body-less answer to HEAD states', () => {
    expect(prepareResponse({ statusCode: 200, headers: { 'Content-Length': '1234' } })).toEqual({ statusCode: 200, headers: { 'content-length': '1234' }, body: '' });
  });
});

describe('Function: preparedResponseOf', () => {
  it('prepares a frozen result once', () => {
    // Prepare
    const result = Object.freeze({ statusCode: 200, headers: Object.freeze({ ETag: '"x"' }), body: 'ok' });

    // Act + Assess
    expect(preparedResponseOf(result)).toBe(preparedResponseOf(result));
  });

  it('prepares a result anyone may still change (or whose headers are) at every call', () => {
    // Prepare
    const open: APIGatewayProxyStructuredResultV2 = { statusCode: 200, body: 'first' };
    const openHeaders = Object.freeze({ statusCode: 200, headers: { ETag: '"x"' }, body: 'ok' });

    // Act
    const first = preparedResponseOf(open);
    open.body = 'second';
    const second = preparedResponseOf(open);

    // Assess
    expect([first.body, second.body]).toEqual(['first', 'second']);
    expect(preparedResponseOf(openHeaders)).not.toBe(preparedResponseOf(openHeaders));
  });
});

describe('Function: sendResult', () => {
  it('writes a structured result as prepared', () => {
    // Prepare
    const response = new RecordingResponse();

    // Act
    sendResult(response, { statusCode: 202, headers: { 'Content-Type': 'text/plain' }, body: 'ok' });

    // Assess
    expect(response).toMatchObject({ statusCode: 202, headers: { 'content-type': 'text/plain', 'content-length': 2 }, body: 'ok' });
  });

  it('answers a bare string or value as 200 application/json, as API Gateway infers it', () => {
    // Prepare
    const text = new RecordingResponse();
    const value = new RecordingResponse();
    const nothing = new RecordingResponse();

    // Act
    sendResult(text, '{"hello":"world"}');
    sendResult(value, { hello: 'world' });
    sendResult(nothing, undefined);

    // Assess
    expect(text).toMatchObject({ statusCode: 200, headers: { 'content-type': 'application/json', 'content-length': 17 }, body: '{"hello":"world"}' });
    expect(value.body).toBe('{"hello":"world"}');
    expect(nothing.body).toBe('null');
  });
});

describe('Function: sendProblem', () => {
  it('writes problem+json, never cached, with the extra headers', () => {
    // Prepare
    const response = new RecordingResponse();
    const problem = problemFor(405, 'allowed: GET');

    // Act
    sendProblem(response, problem, { allow: 'GET' });

    // Assess
    const body = JSON.stringify(problem);
    expect(response).toEqual({
      statusCode: 405,
      headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body), allow: 'GET' },
      body,
    });
  });
});
