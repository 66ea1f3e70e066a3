/**
 * Edge = origin: one table of Accept-Language (and Accept) vectors, each run (1) straight
 * through the notices Lambda, as a request that bypasses the CDN, and (2) through the generated
 * CloudFront Function (node:vm, as CloudFront runs it) and then the notices Lambda with the
 * headers the edge forwards. Both must give the table's answer.
 */
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { compiledContent as content } from '../../../functions/content/artifact.ts';
import { fixedClock } from '../../../functions/core/clock.ts';
import { makeHandler } from '../../../functions/lambdas/notices.ts';
import { platformContentOf } from '../../../lib/disclosure-platform-props.ts';
import { regionFunctionCode } from '../../../lib/edge/region-function.ts';
import { httpEvent, lambdaContext } from '../../fakes/http-event.ts';

interface HeaderValue { value: string }
type EdgeHandler = (event: { request: { method: string; uri: string; querystring: Record<string, HeaderValue>; headers: Record<string, HeaderValue> } }) => { headers: Record<string, HeaderValue> };

const edgeContext = vm.createContext({});
vm.runInContext(regionFunctionCode(platformContentOf(content)), edgeContext, { filename: 'region-function.js' });
const edge = edgeContext['handler'] as EdgeHandler;

const notice = content.notices.find((candidate) => candidate.noticeId === 'privacy')!;
const origin = makeHandler({ content, clock: fixedClock(new Date(Date.parse(`${notice.versions[0]!.effectiveDate}T00:00:00Z`) + 86_400_000)) });

/** The origin's answer to these request headers: status, Content-Language, Content-Type's media type. */
const atOrigin = async (headers: Record<string, string>, diff = false) => {
  const event = diff
    ? httpEvent({ method: 'GET', path: '/v1/notices/privacy/diff', routeKey: 'GET /v1/notices/{noticeId}/diff', pathParameters: { noticeId: 'privacy' }, query: { from: '1', to: '2' }, headers })
    : httpEvent({ method: 'GET', path: '/v1/notices/privacy', routeKey: 'GET /v1/notices/{noticeId}', pathParameters: { noticeId: 'privacy' }, headers });
  const result = await origin(event, lambdaContext());
  const out = (result.headers ?? {}) as Record<string, string>;
  return { status: result.statusCode, language: out['Content-Language'], type: out['Content-Type']?.split(';')[0] };
};

/** The viewer's headers after the CloudFront Function, as the origin request policy forwards them. */
const throughEdge = (headers: Record<string, string>, uri = '/v1/notices/privacy'): Record<string, string> => {
  const request = edge({ request: { method: 'GET', uri, querystring: {}, headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, { value }])) } });
  return Object.fromEntries(Object.entries(request.headers).map(([name, header]) => [name, header.value]));
};

const ABSENT = undefined;
const de40 = 'de,'.repeat(40);
const longHeader = `en-US;q=0.001,${'de-DE;q=0.5,'.repeat(90)}ko`;

// [Accept-Language, CloudFront-Viewer-Country, language served]. Content: en (default), ja, ko; jp → ja, kr → ko.
const LANGUAGE_VECTORS: readonly (readonly [string | undefined, string, string])[] = [
  [ABSENT, 'US', 'en'],
  [ABSENT, 'KR', 'ko'],
  [ABSENT, 'JP', 'ja'],
  [ABSENT, 'DE', 'en'],
  ['', 'KR', 'ko'],
  [' ', 'JP', 'ja'],
  ['ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7', 'US', 'ko'],
  ['ja-JP', 'KR', 'ja'],
  ['en-US,en;q=0.9', 'KR', 'en'],
  ['fr-FR,fr;q=0.9', 'KR', 'ko'],
  ['fr-FR,fr;q=0.9', 'DE', 'en'],
  ['*', 'JP', 'ja'],
  ['*', 'US', 'en'],
  ['*;q=0.5, en;q=0.1', 'KR', 'ko'],
  ['ko, ja', 'JP', 'ko'],
  ['en;q=0.5, ja;q=0.5', 'KR', 'en'],
  // Strict weights: an invalid q-value makes its range invalid, and an invalid range is ignored.
  ['ja;q=1.5, ko;q=0.5', 'US', 'ko'],
  ['ja;q=.5, ko;q=0.4', 'US', 'ko'],
  ['ja;q=0.5, ko;q=0.4', 'US', 'ja'],
  ['ja;q=0.1234, ko;q=0.1', 'US', 'ko'],
  ['ja;q=1.000, ko', 'US', 'ja'],
  ['ja;q=1.0001', 'KR', 'ko'],
  ['ja;q=0.000', 'US', 'en'],
  ['ko;q=0.001', 'US', 'ko'],
  ['ja;Q=0.5, ko;q=0.4', 'US', 'ja'],
  ['ja; q=0.5, ko;q=0.4', 'US', 'ja'],
  ['ja;q= 0.5, ko;q=0.4', 'US', 'ko'],
  ['ja;level=1, ko;q=0.4', 'US', 'ko'],
  ['ja;q=0.5;q=0.9, ko;q=0.4', 'US', 'ko'],
  ['ja;q=abc', 'JP', 'ja'],
  // q=0 refuses a language; with nothing accepted, the first offer not refused.
  ['ko;q=0', 'KR', 'en'],
  ['ko;q=0', 'US', 'en'],
  ['en;q=0', 'US', 'ja'],
  ['ja;q=0', 'JP', 'en'],
  ['ko;q=0, ko-KR', 'US', 'en'],
  ['ko-KR;q=0.8, ko;q=0.1', 'US', 'ko'],
  // Tags: case, subtags, malformed ranges, empty list elements.
  ['JA-jp', 'US', 'ja'],
  ['ja-Jpan-JP', 'US', 'ja'],
  ['zh-Hant-TW, ko;q=0.2', 'US', 'ko'],
  ['en-GB-oed', 'KR', 'en'],
  ['1234, ko;q=0.3', 'US', 'ko'],
  ['en_US, ko;q=0.3', 'US', 'ko'],
  [',,, ko', 'US', 'ko'],
  ['i-klingon, ko;q=0.1', 'US', 'ko'],
  ['ja-JP,ja;q=0.9', 'CH', 'ja'],
  // The same limits at both ends: 32 ranges, 1,024 characters.
  [`${'de,'.repeat(31)}ja`, 'US', 'ja'],
  [`${'de,'.repeat(32)}ja`, 'US', 'en'],
  [`${de40}ja`, 'US', 'en'],
  [longHeader, 'US', 'en'],
];

// [Accept, status, media type served].
const ACCEPT_VECTORS: readonly (readonly [string | undefined, number, string | undefined])[] = [
  [ABSENT, 200, 'application/json'],
  ['', 200, 'application/json'],
  ['*/*', 200, 'application/json'],
  ['text/html', 200, 'text/html'],
  ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 200, 'text/html'],
  ['text/markdown', 200, 'text/markdown'],
  ['text/*', 200, 'text/html'],
  ['application/json;q=0.5, text/markdown', 200, 'text/markdown'],
  ['text/html;q=0, */*', 200, 'application/json'],
  ['text/html;q=1.5, text/markdown;q=0.1', 200, 'text/markdown'],
  ['text/html;level=1;q=0.5, application/json;q=0.4', 200, 'text/html'],
  ['TEXT/HTML', 200, 'text/html'],
  ['image/png', 406, 'application/problem+json'],
  ['application/problem+json', 406, 'application/problem+json'],
];

describe('Edge = origin: Accept-Language', () => {
  it('has at least 40 vectors', () => {
    expect(LANGUAGE_VECTORS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(LANGUAGE_VECTORS.map(([header, country, expected]) => [header === undefined ? '(absent)' : header.length > 60 ? `${header.slice(0, 57)}… (${header.length} chars)` : JSON.stringify(header), country, expected, header] as const))(
    '%s from %s → %s at the origin and through the edge',
    async (_label, country, expected, header) => {
      const viewer: Record<string, string> = { 'cloudfront-viewer-country': country, ...(header === undefined ? {} : { 'accept-language': header }) };
      const direct = await atOrigin(viewer);
      const forwarded = throughEdge(viewer);
      const viaEdge = await atOrigin(forwarded);
      expect(forwarded['accept-language']).toBe(expected);
      expect(direct).toMatchObject({ status: 200, language: expected });
      expect(viaEdge).toEqual(direct);
    },
  );
});

describe('Edge = origin: Accept', () => {
  it.each(ACCEPT_VECTORS.map(([header, status, type]) => [header === undefined ? '(absent)' : JSON.stringify(header), status, type, header] as const))(
    '%s → %i %s at the origin and through the edge',
    async (_label, status, type, header) => {
      const viewer: Record<string, string> = header === undefined ? {} : { accept: header };
      const direct = await atOrigin(viewer);
      const forwarded = throughEdge(viewer);
      expect(direct).toMatchObject({ status, type });
      expect(await atOrigin(forwarded)).toEqual(direct);
    },
  );

  it.each([
    [ABSENT, 'application/json'],
    ['text/html,application/xhtml+xml,*/*;q=0.8', 'text/html'],
    ['text/markdown, text/html;q=0.5', 'text/html'],
    ['text/markdown', 'application/json'],
    ['image/png', 'application/json'],
    ['text/html;q=0.4, application/json;q=0.5', 'application/json'],
  ] as const)('the diff route: Accept %j → %s at the origin and through the edge', async (header, type) => {
    const viewer: Record<string, string> = header === undefined ? {} : { accept: header };
    const direct = await atOrigin(viewer, true);
    expect(direct).toMatchObject({ status: 200, type });
    expect(await atOrigin(throughEdge(viewer, '/v1/notices/privacy/diff'), true)).toEqual(direct);
  });

  it('leaves the cache key at most four values of Accept, whatever the browsers send', () => {
    const keys = new Set(ACCEPT_VECTORS.map(([header]) => throughEdge(header === undefined ? {} : { accept: header })['accept']));
    expect([...keys].sort()).toEqual(['application/json', 'application/x-not-acceptable', 'text/html', 'text/markdown']);
  });
});
