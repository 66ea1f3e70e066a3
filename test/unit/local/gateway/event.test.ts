import { describe, expect, it } from 'vitest';
import type { Route } from '../../../../functions/routes.ts';
import {
  buildHttpEvent,
  collectHeaders,
  collectQuery,
  decodePathParameters,
  formatRequestTime,
  protocolOf,
  RequestTimeFormatter,
  sourceIpOf,
  type HttpEventInput,
} from '../../../../local/gateway/event.ts';
import { compileRoutes } from '../../../../local/gateway/routes.ts';

const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/v1/notices/{noticeId}', lambda: 'notices', auth: 'public' },
  { method: 'POST', path: '/choices/{token}', lambda: 'choices', auth: 'public' },
];
const table = compileRoutes(ROUTES);
const noticeRoute = table.dynamicPaths[0]!.byMethod.get('GET')!;
const choiceRoute = table.dynamicPaths[1]!.byMethod.get('POST')!;
const NOW = Date.parse('2026-03-12T19:03:58.000Z');

/** An input for GET /v1/notices/privacy?country=DE from 127.0.0.1, with `overrides` on top. */
const input = (overrides: Partial<HttpEventInput> = {}): HttpEventInput => ({
  target: noticeRoute,
  rawPath: '/v1/notices/privacy',
  rawQueryString: 'country=DE',
  request: collectHeaders(['Host', '127.0.0.1:3000', 'User-Agent', 'test-agent/1'], '127.0.0.1', '3000'),
  pathParameters: { noticeId: 'privacy' },
  body: undefined,
  sourceIp: '127.0.0.1',
  protocol: 'HTTP/1.1',
  authorizer: undefined,
  requestId: 'req-1',
  timeEpoch: NOW,
  time: formatRequestTime(new Date(NOW)),
  domainName: '127.0.0.1:3000',
  domainPrefix: '127',
  ...overrides,
});

describe('Function: formatRequestTime', () => {
  it('writes API Gateway’s requestContext.time format in UTC', () => {
    expect(formatRequestTime(new Date('2026-11-29T07:04:05.678Z'))).toBe('29/Nov/2026:07:04:05 +0000');
  });
});

describe('Class: RequestTimeFormatter', () => {
  it('formats each second once and follows the clock to the next second', () => {
    // Prepare
    const formatter = new RequestTimeFormatter();

    // Act
    const first = formatter.format(NOW);
    const sameSecond = formatter.format(NOW + 999);
    const next = formatter.format(NOW + 1000);

    // Assess
    expect(first).toBe('12/Mar/2026:19:03:58 +0000');
    expect(sameSecond).toBe(first);
    expect(next).toBe('12/Mar/2026:19:03:59 +0000');
  });
});

describe('Function: collectHeaders', () => {
  it('lower-cases names, comma-joins duplicates and splits cookies out', () => {
    // Act
    const { headers, cookies } = collectHeaders(['X-Trace', 'a', 'x-trace', 'b', 'Cookie', 'session=1; theme=dark', 'cookie', ' ; last=2'], '10.0.0.1', '3000');

    // Assess
    expect(headers['x-trace']).toBe('a,b');
    expect(headers).not.toHaveProperty('cookie');
    expect(cookies).toEqual(['session=1', 'theme=dark', 'last=2']);
  });

  it('appends the caller to X-Forwarded-For and states the scheme and port', () => {
    // Act
    const fresh = collectHeaders([], '10.0.0.1', '3000').headers;
    const forwarded = collectHeaders(['X-Forwarded-For', '203.0.113.7'], '10.0.0.1', '3000').headers;

    // Assess
    expect(fresh).toEqual({ 'x-forwarded-for': '10.0.0.1', 'x-forwarded-proto': 'http', 'x-forwarded-port': '3000' });
    expect(forwarded['x-forwarded-for']).toBe('203.0.113.7, 10.0.0.1');
  });

  it('leaves cookies undefined when none were sent', () => {
    expect(collectHeaders(['Accept', '*/*'], '10.0.0.1', '3000').cookies).toBeUndefined();
  });
});

describe('Functions: sourceIpOf, protocolOf', () => {
  it('reports IPv4-mapped addresses as IPv4 and a missing address as loopback', () => {
    expect(sourceIpOf('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(sourceIpOf('::1')).toBe('::1');
    expect(sourceIpOf(undefined)).toBe('127.0.0.1');
  });

  it('names the protocol as API Gateway does', () => {
    expect(protocolOf('1.1')).toBe('HTTP/1.1');
    expect(protocolOf('1.0')).toBe('HTTP/1.0');
  });
});

describe('Function: decodePathParameters', () => {
  it('decodes percent-encoded values by name and leaves plain ones as they are', () => {
    expect(decodePathParameters(['token', 'other'], ['abc%2Edef%20x', 'plain'])).toEqual({ token: 'abc.def x', other: 'plain' });
  });

  it('is undefined for a route without parameters', () => {
    expect(decodePathParameters([], [])).toBeUndefined();
  });

  it('throws URIError for invalid percent-encoding', () => {
    expect(() => decodePathParameters(['token'], ['%E0%A4%A'])).toThrow(URIError);
  });
});

describe('Function: collectQuery', () => {
  it('decodes values and comma-joins duplicates', () => {
    expect(collectQuery('country=DE&country=JP&q=a%20b%2Cc')).toEqual({ country: 'DE,JP', q: 'a b,c' });
  });

  it('is undefined for an empty query string or one without parameters', () => {
    expect(collectQuery('')).toBeUndefined();
    expect(collectQuery('&')).toBeUndefined();
  });
});

describe('Function: buildHttpEvent', () => {
  it('builds the payload 2.0 event of a public GET', () => {
    // Act
    const event = buildHttpEvent(input());

    // Assess
    expect(event).toEqual({
      version: '2.0',
      routeKey: 'GET /v1/notices/{noticeId}',
      rawPath: '/v1/notices/privacy',
      rawQueryString: 'country=DE',
      headers: {
        host: '127.0.0.1:3000',
        'user-agent': 'test-agent/1',
        'x-forwarded-for': '127.0.0.1',
        'x-forwarded-proto': 'http',
        'x-forwarded-port': '3000',
      },
      queryStringParameters: { country: 'DE' },
      pathParameters: { noticeId: 'privacy' },
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: '127.0.0.1:3000',
        domainPrefix: '127',
        http: { method: 'GET', path: '/v1/notices/privacy', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test-agent/1' },
        requestId: 'req-1',
        routeKey: 'GET /v1/notices/{noticeId}',
        stage: '$default',
        time: '12/Mar/2026:19:03:58 +0000',
        timeEpoch: NOW,
      },
    });
  });

  it('omits what was not sent: query, path parameters, cookies, body, authoriser', () => {
    // Act
    const event = buildHttpEvent(input({ rawQueryString: '', pathParameters: undefined }));

    // Assess
    for (const member of ['queryStringParameters', 'pathParameters', 'cookies', 'body']) expect(event).not.toHaveProperty(member);
    expect(event.requestContext).not.toHaveProperty('authorizer');
    expect(event.requestContext.http.userAgent).toBe('test-agent/1');
  });

  it('puts the authoriser context in requestContext.authorizer and the cookies beside the headers', () => {
    // Prepare
    const authorizer = { jwt: { claims: { sub: 'acct-1' }, scopes: null } };

    // Act
    const event = buildHttpEvent(input({ authorizer, request: collectHeaders(['Cookie', 'a=1'], '127.0.0.1', '3000') }));

    // Assess
    expect((event.requestContext as { authorizer?: unknown }).authorizer).toBe(authorizer);
    expect(event.cookies).toEqual(['a=1']);
    expect(event.requestContext.http.userAgent).toBe('');
  });

  it('passes a text body as text and any other body base64-encoded', () => {
    // Prepare
    const form = collectHeaders(['Content-Type', 'application/x-www-form-urlencoded'], '127.0.0.1', '3000');
    const json = collectHeaders(['Content-Type', 'application/problem+json'], '127.0.0.1', '3000');
    const binary = collectHeaders(['Content-Type', 'application/octet-stream'], '127.0.0.1', '3000');
    const bytes = Buffer.from([0, 255, 1, 254]);

    // Act
    const asForm = buildHttpEvent(input({ target: choiceRoute, request: form, body: Buffer.from('option=delete') }));
    const asJson = buildHttpEvent(input({ target: choiceRoute, request: json, body: Buffer.from('{"a":1}') }));
    const asBinary = buildHttpEvent(input({ target: choiceRoute, request: binary, body: bytes }));
    const untyped = buildHttpEvent(input({ target: choiceRoute, body: Buffer.from('x') }));

    // Assess
    expect(asForm).toMatchObject({ routeKey: 'POST /choices/{token}', body: Buffer.from('option=delete').toString('base64'), isBase64Encoded: true });
    expect(asForm.requestContext.http.method).toBe('POST');
    expect(asJson).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
    expect(asBinary).toMatchObject({ body: bytes.toString('base64'), isBase64Encoded: true });
    expect(untyped).toMatchObject({ body: Buffer.from('x').toString('base64'), isBase64Encoded: true });
  });
});
