/**
 * Lambda results written back to Node's response the way API Gateway does. Memoising handlers
 * hand back the same frozen result again and again: its status, headers and body bytes are
 * prepared for the wire once per object, and the UTF-8 bytes of large repeated bodies are kept.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { APIGatewayProxyResultV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { PROBLEM_CONTENT_TYPE, type Problem } from '../../functions/http/problem.ts';

/** The part of Node's `ServerResponse` a result is written with (a port, so tests need no socket). */
export interface WritableResponse {
  writeHead(statusCode: number, headers: OutgoingHttpHeaders): unknown;
  end(body: string | Buffer): unknown;
}

/**
 * Handlers that memoise their answers return the same large body string again and again;
 * keeping its UTF-8 bytes spares re-encoding it on every response. Bounded, cleared when full.
 */
const encodedBodies = new Map<string, Buffer>();
const ENCODED_BODY_MIN_LENGTH = 1024;
const ENCODED_BODY_MAX_ENTRIES = 256;
const encodeBody = (body: string): string | Buffer => {
  if (body.length < ENCODED_BODY_MIN_LENGTH) return body;
  let bytes = encodedBodies.get(body);
  if (bytes === undefined) {
    if (encodedBodies.size >= ENCODED_BODY_MAX_ENTRIES) encodedBodies.clear();
    bytes = Buffer.from(body, 'utf8');
    encodedBodies.set(body, bytes);
  }
  return bytes;
};

/** Write a problem+json answer the gateway gives itself (404, 405, 413, 401, 503, 500). */
export const sendProblem = (res: WritableResponse, problem: Problem, extraHeaders: Record<string, string> = {}): void => {
  const body = JSON.stringify(problem);
  res.writeHead(problem.status, {
    'content-type': PROBLEM_CONTENT_TYPE,
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
    ...extraHeaders,
  });
  res.end(body);
};

/** A structured result as it goes on the wire. */
export interface PreparedResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | number | string[]>;
  readonly body: string | Buffer;
}

/**
 * Status, Node headers (with Content-Length) and body bytes for a structured Lambda result. Names
 * are lower-cased as HTTP/2 and API Gateway's own headers are; Node also matches lower-case names
 * without copying them.
 */
export const prepareResponse = (result: APIGatewayProxyStructuredResultV2): PreparedResponse => {
  const headers: Record<string, string | number | string[]> = {};
  if (result.headers) {
    for (const name in result.headers) headers[name.toLowerCase()] = String(result.headers[name]);
  }
  if (result.cookies && result.cookies.length > 0) headers['set-cookie'] = result.cookies;
  const statusCode = result.statusCode ?? 200;
  const raw = result.body ?? '';
  const body = result.isBase64Encoded ? Buffer.from(raw, 'base64') : encodeBody(raw);
  if (statusCode === 204 || statusCode === 304) {
    // No content follows; a Content-Length of 0 would misstate the selected representation's length (RFC 9110 §8.6).
    delete headers['content-length'];
  } else if (result.body !== undefined || headers['content-length'] === undefined) {
    // A body-less result may carry the length of the representation it stands for (an answer to HEAD).
    headers['content-length'] = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  }
  return { statusCode, headers, body };
};

/** Frozen results by identity: nobody can change those afterwards, so one object means the same bytes. */
const preparedFrozenResults = new WeakMap<object, PreparedResponse>();

/** What a result becomes on the wire, prepared once per object when the result is frozen. */
export const preparedResponseOf = (result: APIGatewayProxyStructuredResultV2): PreparedResponse => {
  if (!Object.isFrozen(result) || (result.headers !== undefined && !Object.isFrozen(result.headers))) return prepareResponse(result);
  let prepared = preparedFrozenResults.get(result);
  if (prepared === undefined) {
    prepared = prepareResponse(result);
    preparedFrozenResults.set(result, prepared);
  }
  return prepared;
};

/**
 * Write a Lambda result back the way API Gateway does. A handler written in JavaScript may answer
 * a bare string or value: API Gateway infers 200 JSON for those, and so does this.
 */
export const sendResult = (res: WritableResponse, value: APIGatewayProxyResultV2<unknown>): void => {
  if (value === null || typeof value !== 'object' || !('statusCode' in value)) {
    const body = typeof value === 'string' ? value : JSON.stringify(value ?? null);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  const prepared = preparedResponseOf(value as APIGatewayProxyStructuredResultV2);
  res.writeHead(prepared.statusCode, prepared.headers);
  res.end(prepared.body);
};
