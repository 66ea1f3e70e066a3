/**
 * RFC 9110 conformance of the local gateway in front of the real notices handler: HEAD wherever GET
 * is, If-None-Match (`*` only alone), 304 headers, and the requests Node's parser refuses
 * (431, 400) or that are too large (413), all answered as problem+json.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledContent } from '../../../functions/content/artifact.ts';
import { fixedClock } from '../../../functions/core/clock.ts';
import { makeHandler } from '../../../functions/lambdas/notices.ts';
import { routes } from '../../../functions/routes.ts';
import { startGateway, type Gateway } from '../../../local/gateway.ts';

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

const send = (url: string, method: string, path: string, headers: Record<string, string> = {}): Promise<RawResponse> =>
  new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });

/** Writes raw bytes on a fresh socket and reads until the server closes it. */
const rawExchange = (port: number, bytes: string | Buffer): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
    socket.write(bytes);
  });

const parseRaw = (text: string): { status: number; headers: Record<string, string>; body: string } => {
  const [head = '', body = ''] = text.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, body };
};

describe('HTTP semantics (RFC 9110) at the local gateway', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ handlers: { notices: makeHandler({ content: compiledContent, clock: fixedClock('2026-06-01T00:00:00Z') }) }, maxBodyBytes: 10 * 1024 * 1024 });
  });
  afterAll(() => gateway.close());

  describe('HEAD', () => {
    it('publishes a HEAD twin for every GET route of the route table', () => {
      const gets = routes.filter((route) => route.method === 'GET').map((route) => route.path);
      const heads = routes.filter((route) => route.method === 'HEAD').map((route) => route.path);
      expect(heads).toEqual(gets);
    });

    it.each(['/v1/notices', '/v1/notices/privacy', '/v1/notices/privacy?format=html&lang=ja', '/v1/notices/privacy/versions', '/v1/notices/privacy/diff?from=1&to=2', '/v1/openapi.json'])(
      'answers HEAD %s with the GET headers, its Content-Length and no body',
      async (path) => {
        const get = await send(gateway.url, 'GET', path);
        const head = await send(gateway.url, 'HEAD', path);
        expect(get.status).toBe(200);
        expect(head.status).toBe(200);
        expect(head.body).toBe('');
        expect(head.headers['content-length']).toBe(String(Buffer.byteLength(get.body)));
        for (const name of ['content-type', 'etag', 'cache-control', 'vary', 'content-language']) expect(head.headers[name], name).toBe(get.headers[name]);
      },
    );

    it('answers HEAD twice the same way (the memoised HEAD result)', async () => {
      const first = await send(gateway.url, 'HEAD', '/v1/notices/privacy?region=eea');
      const second = await send(gateway.url, 'HEAD', '/v1/notices/privacy?region=eea');
      expect(second.headers['content-length']).toBe(first.headers['content-length']);
      expect(Number(first.headers['content-length'])).toBeGreaterThan(0);
    });

    it('lists HEAD in Allow on a 405', async () => {
      const response = await send(gateway.url, 'DELETE', '/v1/notices/privacy');
      expect(response.status).toBe(405);
      expect(response.headers['allow']).toBe('GET, HEAD');
    });
  });

  describe('If-None-Match', () => {
    let etag: string;
    beforeAll(async () => {
      etag = String((await send(gateway.url, 'GET', '/v1/notices/privacy?version=1')).headers['etag']);
    });

    it.each([
      ['the exact tag', (tag: string) => tag, 304],
      ['the weak form of the tag', (tag: string) => `W/${tag}`, 304],
      ['a list holding the tag', (tag: string) => `"other", ${tag}`, 304],
      ['* alone', () => '*', 304],
      ['* alone with spaces', () => ' * ', 304],
      ['* inside a list (malformed)', () => '*, "bar"', 200],
      ['a list with * after a tag (malformed)', () => '"bar", *', 200],
      ['another tag', () => '"bar"', 200],
      ['an unquoted tag (malformed)', (tag: string) => tag.slice(1, -1), 200],
    ] as const)('%s → %i', async (_name, header, status) => {
      const response = await send(gateway.url, 'GET', '/v1/notices/privacy?version=1', { 'if-none-match': header(etag) });
      expect(response.status).toBe(status);
    });

    it('sends a 304 with the validators and caching headers, no body, no Content-Length and no Content-Type', async () => {
      const response = await send(gateway.url, 'GET', '/v1/notices/privacy?version=1', { 'if-none-match': etag });
      expect(response.status).toBe(304);
      expect(response.body).toBe('');
      expect(response.headers['etag']).toBe(etag);
      expect(response.headers['cache-control']).toMatch(/immutable/);
      expect(response.headers['vary']).toBeDefined();
      expect(response.headers['content-length']).toBeUndefined();
      expect(response.headers['content-type']).toBeUndefined();
      expect(response.headers['transfer-encoding']).toBeUndefined();
    });

    it('answers HEAD with If-None-Match as a 304 too', async () => {
      const response = await send(gateway.url, 'HEAD', '/v1/notices/privacy?version=1', { 'if-none-match': etag });
      expect(response.status).toBe(304);
      expect(response.headers['content-length']).toBeUndefined();
    });
  });

  describe('requests the parser refuses', () => {
    it('answers a 17 KB header with 431 problem+json', async () => {
      const raw = await rawExchange(gateway.port, `GET /v1/notices HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`);
      const response = parseRaw(raw);
      expect(response.status).toBe(431);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(Number(response.headers['content-length'])).toBe(Buffer.byteLength(response.body));
      expect(JSON.parse(response.body)).toMatchObject({ status: 431, title: 'Request header fields too large' });
    });

    it.each([
      ['a malformed request line', 'GET /v1/notices HTTP/1.1 extra\r\nHost: x\r\n\r\n'],
      ['a request line without a version', 'GARBAGE\r\n\r\n'],
      ['a header without a colon', 'GET /v1/notices HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n'],
      ['two Content-Length values that disagree', 'POST /choices/t HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab'],
    ])('answers %s with 400 problem+json', async (_name, bytes) => {
      const response = parseRaw(await rawExchange(gateway.port, bytes));
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(JSON.parse(response.body)).toMatchObject({ status: 400 });
    });

    it('answers a body just over 10 MiB with 413 problem+json, never a reset', async () => {
      const size = 10 * 1024 * 1024 + 1;
      const head = `POST /choices/t HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${size}\r\n\r\n`;
      for (let attempt = 0; attempt < 3; attempt++) {
        const response = parseRaw(await rawExchange(gateway.port, Buffer.concat([Buffer.from(head), Buffer.alloc(size, 0x61)])));
        expect(response.status).toBe(413);
        expect(response.headers['content-type']).toBe('application/problem+json');
      }
    });
  });
});
