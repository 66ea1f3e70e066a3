/**
 * Generated bad (and good) input over every notices route: ≥ 10,000 API Gateway v2 events built
 * from hostile query strings and headers, invoked in process. No 5xx, every error is
 * problem+json with type/title/status/detail, and no stack trace ever leaves the handler.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compiledContent as content } from '../../functions/content/artifact.ts';
import { fixedClock } from '../../functions/core/clock.ts';
import { makeHandler } from '../../functions/lambdas/notices.ts';
import { httpEvent, lambdaContext } from '../fakes/http-event.ts';

const RUNS = 10_500;
const notice = content.notices[0]!;
const hashes = notice.versions.flatMap((version) => Object.values(version.variants).map((variant) => variant.contentHash));
const dates = notice.versions.map((version) => Date.parse(`${version.effectiveDate}T00:00:00Z`));
// One warm handler per point in time: before the first version, at each effective date, between, after.
const handlers = [dates[0]! - 1, ...dates, ...dates.map((date) => date - 1_500), dates.at(-1)! + 86_400_000].map((at) =>
  makeHandler({ content, clock: fixedClock(new Date(at)) }),
);

const huge = 'x'.repeat(100_000);
const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', ' ', ',', ';', '*', '__proto__', 'constructor', 'toString', '../../etc/passwd', '%00', '\u0000', '\uFEFF', '\uD800', huge, `${huge},${huge}`, '<script>alert(1)</script>', "' OR 1=1 --", '${jndi:ldap://x}', 'NaN', 'Infinity', '-0', '1e3', '0x10', '9'.repeat(400)),
);
const wellFormed = {
  version: fc.constantFrom('1', '2', '3', '99', '0', '01', '1.0', '123456789', '1234567890'),
  region: fc.constantFrom('global', 'eea', 'ca', 'jp', 'kr', 'EEA', 'us', 'mars', 'br', 'cn', 'au', 'x'.repeat(40)),
  country: fc.constantFrom('DE', 'de', 'JP', 'KR', 'CA', 'ZZ', 'XK', 'GB', 'NO', 'DEU', 'D', 'DE,JP'),
  lang: fc.constantFrom('en', 'ja', 'ja-JP', 'fr', 'zh-Hant-TW', 'EN', 'en_US', 'ja-'),
  format: fc.constantFrom('json', 'html', 'md', 'xml', 'JSON', 'html,md'),
  at: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('2026-03-01', '2027-02-01T00:00:00Z', '2027-01-31T23:59:59.999Z', '2027-02-01T08:59:59+09:00', '2000-01-01', '9999-12-31T23:59:59Z') },
    fc.constantFrom('2026-02-30', '2026-03-01T24:00:00Z', '2026-03-01T10:00', 'now', '0', '+275760-09-13'),
    { weight: 1, arbitrary: fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString()) },
  ),
  subdivision: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('CA-QC', 'ES-CN', 'ca-qc', 'PT-20', 'FR-GP', 'XX-YY') }, fc.constantFrom('QC', 'CA-', 'CA-QUEB', 'CA_QC')),
  from: fc.constantFrom('1', '2', '0', '3', 'x'),
  to: fc.constantFrom('1', '2', '3', '10', '-2'),
};
const paramValue = (name: keyof typeof wellFormed) => fc.oneof({ weight: 3, arbitrary: wellFormed[name] }, { weight: 1, arbitrary: hostileString });

const query = fc.option(
  fc.record(
    {
      version: paramValue('version'),
      region: paramValue('region'),
      country: paramValue('country'),
      // Rarer than the others, so requests with every parameter well formed still reach 422 often enough.
      at: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, paramValue('at')),
      subdivision: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, paramValue('subdivision')),
      lang: paramValue('lang'),
      format: paramValue('format'),
      from: paramValue('from'),
      to: paramValue('to'),
      extra: hostileString,
    },
    { requiredKeys: [] },
  ).map((record) => Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Record<string, string>),
  { nil: undefined, freq: 6 },
);

const ifNoneMatch = fc.oneof(
  fc.constantFrom(...hashes.slice(0, 4)).map((hash) => `"${hash}"`),
  fc.constantFrom(...hashes.slice(0, 4)).map((hash) => `W/"${hash}.html"`),
  fc.constantFrom('*', '"', 'W/', '""', ',,,', 'W/"x", *', `"${huge}"`),
  hostileString,
);
const headers = fc.option(
  fc.record(
    {
      accept: fc.oneof(fc.constantFrom('application/json', 'text/html', 'text/markdown', '*/*', 'text/*', 'image/png', 'text/html;q=0', 'application/json;q=abc', 'a/b/c', '*/*;q=0.1,text/markdown'), hostileString),
      'accept-language': fc.oneof(fc.constantFrom('ja-JP,en;q=0.5', 'en', 'ja;q=0', '*', 'fr;q=1.5', 'en;q=-1', ';;;'), hostileString),
      'cloudfront-viewer-country': fc.oneof(fc.constantFrom('DE', 'JP', 'KR', 'CA', 'NO', 'XX', 'us'), hostileString),
      'cloudfront-viewer-country-region': fc.oneof(fc.constantFrom('QC', '21', 'CN', 'NO-21', '<x>'), hostileString),
      'x-notice-region': fc.oneof(fc.constantFrom('eea', 'jp', 'global', 'mars', 'EEA'), hostileString),
      'if-none-match': ifNoneMatch,
    },
    { requiredKeys: [] },
  ),
  { nil: undefined, freq: 8 },
);

const noticeId = fc.oneof({ weight: 4, arbitrary: fc.constant('privacy') }, { weight: 1, arbitrary: hostileString });
const route = fc.oneof(
  fc.record({ kind: fc.constantFrom('GET /v1/notices', 'GET /v1/openapi.json'), noticeId: fc.constant(undefined) }),
  fc.record({ kind: fc.constantFrom('GET /v1/notices/{noticeId}', 'GET /v1/notices/{noticeId}/versions', 'GET /v1/notices/{noticeId}/diff'), noticeId }),
  fc.record({ kind: fc.constant('$default'), noticeId: fc.oneof(fc.constantFrom('/v1/notices', '/v1/notices/privacy', '/v1/notices/privacy/diff', '/v1/notices/%E0%A4%A', '/v1//notices', '/'), hostileString.map((path) => `/v1/notices/${path}`)) }),
);

const encodeSegment = (segment: string): string => {
  try {
    return encodeURIComponent(segment);
  } catch {
    return segment; // a lone surrogate: API Gateway would pass the raw bytes on
  }
};

const toEvent = (
  target: { kind: string; noticeId: string | undefined },
  parameters: Record<string, string> | undefined,
  requestHeaders: Record<string, string> | undefined,
  method: string,
): APIGatewayProxyEventV2 => {
  const isDefault = target.kind === '$default';
  const rawPath = isDefault ? target.noticeId! : target.kind.slice(4).replace('{noticeId}', encodeSegment(target.noticeId ?? ''));
  const event = httpEvent({
    method,
    path: rawPath,
    routeKey: target.kind,
    ...(requestHeaders ? { headers: requestHeaders } : {}),
    ...(parameters ? { query: parameters } : {}),
    ...(!isDefault && target.noticeId !== undefined ? { pathParameters: { noticeId: target.noticeId } } : {}),
    userAgent: 'fuzz',
  });
  if (requestHeaders) return event;
  // An event without any headers object at all: API Gateway never sends one, the handler must still cope.
  const { headers: _absent, ...withoutHeaders } = event;
  return withoutHeaders as APIGatewayProxyEventV2;
};

const STACK_TRACE = /\n\s+at |\.ts:\d+|\.js:\d+|node:internal/;

describe('Fuzz: notices API', () => {
  it(`answers ${RUNS} generated requests with no 5xx, problem+json errors and no stack traces`, async () => {
    const statuses = new Map<number, number>();
    let htmlAnswers = 0;
    await fc.assert(
      fc.asyncProperty(
        route,
        query,
        headers,
        fc.integer({ min: 0, max: handlers.length - 1 }),
        fc.constantFrom('GET', 'GET', 'GET', 'POST', 'DELETE'),
        async (target, parameters, requestHeaders, at, method) => {
          const result = await handlers[at]!(toEvent(target, parameters, requestHeaders, method), lambdaContext());
          const status = result.statusCode!;
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          expect(status).toBeLessThan(500);
          const body = (result.body ?? '') as string;
          expect(body).not.toMatch(STACK_TRACE);
          if (status >= 400) {
            expect(result.headers?.['Content-Type']).toBe('application/problem+json');
            const problem = JSON.parse(body) as Record<string, unknown>;
            expect(problem).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) });
            expect((problem['detail'] as string).length).toBeLessThan(300);
          } else if (status === 304) {
            expect(body).toBe('');
          } else {
            expect(status).toBe(200);
            expect(body.length).toBeGreaterThan(0);
          }
          // Every HTML answer (notice page or diff page, 200 or 304) forbids scripts, framing and sniffing.
          if (String(result.headers?.['Content-Type'] ?? '').startsWith('text/html') || (status === 304 && result.headers?.['Content-Security-Policy'] !== undefined)) {
            htmlAnswers += 1;
            expect(result.headers?.['Content-Security-Policy']).toMatch(/^default-src 'none'; style-src 'sha256-[^']+'; .*frame-ancestors 'none'/);
            expect(result.headers?.['X-Content-Type-Options']).toBe('nosniff');
            expect(result.headers?.['X-Frame-Options']).toBe('DENY');
          }
        },
      ),
      { numRuns: RUNS },
    );
    // The generator must reach the interesting outcomes, or the property proves little.
    for (const status of [200, 304, 400, 404, 405, 406, 422]) expect(statuses.get(status) ?? 0, `status ${status}`).toBeGreaterThan(0);
    expect(htmlAnswers).toBeGreaterThan(0);
  });
});
