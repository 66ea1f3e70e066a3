import { request } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../functions/core/clock.ts';
import type { HttpHandler } from '../../../functions/http/middleware.ts';
import { startGateway, type Authorize, type Gateway } from '../../../local/gateway.ts';

const NOW = '2026-03-12T19:03:58.000Z';

/** A handler that records the event it got and answers 200 with a fixed body. */
const recording = () => {
  const events: APIGatewayProxyEventV2[] = [];
  const handler: HttpHandler = async (event) => {
    events.push(event);
    return { statusCode: 200, headers: { 'Content-Type': 'text/plain' }, body: 'ok' };
  };
  return { events, handler };
};

/** Raw request so duplicate headers and odd bodies reach the gateway exactly as written. */
const send = (
  url: string,
  options: { method?: string; path: string; headers?: [string, string][]; body?: Buffer | string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> =>
  new Promise((resolve, reject) => {
    const target = new URL(options.path, url);
    // Raw header arrays replace Node's defaults, so Host and Content-Length are written here.
    const length: [string, string][] = options.body === undefined ? [] : [['Content-Length', String(Buffer.byteLength(options.body))]];
    const rawHeaders = [['Host', target.host], ...length, ...(options.headers ?? [])].flat();
    const req = request(
      { host: target.hostname, port: target.port, method: options.method ?? 'GET', path: target.pathname + target.search, headers: rawHeaders },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });

describe('Function: startGateway', () => {
  let gateway: Gateway | undefined;
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  describe('event shape', () => {
    it('builds an API Gateway HTTP API payload 2.0 event for a public route', async () => {
      // Prepare
      const notices = recording();
      gateway = await startGateway({ handlers: { notices: notices.handler }, clock: fixedClock(NOW) });

      // Act
      const response = await send(gateway.url, { path: '/v1/notices/privacy?country=DE&lang=ja', headers: [['User-Agent', 'test-agent/1']] });

      // Assess
      expect(response.status).toBe(200);
      expect(response.body).toBe('ok');
      const event = notices.events[0]!;
      expect(event).toMatchObject({
        version: '2.0',
        routeKey: 'GET /v1/notices/{noticeId}',
        rawPath: '/v1/notices/privacy',
        rawQueryString: 'country=DE&lang=ja',
        queryStringParameters: { country: 'DE', lang: 'ja' },
        pathParameters: { noticeId: 'privacy' },
        isBase64Encoded: false,
        requestContext: {
          accountId: expect.any(String),
          apiId: expect.any(String),
          domainName: `127.0.0.1:${gateway.port}`,
          http: { method: 'GET', path: '/v1/notices/privacy', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test-agent/1' },
          requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
          routeKey: 'GET /v1/notices/{noticeId}',
          stage: '$default',
          time: '12/Mar/2026:19:03:58 +0000',
          timeEpoch: Date.parse(NOW),
        },
      });
      expect(event.headers['user-agent']).toBe('test-agent/1');
      expect(event.headers).toMatchObject({ 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'http', 'x-forwarded-port': String(gateway.port) });
      expect(event.body).toBeUndefined();
      expect(event.cookies).toBeUndefined();
      expect((event.requestContext as { authorizer?: unknown }).authorizer).toBeUndefined();
    });

    it('passes a Lambda context whose functions work detached, as middy calls them', async () => {
      let seen: { remaining: number; requestId: string; functionName: string } | undefined;
      const notices: HttpHandler = async (event, context) => {
        const { getRemainingTimeInMillis } = context;
        seen = { remaining: getRemainingTimeInMillis(), requestId: context.awsRequestId, functionName: context.functionName };
        expect(context.awsRequestId).toBe(event.requestContext.requestId);
        return { statusCode: 204 };
      };
      gateway = await startGateway({ handlers: { notices } });

      const response = await fetch(`${gateway.url}/v1/notices`);

      expect(response.status).toBe(204);
      expect(seen!.remaining).toBeGreaterThan(0);
      expect(seen!.remaining).toBeLessThanOrEqual(30_000);
      expect(seen!.functionName).toBe('disclosure-notices');
    });

    it('omits queryStringParameters and pathParameters when there are none', async () => {
      const notices = recording();
      gateway = await startGateway({ handlers: { notices: notices.handler } });

      await send(gateway.url, { path: '/v1/notices' });

      const event = notices.events[0]!;
      expect(event.rawQueryString).toBe('');
      expect(event).not.toHaveProperty('queryStringParameters');
      expect(event).not.toHaveProperty('pathParameters');
    });

    it('lower-cases header names and comma-joins duplicate headers, and splits cookies out', async () => {
      const notices = recording();
      gateway = await startGateway({ handlers: { notices: notices.handler } });

      await send(gateway.url, {
        path: '/v1/notices',
        headers: [
          ['X-Trace', 'a'],
          ['x-trace', 'b'],
          ['Accept-Language', 'ja-JP'],
          ['Cookie', 'session=1; theme=dark'],
        ],
      });

      const event = notices.events[0]!;
      expect(event.headers['x-trace']).toBe('a,b');
      expect(event.headers['accept-language']).toBe('ja-JP');
      expect(event.headers).not.toHaveProperty('X-Trace');
      expect(event.headers).not.toHaveProperty('cookie');
      expect(event.cookies).toEqual(['session=1', 'theme=dark']);
    });

    it('decodes query values and comma-joins duplicate parameters like API Gateway', async () => {
      const notices = recording();
      gateway = await startGateway({ handlers: { notices: notices.handler } });

      await send(gateway.url, { path: '/v1/notices/privacy?country=DE&country=JP&q=a%20b%2Cc' });

      const event = notices.events[0]!;
      expect(event.rawQueryString).toBe('country=DE&country=JP&q=a%20b%2Cc');
      expect(event.queryStringParameters).toEqual({ country: 'DE,JP', q: 'a b,c' });
    });

    it('decodes path parameters', async () => {
      const choices = recording();
      gateway = await startGateway({ handlers: { choices: choices.handler } });

      await send(gateway.url, { path: '/choices/abc%2Edef%20x' });

      expect(choices.events[0]!.pathParameters).toEqual({ token: 'abc.def x' });
      expect(choices.events[0]!.routeKey).toBe('GET /choices/{token}');
    });

    it('passes a text body as is and a binary body base64-encoded', async () => {
      const choices = recording();
      gateway = await startGateway({ handlers: { choices: choices.handler } });
      const binary = Buffer.from([0, 255, 1, 254, 10]);

      await send(gateway.url, { method: 'POST', path: '/choices/t1', headers: [['Content-Type', 'application/x-www-form-urlencoded']], body: 'option=delete' });
      await send(gateway.url, { method: 'POST', path: '/choices/t1', headers: [['Content-Type', 'application/octet-stream']], body: binary });

      const [text, bytes] = choices.events;
      // API Gateway base64-encodes form posts: only text/*, JSON, XML and JavaScript arrive as text.
      expect(text).toMatchObject({ body: Buffer.from('option=delete').toString('base64'), isBase64Encoded: true });
      expect(bytes).toMatchObject({ body: binary.toString('base64'), isBase64Encoded: true });
    });
  });

  describe('results', () => {
    it('writes status, headers, cookies as Set-Cookie and decodes a base64 body', async () => {
      const payload = Buffer.from([1, 2, 3, 200]);
      gateway = await startGateway({
        handlers: {
          notices: async () => ({
            statusCode: 201,
            headers: { 'Content-Type': 'application/octet-stream', ETag: '"abc"' },
            cookies: ['a=1; Path=/', 'b=2; HttpOnly'],
            body: payload.toString('base64'),
            isBase64Encoded: true,
          }),
        },
      });

      const response = await new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        request(`${gateway!.url}/v1/notices`, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        })
          .on('error', reject)
          .end();
      });

      expect(response.status).toBe(201);
      expect(response.headers['etag']).toBe('"abc"');
      expect(response.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
      expect(response.body.equals(payload)).toBe(true);
    });

    it('writes a large non-ASCII body byte for byte on every response, also when it is the same string again', async () => {
      const body = JSON.stringify({ text: 'プライバシー通知 — privacy notice '.repeat(200) });
      gateway = await startGateway({ handlers: { notices: async () => ({ statusCode: 200, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body }) } });

      const first = await fetch(`${gateway.url}/v1/notices`);
      const second = await fetch(`${gateway.url}/v1/notices`);

      for (const response of [first, second]) {
        expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));
        expect(await response.text()).toBe(body);
      }
    });

    it('answers a bare string result as 200 application/json, as API Gateway infers it', async () => {
      // A handler written in JavaScript may answer a bare string, which `HttpHandler` cannot type: it comes from untyped JSON here.
      const bareString: HttpHandler = async () => JSON.parse(JSON.stringify('{"hello":"world"}'));
      gateway = await startGateway({ handlers: { notices: bareString } });

      const response = await fetch(`${gateway.url}/v1/notices`);

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual({ hello: 'world' });
    });
  });

  describe('errors', () => {
    it('answers an unknown path with a 404 problem', async () => {
      gateway = await startGateway({ handlers: {} });

      const response = await fetch(`${gateway.url}/v2/nothing`);

      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await response.json()).toMatchObject({ status: 404, title: expect.any(String), type: expect.any(String) });
    });

    it('answers another method on a known path with a 405 problem and Allow', async () => {
      gateway = await startGateway({ handlers: {} });

      const onAccountContact = await fetch(`${gateway.url}/v1/accounts/a1/contact`, { method: 'POST' });
      const onNotice = await fetch(`${gateway.url}/v1/notices/privacy`, { method: 'DELETE' });

      expect(onAccountContact.status).toBe(405);
      expect(onAccountContact.headers.get('allow')).toBe('PUT, DELETE');
      expect(onAccountContact.headers.get('content-type')).toBe('application/problem+json');
      expect(onNotice.status).toBe(405);
      expect(onNotice.headers.get('allow')).toBe('GET');
      expect(((await onNotice.json()) as { status: number }).status).toBe(405);
    });

    it('routes what no route matches to the notices Lambda as `$default`, as the deployed public API does', async () => {
      const notices = recording();
      const accounts = recording();
      gateway = await startGateway({ handlers: { notices: notices.handler, accounts: accounts.handler } });

      const unknown = await fetch(`${gateway.url}/v2/nothing?x=1`);
      const otherMethod = await fetch(`${gateway.url}/v1/accounts/a1/contact`, { method: 'POST', body: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });

      expect([unknown.status, otherMethod.status]).toEqual([200, 200]);
      expect(accounts.events).toHaveLength(0);
      expect(notices.events.map((event) => [event.routeKey, event.requestContext.routeKey, event.requestContext.http.method, event.rawPath, event.pathParameters])).toEqual([
        ['$default', '$default', 'GET', '/v2/nothing', undefined],
        ['$default', '$default', 'POST', '/v1/accounts/a1/contact', undefined],
      ]);
      expect(notices.events[1]).toMatchObject({ body: Buffer.from('a=b').toString('base64'), isBase64Encoded: true });
    });

    it('refuses a body over the limit with 413 without calling the handler', async () => {
      const choices = recording();
      gateway = await startGateway({ handlers: { choices: choices.handler }, maxBodyBytes: 1024 });

      const declared = await send(gateway.url, { method: 'POST', path: '/choices/t', headers: [['Content-Type', 'text/plain']], body: 'x'.repeat(2048) });

      expect(declared.status).toBe(413);
      expect(declared.headers['content-type']).toBe('application/problem+json');
      expect(JSON.parse(declared.body)).toMatchObject({ status: 413 });
      expect(choices.events).toHaveLength(0);
    });

    it('refuses a chunked body that grows over the limit with 413', async () => {
      const choices = recording();
      gateway = await startGateway({ handlers: { choices: choices.handler }, maxBodyBytes: 1024 });

      const response = await new Promise<number>((resolve, reject) => {
        const req = request(`${gateway!.url}/choices/t`, { method: 'POST', headers: { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.write('x'.repeat(800));
        req.write('x'.repeat(800));
        req.end();
      });

      expect(response).toBe(413);
      expect(choices.events).toHaveLength(0);
    });

    it('answers a crashing handler with a bare 500 problem that carries no message or stack', async () => {
      const reported: string[] = [];
      gateway = await startGateway({
        handlers: {
          notices: async () => {
            throw new TypeError('secret detail user@example.com');
          },
        },
        onHandlerError: (lambda, name) => reported.push(`${lambda}:${name}`),
      });

      const response = await fetch(`${gateway.url}/v1/notices`);
      const text = await response.text();

      expect(response.status).toBe(500);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(JSON.parse(text)).toEqual({ type: expect.any(String), title: expect.any(String), status: 500 });
      expect(text).not.toMatch(/secret|example\.com|TypeError|at .*\.ts/);
      expect(reported).toEqual(['notices:TypeError']);
    });

    it('answers 503 for a route whose Lambda is not wired', async () => {
      gateway = await startGateway({ handlers: {} });

      const response = await fetch(`${gateway.url}/choices/abc`);

      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
    });
  });

  describe('authorisation', () => {
    const authorize: Authorize = async (headers) =>
      headers['authorization'] === 'Bearer good' ? { jwt: { claims: { sub: 'acct-1', scope: '' }, scopes: null } } : null;

    it('answers 401 with WWW-Authenticate: Bearer when the authoriser refuses, without calling the handler', async () => {
      const accounts = recording();
      gateway = await startGateway({ handlers: { accounts: accounts.handler }, authorize });

      const missing = await fetch(`${gateway.url}/v1/accounts/acct-1/acceptances`);
      const wrong = await fetch(`${gateway.url}/v1/accounts/acct-1/acceptances`, { headers: { authorization: 'Bearer bad' } });

      for (const response of [missing, wrong]) {
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Bearer');
        // API Gateway's own refusal: a bare JSON message, not the Lambdas' problem+json.
        expect(response.headers.get('content-type')).toBe('application/json');
        expect(await response.json()).toEqual({ message: 'Unauthorized' });
      }
      expect(accounts.events).toHaveLength(0);
    });

    it('answers 401 on protected routes when no authoriser is configured', async () => {
      const campaigns = recording();
      gateway = await startGateway({ handlers: { 'campaigns-api': campaigns.handler } });

      const response = await fetch(`${gateway.url}/v1/campaigns`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });

      expect(response.status).toBe(401);
      expect(campaigns.events).toHaveLength(0);
    });

    it('puts the authoriser context in requestContext.authorizer and passes the headers to the authoriser', async () => {
      const accounts = recording();
      const seen: Record<string, string>[] = [];
      gateway = await startGateway({
        handlers: { accounts: accounts.handler },
        authorize: async (headers, scopes) => {
          seen.push({ ...headers });
          return authorize(headers, scopes);
        },
      });

      const response = await fetch(`${gateway.url}/v1/accounts/acct-1/acceptances`, { headers: { Authorization: 'Bearer good' } });

      expect(response.status).toBe(200);
      expect(seen[0]!['authorization']).toBe('Bearer good');
      expect((accounts.events[0]!.requestContext as { authorizer?: unknown }).authorizer).toEqual({
        jwt: { claims: { sub: 'acct-1', scope: '' }, scopes: null },
      });
    });

    it('never calls the authoriser for public routes', async () => {
      let calls = 0;
      const notices = recording();
      gateway = await startGateway({
        handlers: { notices: notices.handler },
        authorize: async () => {
          calls += 1;
          return null;
        },
      });

      const response = await fetch(`${gateway.url}/v1/notices/privacy`);

      expect(response.status).toBe(200);
      expect(calls).toBe(0);
    });
  });
});
