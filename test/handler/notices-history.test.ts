/**
 * `GET /v1/notices/{noticeId}/versions` as a page: negotiation (format, Accept), the reader's region
 * and language, the status of every version at the instant asked about (`at`, else now), links,
 * the HTML security headers, HEAD and 304, and the memo.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { compiledContent as content } from '../../functions/content/artifact.ts';
import type { CompiledNotice } from '../../functions/core/content.ts';
import { fixedClock } from '../../functions/core/clock.ts';
import { makeHandler } from '../../functions/lambdas/notices.ts';
import { httpEvent, lambdaContext } from '../fakes/http-event.ts';

const notice = content.notices.find((candidate) => candidate.noticeId === 'privacy') as CompiledNotice;
const [first, second] = notice.versions;
const startOf = (date: string) => Date.parse(`${date}T00:00:00.000Z`);
const DAY = 86_400_000;
const whileFirstInForce = new Date(startOf(first!.effectiveDate) + 10 * DAY);
const afterSecond = new Date(startOf(second!.effectiveDate) + DAY);
const beforeFirst = new Date(startOf(first!.effectiveDate) - DAY).toISOString();
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

interface Input {
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly method?: string;
}

const eventFor = (input: Input = {}): APIGatewayProxyEventV2 =>
  httpEvent({
    method: input.method ?? 'GET',
    path: '/v1/notices/privacy/versions',
    routeKey: `${input.method ?? 'GET'} /v1/notices/{noticeId}/versions`,
    pathParameters: { noticeId: 'privacy' },
    ...(input.query ? { query: input.query } : {}),
    headers: input.headers ?? {},
    userAgent: 'vitest',
  });

const serve = (now: Date = whileFirstInForce) => {
  const misses: string[] = [];
  const handler = makeHandler({ content, clock: fixedClock(now), onMemoMiss: (routeKey) => misses.push(routeKey) });
  const get = async (input?: Input) => {
    const result = await handler(eventFor(input), lambdaContext());
    return { status: result.statusCode!, headers: (result.headers ?? {}) as Record<string, string>, body: (result.body ?? '') as string };
  };
  return { get, misses };
};

const statuses = (html: string): Record<string, string> =>
  Object.fromEntries([...html.matchAll(/<section id="version-(\d+)"[^>]*data-status="([a-z-]+)"/g)].map((match) => [match[1]!, match[2]!]));

describe('Handler: the version-history page', () => {
  describe('negotiation', () => {
    it('answers JSON by default, to services and to an Accept without HTML', async () => {
      const { get } = serve();
      for (const headers of [{}, { accept: 'application/json' }, { accept: '*/*' }] as Record<string, string>[]) {
        const response = await get({ headers });
        expect(response.status).toBe(200);
        expect(response.headers['Content-Type']).toBe('application/json; charset=utf-8');
        expect(response.headers['Vary']).toContain('Accept');
        expect(JSON.parse(response.body)).toMatchObject({ noticeId: 'privacy' });
      }
    });

    it('answers the page to format=html and to a browser Accept; format=json wins over Accept', async () => {
      const { get } = serve();
      for (const input of [{ query: { format: 'html' } }, { headers: { accept: BROWSER_ACCEPT } }]) {
        const response = await get(input);
        expect(response.status).toBe(200);
        expect(response.headers['Content-Type']).toBe('text/html; charset=utf-8');
        expect(response.body).toMatch(/^<!doctype html>/);
      }
      const json = await get({ query: { format: 'json' }, headers: { accept: BROWSER_ACCEPT } });
      expect(json.headers['Content-Type']).toBe('application/json; charset=utf-8');
    });

    it('refuses an unknown format and a malformed at as 400 problems', async () => {
      const { get } = serve();
      for (const query of [{ format: 'md' }, { format: 'pdf' }, { at: 'yesterday', format: 'html' }, { lang: '!!', format: 'html' }] as Record<string, string>[]) {
        const response = await get({ query });
        expect(response.status, JSON.stringify(query)).toBe(400);
        expect(response.headers['Content-Type']).toBe('application/problem+json');
      }
    });
  });

  describe('the page', () => {
    it('carries the CSP by hash, nosniff and no framing, with its language and region', async () => {
      const response = await serve().get({ query: { format: 'html', region: 'eea', lang: 'ja' } });
      expect(response.headers['Content-Security-Policy']).toBe(content.documentSecurityPolicy);
      expect(response.headers['Content-Security-Policy']).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
      expect(response.headers['Content-Security-Policy']).toContain("frame-ancestors 'none'");
      expect(response.headers['X-Content-Type-Options']).toBe('nosniff');
      expect(response.headers['X-Frame-Options']).toBe('DENY');
      expect(response.headers['Content-Language']).toBe('ja');
      expect(response.headers['X-Notice-Region']).toBe('eea');
      expect(response.body).toContain('<html lang="ja">');
      expect(response.body).toContain('改定履歴');
      expect(response.body).not.toMatch(/<script|<link|src=/);
    });

    it('is in the reader’s language: lang, then Accept-Language, then the region’s default', async () => {
      const { get } = serve();
      expect((await get({ query: { format: 'html', lang: 'ko' } })).body).toContain('<html lang="ko">');
      expect((await get({ query: { format: 'html' }, headers: { 'accept-language': 'ja-JP,ja;q=0.9' } })).body).toContain('<html lang="ja">');
      const korea = await get({ query: { format: 'html' }, headers: { 'cloudfront-viewer-country': 'KR' } });
      expect(korea.headers['X-Notice-Region']).toBe('kr');
      expect(korea.body).toContain('<html lang="ko">');
      expect((await get({ query: { format: 'html' } })).body).toContain('<html lang="en">');
    });

    it('lists every version newest first with its effective date, status, declared changes and their effect', async () => {
      const { body } = await serve().get({ query: { format: 'html', region: 'eea', lang: 'en' } });
      expect(statuses(body)).toEqual({ [String(first!.version)]: 'in-force', [String(second!.version)]: 'upcoming' });
      expect(body.indexOf(`id="version-${second!.version}"`)).toBeLessThan(body.indexOf(`id="version-${first!.version}"`));
      expect(body).toContain(`<time datetime="${first!.effectiveDate}">`);
      expect(body).toContain(`<time datetime="${second!.effectiveDate}">`);
      expect(body).toContain('The first version of this notice.');
      // The changes to the EEA's text (common sections and the EEA's own), not those of other regions' sections.
      const forEea = second!.changes.filter((change) => change.region === null || change.region === 'eea');
      const elsewhere = second!.changes.filter((change) => change.region !== null && change.region !== 'eea');
      expect(forEea.length).toBeGreaterThan(0);
      for (const change of forEea) expect(body).toContain(change.summary['en']!.replaceAll('&', '&amp;'));
      for (const change of elsewhere) expect(body).not.toContain(change.summary['en']!.replaceAll('&', '&amp;'));
      if (forEea.some((change) => change.effect === 'lowers')) expect(body).toContain('It lowers the protection of your information.');
    });

    it('links each version’s notice page and the diff between consecutive versions, in its region and language', async () => {
      const { body } = await serve().get({ query: { format: 'html', region: 'eea', lang: 'ja' } });
      for (const version of notice.versions) {
        expect(body).toContain(`href="/v1/notices/privacy?version=${version.version}&amp;region=eea&amp;lang=ja&amp;format=html"`);
      }
      expect(body).toContain(`href="/v1/notices/privacy/diff?from=${first!.version}&amp;to=${second!.version}&amp;region=eea&amp;lang=ja&amp;format=html"`);
    });

    it('honours at: before the first version nothing is in force; after the second the first is superseded', async () => {
      const { get } = serve();
      expect(statuses((await get({ query: { format: 'html', at: beforeFirst } })).body)).toEqual({ [String(first!.version)]: 'upcoming', [String(second!.version)]: 'upcoming' });
      expect(statuses((await get({ query: { format: 'html', at: afterSecond.toISOString() } })).body)).toEqual({
        [String(first!.version)]: 'superseded',
        [String(second!.version)]: 'in-force',
      });
      // And without at, as time passes.
      expect(statuses((await serve(afterSecond).get({ query: { format: 'html' } })).body)[String(second!.version)]).toBe('in-force');
    });

    it('is what the notice page’s "version history" link opens', async () => {
      const page = notice.versions.at(-1)!.variants['eea/ja']!.html;
      expect(page).toContain('href="/v1/notices/privacy/versions?region=eea&amp;lang=ja&amp;format=html"');
    });
  });

  it('is in the OpenAPI document: the page as text/html, and the parameters that choose it', () => {
    const document = JSON.parse(content.openapi) as { paths: Record<string, { get: { parameters: { name: string }[]; responses: Record<string, { content?: Record<string, unknown> }> } }> };
    const operation = document.paths['/v1/notices/{noticeId}/versions']!.get;
    expect(Object.keys(operation.responses['200']!.content!)).toEqual(['application/json', 'text/html']);
    expect(operation.parameters.map((parameter) => parameter.name)).toEqual(expect.arrayContaining(['at', 'region', 'country', 'subdivision', 'lang', 'format', 'Accept', 'Accept-Language']));
  });

  describe('HEAD, 304 and the memo', () => {
    it('answers HEAD with the GET headers, the body length and no body', async () => {
      const { get } = serve();
      const full = await get({ query: { format: 'html', lang: 'ko' } });
      const head = await get({ query: { format: 'html', lang: 'ko' }, method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.body).toBe('');
      expect(head.headers['Content-Length']).toBe(String(Buffer.byteLength(full.body)));
      expect(head.headers['ETag']).toBe(full.headers['ETag']);
      expect(head.headers['Content-Security-Policy']).toBe(full.headers['Content-Security-Policy']);
    });

    it('answers 304 to its ETag, without a body or Content-Type, and a fresh 200 to the JSON’s', async () => {
      const { get } = serve();
      const page = await get({ query: { format: 'html' } });
      const json = await get();
      expect(page.headers['ETag']).not.toBe(json.headers['ETag']);
      const notModified = await get({ query: { format: 'html' }, headers: { 'if-none-match': page.headers['ETag']! } });
      expect(notModified.status).toBe(304);
      expect(notModified.body).toBe('');
      expect(notModified.headers['Content-Type']).toBeUndefined();
      expect(notModified.headers['ETag']).toBe(page.headers['ETag']);
      expect(notModified.headers['Cache-Control']).toBe(page.headers['Cache-Control']);
      expect((await get({ query: { format: 'html' }, headers: { 'if-none-match': json.headers['ETag']! } })).status).toBe(200);
    });

    it('answers a repeated request from the memo, and each language its own page', async () => {
      const { get, misses } = serve();
      const en = await get({ query: { format: 'html' } });
      const again = await get({ query: { format: 'html' } });
      expect(again.body).toBe(en.body);
      expect(misses).toHaveLength(1);
      const ja = await get({ query: { format: 'html', lang: 'ja' } });
      expect(ja.body).not.toBe(en.body);
      expect(misses).toHaveLength(2);
    });
  });
});
