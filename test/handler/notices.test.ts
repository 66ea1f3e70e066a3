import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { compiledContent as content } from '../../functions/content/artifact.ts';
import type { CompiledNotice } from '../../functions/core/content.ts';
import { fixedClock } from '../../functions/core/clock.ts';
import { noticeResponseSchemas } from '../../functions/http/schemas/notices-responses.ts';
import { latestPolicy, LATEST_MAX_AGE_SECONDS } from '../../functions/notices/cache-policy.ts';
import { makeHandler } from '../../functions/lambdas/notices.ts';
import { etagOfBody, ifNoneMatchMatches } from '../../functions/notices/conditional.ts';
import { InputMemo } from '../../functions/notices/input-memo.ts';
import { ResponseMemo } from '../../functions/notices/response-memo.ts';
import { httpEvent, lambdaContext } from '../fakes/http-event.ts';

// Dates come from the artifact, so the tests hold whatever the sample's dates and today's date are.
const notice = content.notices.find((candidate) => candidate.noticeId === 'privacy') as CompiledNotice;
const [first, second] = notice.versions;
const startOf = (date: string) => Date.parse(`${date}T00:00:00.000Z`);
const DAY = 86_400_000;
const whileFirstInForce = new Date(startOf(first!.effectiveDate) + 10 * DAY);
const afterSecond = new Date(startOf(second!.effectiveDate) + DAY);

interface EventInput {
  query?: Record<string, string>;
  headers?: Record<string, string>;
  method?: string;
}

const routeOf = (path: string): { routeKey: string; pathParameters?: Record<string, string> } => {
  const match = /^\/v1\/notices\/([^/]+)(\/versions|\/diff)?$/.exec(path);
  if (!match) return { routeKey: `GET ${path}` };
  return { routeKey: `GET /v1/notices/{noticeId}${match[2] ?? ''}`, pathParameters: { noticeId: decodeURIComponent(match[1]!) } };
};

const eventFor = (path: string, input: EventInput = {}): APIGatewayProxyEventV2 => {
  const query = input.query ?? {};
  return httpEvent({
    method: input.method ?? 'GET',
    path,
    ...routeOf(path),
    ...(Object.keys(query).length > 0 ? { query } : {}),
    headers: input.headers ?? {},
    userAgent: 'vitest',
  });
};

const context = lambdaContext();
let clock = fixedClock(whileFirstInForce);
let handler = makeHandler({ content, clock });
beforeEach(() => {
  clock = fixedClock(whileFirstInForce);
  handler = makeHandler({ content, clock });
});

const get = async (path: string, input?: EventInput) => {
  const result = await handler(eventFor(path, input), context);
  return { status: result.statusCode!, headers: (result.headers ?? {}) as Record<string, string>, body: (result.body ?? '') as string };
};
const getJson = async (path: string, input?: EventInput) => {
  const response = await get(path, input);
  return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
};

const expectProblem = (response: { status: number; headers: Record<string, string>; body: string }, status: number) => {
  expect(response.status).toBe(status);
  expect(response.headers['Content-Type']).toBe('application/problem+json');
  const problem = JSON.parse(response.body) as Record<string, unknown>;
  expect(problem).toMatchObject({ status, type: expect.stringMatching(/^https:\/\//), title: expect.any(String), detail: expect.any(String) });
  expect(response.body).not.toMatch(/\bat .*\.(ts|js):\d+/);
};

describe('Handler: notices', () => {
  describe('GET /v1/notices/{noticeId}: which variant', () => {
    it.each([
      [{ query: { country: 'DE' } }, 'eea', 'en'],
      // No Accept-Language: the region's default language (regions.yaml), then the notice's.
      [{ query: { country: 'JP' } }, 'jp', 'ja'],
      [{ query: { country: 'JP' }, headers: { 'accept-language': 'en-US' } }, 'jp', 'en'],
      [{ query: { country: 'KR' }, headers: { 'accept-language': 'fr, de;q=0.5' } }, 'kr', 'ko'],
      [{ query: { country: 'KR' }, headers: { 'accept-language': '*' } }, 'kr', 'ko'],
      [{ query: { country: 'KR' }, headers: { 'accept-language': 'ja, ko' } }, 'kr', 'ja'],
      [{ query: { country: 'jp', lang: 'ja-JP' } }, 'jp', 'ja'],
      [{ headers: { 'cloudfront-viewer-country': 'KR' } }, 'kr', 'ko'],
      [{ headers: { 'accept-language': 'ja-JP,en;q=0.5' } }, 'global', 'ja'],
      [{ headers: { 'cloudfront-viewer-country': 'CA', 'cloudfront-viewer-country-region': 'QC' } }, 'ca', 'en'],
      [{ headers: { 'cloudfront-viewer-country': 'NO', 'cloudfront-viewer-country-region': '21' } }, 'global', 'en'],
      [{ headers: { 'x-notice-region': 'eea', 'cloudfront-viewer-country': 'US' } }, 'eea', 'en'],
      [{ query: { region: 'kr', country: 'DE' }, headers: { 'cloudfront-viewer-country': 'JP' } }, 'kr', 'ko'],
      [{ query: { country: 'DE' }, headers: { 'accept-language': 'ko-KR' } }, 'eea', 'ko'],
      [{ query: { country: 'ZZ' } }, 'global', 'en'],
      [{ query: { country: 'CH' } }, 'global', 'en'],
      [{ query: { lang: 'fr' }, headers: { 'accept-language': 'fr, ja;q=0.3' } }, 'global', 'ja'],
    ])('serves %j the %s/%s variant', async (input, region, language) => {
      const { status, headers, json } = await getJson('/v1/notices/privacy', input);
      expect(status).toBe(200);
      expect(json).toMatchObject({ noticeId: 'privacy', version: first!.version, region, language });
      expect(headers['X-Notice-Region']).toBe(region);
      expect(headers['Content-Language']).toBe(language);
    });

    it('answers with the pre-rendered body whose hash is the ETag and the canonical rendering', async () => {
      const { headers, body, json } = await getJson('/v1/notices/privacy', { query: { country: 'DE' } });
      const variant = first!.variants['eea/en']!;
      expect(body).toBe(variant.json);
      expect(headers['ETag']).toBe(`"${variant.contentHash}"`);
      const canonical = JSON.stringify({
        noticeId: json['noticeId'],
        version: json['version'],
        region: json['region'],
        language: json['language'],
        sections: (json['sections'] as { id: string; title: string; markdown: string }[]).map(({ id, title, markdown }) => ({ id, title, markdown })),
      });
      expect(createHash('sha256').update(canonical).digest('hex')).toBe(variant.contentHash);
    });

    it('serves the common sections plus the region’s own, and only those', async () => {
      const { json } = await getJson('/v1/notices/privacy', { query: { country: 'JP' } });
      const regions = new Set((json['sections'] as { region: string | null }[]).map((section) => section.region));
      expect([...regions].sort()).toEqual(['jp', null].sort());
    });

    it('matches the documented response schema for every variant of every version', () => {
      const { NoticeVariant } = noticeResponseSchemas();
      for (const version of notice.versions) {
        for (const variant of Object.values(version.variants)) {
          expect(NoticeVariant.safeParse(JSON.parse(variant.json)).success, `${version.version} ${variant.region}/${variant.language}`).toBe(true);
        }
      }
    });

    it('sets Vary to every request header that selects a variant', async () => {
      const { headers } = await get('/v1/notices/privacy');
      expect(headers['Vary']).toBe('Accept, Accept-Language, CloudFront-Viewer-Country, CloudFront-Viewer-Country-Region, X-Notice-Region');
    });
  });

  describe('GET /v1/notices/{noticeId}: representations', () => {
    it.each([
      [{ query: { format: 'html' } }, 'text/html; charset=utf-8', '.html'],
      [{ query: { format: 'md' } }, 'text/markdown; charset=utf-8', '.md'],
      [{ query: { format: 'json' }, headers: { accept: 'text/html' } }, 'application/json; charset=utf-8', ''],
      [{ headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } }, 'text/html; charset=utf-8', '.html'],
      [{ headers: { accept: 'text/markdown' } }, 'text/markdown; charset=utf-8', '.md'],
      [{ headers: { accept: '*/*' } }, 'application/json; charset=utf-8', ''],
      [{}, 'application/json; charset=utf-8', ''],
    ])('serves %j as %s with a per-format ETag', async (input, contentType, suffix) => {
      const { status, headers, body } = await get('/v1/notices/privacy', input);
      const variant = first!.variants['global/en']!;
      expect(status).toBe(200);
      expect(headers['Content-Type']).toBe(contentType);
      expect(headers['ETag']).toBe(`"${variant.contentHash}${suffix}"`);
      expect(body).toBe(suffix === '.html' ? variant.html : suffix === '.md' ? variant.markdown : variant.json);
    });

    it('answers 406 when Accept names nothing offered', async () => {
      expectProblem(await get('/v1/notices/privacy', { headers: { accept: 'image/png' } }), 406);
    });
  });

  describe('GET /v1/notices/{noticeId}: conditional requests', () => {
    const etag = () => `"${first!.variants['global/en']!.contentHash}"`;

    it.each([
      ['the exact tag', () => etag()],
      ['a weak tag', () => `W/${etag()}`],
      ['a list', () => `"nope", ${etag()} , W/"other"`],
      ['*', () => '*'],
    ])('answers 304 with no body for %s', async (_name, header) => {
      const { status, headers, body } = await get('/v1/notices/privacy', { headers: { 'if-none-match': header() } });
      expect(status).toBe(304);
      expect(body).toBe('');
      expect(headers['ETag']).toBe(etag());
      expect(headers['Cache-Control']).toMatch(/max-age/);
      expect(headers['Content-Type']).toBeUndefined();
    });

    it.each(['"nope"', 'garbage', '', 'W/', ',,,', etag().slice(0, -1)])('answers 200 for the non-matching If-None-Match %j', async (header) => {
      expect((await get('/v1/notices/privacy', { headers: { 'if-none-match': header } })).status).toBe(200);
    });

    it('never validates one format with another format’s tag', async () => {
      const { status } = await get('/v1/notices/privacy', { query: { format: 'html' }, headers: { 'if-none-match': etag() } });
      expect(status).toBe(200);
    });
  });

  describe('GET /v1/notices/{noticeId}: versions and caching over time', () => {
    it('pins a version by number, even ahead of its effective date, as immutable', async () => {
      const { status, headers, json } = await getJson('/v1/notices/privacy', { query: { version: String(second!.version) } });
      expect(status).toBe(200);
      expect(json['version']).toBe(second!.version);
      expect(headers['Cache-Control']).toBe('public, max-age=31536000, immutable');
    });

    it('serves the new version as latest from 00:00 UTC of its effective date, in the same warm handler', async () => {
      const changeAt = startOf(second!.effectiveDate);
      clock.set(new Date(changeAt - 1));
      expect((await getJson('/v1/notices/privacy')).json['version']).toBe(first!.version);
      clock.set(new Date(changeAt));
      expect((await getJson('/v1/notices/privacy')).json['version']).toBe(second!.version);
    });

    it('never lets the latest max-age outlive the next effective date', async () => {
      const changeAt = startOf(second!.effectiveDate);
      const offsets = [3 * DAY, 301_000, 300_000, 299_999, 120_500, 2_000, 1_000, 999, 1];
      for (const offset of offsets) {
        clock.set(new Date(changeAt - offset));
        const { headers } = await get('/v1/notices/privacy', { query: { country: 'DE' } });
        const maxAge = Number(/max-age=(\d+)/.exec(headers['Cache-Control']!)![1]);
        expect(maxAge).toBeLessThanOrEqual(LATEST_MAX_AGE_SECONDS);
        // Checked at the instant of the request and one second later (the memo may reuse the header that long).
        expect(changeAt - offset + maxAge * 1000, `offset ${offset}`).toBeLessThanOrEqual(changeAt);
      }
    });

    it('caches latest for the full max-age once no newer version is published', async () => {
      clock.set(afterSecond);
      const { headers } = await get('/v1/notices/privacy');
      expect(headers['Cache-Control']).toBe(`public, max-age=${LATEST_MAX_AGE_SECONDS}`);
    });

    it('has no latest version before the first effective date (404), yet serves version 1 by number', async () => {
      clock.set(new Date(startOf(first!.effectiveDate) - 1));
      expectProblem(await get('/v1/notices/privacy'), 404);
      expect((await get('/v1/notices/privacy', { query: { version: '1' } })).status).toBe(200);
    });
  });

  describe('GET /v1/notices/{noticeId}: bad input', () => {
    it.each([
      [{ country: 'DEU' }, 'country'],
      [{ country: 'D1' }, 'country'],
      [{ country: 'DE,JP' }, 'country'],
      [{ country: '' }, 'country'],
      [{ lang: 'japanese!' }, 'lang'],
      [{ lang: '' }, 'lang'],
      [{ version: 'latest' }, 'version'],
      [{ version: '0' }, 'version'],
      [{ version: '-1' }, 'version'],
      [{ version: '1.0' }, 'version'],
      [{ version: '01' }, 'version'],
      [{ version: '1'.repeat(12) }, 'version'],
      [{ format: 'xml' }, 'format'],
      [{ region: 'EEA!' }, 'region'],
    ])('refuses %j with 400 naming the parameter', async (query, parameter) => {
      const response = await get('/v1/notices/privacy', { query });
      expectProblem(response, 400);
      expect(JSON.parse(response.body).errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: parameter })]));
    });

    it('does not echo the rejected value', async () => {
      const { body } = await get('/v1/notices/privacy', { query: { country: '<script>alert(1)</script>' } });
      expect(body).not.toContain('<script>');
    });

    it('refuses a region the notice does not serve with 422', async () => {
      expectProblem(await get('/v1/notices/privacy', { query: { region: 'us' } }), 422);
    });

    it.each(['/v1/notices/nope', '/v1/notices/PRIVACY', '/v1/notices/%3Cscript%3E'])('answers 404 for the unknown notice %s', async (path) => {
      const response = await get(path);
      expectProblem(response, 404);
      expect(response.body).not.toContain('<script>');
    });

    it('answers 404 for an unknown version', async () => {
      expectProblem(await get('/v1/notices/privacy', { query: { version: '99' } }), 404);
    });

    it('never caches an error', async () => {
      expect((await get('/v1/notices/privacy', { query: { version: '99' } })).headers['Cache-Control']).toBe('no-store');
    });
  });

  describe('GET /v1/notices', () => {
    it('lists the notice with its latest version, languages, regions and upcoming versions', async () => {
      const { status, json } = await getJson('/v1/notices');
      expect(status).toBe(200);
      expect(json).toEqual({
        notices: [
          {
            noticeId: 'privacy',
            title: notice.title,
            defaultLanguage: 'en',
            latestVersion: first!.version,
            effectiveDate: first!.effectiveDate,
            languages: ['en', 'ja', 'ko'],
            regions: ['global', 'eea', 'ca', 'jp', 'kr'],
            upcoming: [{ version: second!.version, effectiveDate: second!.effectiveDate }],
          },
        ],
      });
      expect(noticeResponseSchemas().NoticeList.safeParse(json).success).toBe(true);
    });

    it('moves latest forward when the calendar passes the next date', async () => {
      clock.set(afterSecond);
      const { json } = await getJson('/v1/notices');
      expect(json['notices']).toEqual([expect.objectContaining({ latestVersion: second!.version, upcoming: [] })]);
    });

    it('answers 304 to its own ETag', async () => {
      const { headers } = await get('/v1/notices');
      expect((await get('/v1/notices', { headers: { 'if-none-match': headers['ETag']! } })).status).toBe(304);
    });
  });

  describe('GET /v1/notices/{noticeId}/versions', () => {
    it('reports every version with its status at request time and its declared changes', async () => {
      const { status, json } = await getJson('/v1/notices/privacy/versions');
      expect(status).toBe(200);
      expect(json['latestVersion']).toBe(first!.version);
      expect(json['versions']).toEqual([
        expect.objectContaining({ version: first!.version, status: 'in-force', changes: [] }),
        expect.objectContaining({ version: second!.version, status: 'upcoming', changes: second!.changes }),
      ]);
      expect(noticeResponseSchemas().VersionHistory.safeParse(json).success).toBe(true);
    });

    it('marks the first version superseded once the second is in force', async () => {
      clock.set(afterSecond);
      const { json } = await getJson('/v1/notices/privacy/versions');
      expect((json['versions'] as { status: string }[]).map((version) => version.status)).toEqual(['superseded', 'in-force']);
    });

    it('answers 404 for an unknown notice', async () => {
      expectProblem(await get('/v1/notices/nope/versions'), 404);
    });
  });

  describe('GET /v1/notices/{noticeId}/diff', () => {
    it('shows the lowering change in the eea section with its declared change', async () => {
      const { status, headers, json } = await getJson('/v1/notices/privacy/diff', { query: { from: '1', to: '2', region: 'eea' } });
      expect(status).toBe(200);
      expect(headers['Cache-Control']).toBe('public, max-age=31536000, immutable');
      expect(json).toMatchObject({ from: 1, to: 2, region: 'eea', language: 'en' });
      const sections = json['sections'] as { id: string; status: string; change: { effect?: string } | null }[];
      const lowered = sections.filter((section) => section.change?.effect === 'lowers');
      expect(lowered.map((section) => section.status)).toEqual(['changed']);
      expect(sections.some((section) => section.status === 'unchanged')).toBe(true);
      expect(noticeResponseSchemas().NoticeDiff.safeParse(json).success).toBe(true);
    });

    it('negotiates the language and resolves the region from geo headers', async () => {
      const { json } = await getJson('/v1/notices/privacy/diff', {
        query: { from: '1', to: '2' },
        headers: { 'accept-language': 'ja', 'cloudfront-viewer-country': 'JP' },
      });
      expect(json).toMatchObject({ region: 'jp', language: 'ja' });
    });

    it.each([
      [{ to: '2' }, 400],
      [{ from: '1' }, 400],
      [{ from: 'x', to: '2' }, 400],
      [{ from: '2', to: '1' }, 400],
      [{ from: '1', to: '9' }, 404],
      [{ from: '1', to: '2', lang: '!!' }, 400],
      [{ from: '1', to: '2', region: 'mars' }, 422],
    ])('refuses %j with %i', async (query, status) => {
      expectProblem(await get('/v1/notices/privacy/diff', { query }), status);
    });
  });

  describe('GET /v1/openapi.json', () => {
    it('serves the document built into the artifact', async () => {
      const { status, headers, body } = await get('/v1/openapi.json');
      expect(status).toBe(200);
      expect(headers['Content-Type']).toBe('application/json; charset=utf-8');
      expect(body).toBe(content.openapi);
      expect(JSON.parse(body)).toMatchObject({ openapi: '3.1.0', paths: expect.objectContaining({ '/v1/notices/{noticeId}': expect.any(Object) }) });
    });
  });

  describe('routing', () => {
    it('routes by raw path when API Gateway sends $default', async () => {
      const event = { ...eventFor('/v1/notices/privacy/versions'), routeKey: '$default', pathParameters: undefined };
      const result = await handler(event, context);
      expect(result.statusCode).toBe(200);
      expect(JSON.parse(result.body as string).noticeId).toBe('privacy');
    });

    it('answers 404 for an unknown path and 405 for another method', async () => {
      const unknown = await handler({ ...eventFor('/v1/nothing'), routeKey: '$default' }, context);
      expect(unknown.statusCode).toBe(404);
      const post = await handler({ ...eventFor('/v1/notices', { method: 'POST' }), routeKey: '$default' }, context);
      expect(post.statusCode).toBe(405);
    });
  });
});

describe('Function: latestPolicy', () => {
  it('counts down to the effective date and never promises past it', () => {
    const changeAt = startOf(second!.effectiveDate);
    for (let offset = 0; offset <= 400_000; offset += 777) {
      const now = changeAt - 400_000 + offset;
      const policy = latestPolicy(notice, new Date(now));
      const maxAge = Number(/max-age=(\d+)/.exec(policy.cacheControl)![1]);
      // Whenever the policy is reused (until validUntil), its max-age must still end before the change.
      const lastReuse = Math.min(policy.validUntil, changeAt) - 1;
      expect(lastReuse + maxAge * 1000).toBeLessThanOrEqual(changeAt);
    }
  });
});

describe('Class: ResponseMemo', () => {
  const entry = (validUntil: number) => ({ ok: { statusCode: 200 }, notModified: { statusCode: 304 }, etag: '"x"', validUntil });

  it('forgets an entry once its validity has passed', () => {
    const memo = new ResponseMemo();
    memo.set('latest', entry(1_000));
    expect(memo.get('latest', () => 999)).toBeDefined();
    expect(memo.get('latest', () => 1_000)).toBeUndefined();
  });

  it('stays bounded however many distinct keys callers send', () => {
    const memo = new ResponseMemo(100);
    for (let index = 0; index < 1_000; index += 1) memo.set(`key-${index}`, entry(Infinity));
    expect(memo.size).toBeLessThanOrEqual(100);
    expect(memo.get('key-999', () => 0)).toBeDefined();
  });
});

describe('Class: InputMemo', () => {
  const selection = { pathParameter: 'noticeId', query: ['country'], headers: ['accept'] };
  const event = (country: string | undefined, accept?: string) =>
    httpEvent({
      path: '/v1/notices/privacy',
      pathParameters: { noticeId: 'privacy' },
      ...(country === undefined ? {} : { query: { country } }),
      headers: accept === undefined ? {} : { accept },
    });

  it('tells an absent input from an empty one', () => {
    const memo = new InputMemo<string>(selection);
    memo.set(event(undefined), 'no country');
    expect(memo.get(event(undefined))).toBe('no country');
    expect(memo.get(event(''))).toBeUndefined();
  });

  it('keys on every selected input, and only those', () => {
    const memo = new InputMemo<string>(selection);
    memo.set(event('DE', 'text/html'), 'html');
    expect(memo.get(event('DE', 'text/html'))).toBe('html');
    expect(memo.get(event('DE'))).toBeUndefined();
    expect(memo.get({ ...event('DE', 'text/html'), headers: { accept: 'text/html', 'user-agent': 'other' } })).toBe('html');
  });

  it('does not keep oversized inputs and stays bounded', () => {
    const memo = new InputMemo<string>(selection, 10);
    memo.set(event('x'.repeat(300)), 'huge');
    expect(memo.size).toBe(0);
    for (let index = 0; index < 100; index += 1) memo.set(event(`C${index}`), 'v');
    expect(memo.size).toBeLessThanOrEqual(10);
  });
});

describe('Handler: warm path', () => {
  it('answers a repeated request from the memo with the same response as the first', async () => {
    const input = { query: { country: 'DE' }, headers: { 'accept-language': 'ja' } };
    const first = await get('/v1/notices/privacy', input);
    const second = await get('/v1/notices/privacy', input);
    expect(second).toEqual(first);
    expect(first.status).toBe(200);
  });

  it('still answers 304 from the memo', async () => {
    const { headers } = await get('/v1/notices/privacy');
    expect((await get('/v1/notices/privacy', { headers: { 'if-none-match': headers['ETag']! } })).status).toBe(304);
  });

  it('answers a malformed event through the problem boundary', async () => {
    // Parsed from JSON, as API Gateway's payload would be: no type claims it is well formed.
    const event: APIGatewayProxyEventV2 = JSON.parse(JSON.stringify({ ...eventFor('/v1/notices/privacy'), headers: null, queryStringParameters: 'x' }));
    const result = await handler(event, context);
    expect(result.statusCode).toBeLessThan(500);
  });
});

describe('Function: etagOfBody / ifNoneMatchMatches', () => {
  it('tags equal bodies alike and different bodies apart', () => {
    const bodies = ['', 'a', 'b', '{"notices":[]}', '{"notices":[ ]}', 'x'.repeat(10_000), `${'x'.repeat(9_999)}y`, '日本語'];
    const tags = bodies.map(etagOfBody);
    expect(new Set(tags).size).toBe(bodies.length);
    expect(etagOfBody('{"notices":[]}')).toBe(tags[3]);
    for (const tag of tags) expect(tag).toMatch(/^"[0-9a-f]{28}-[0-9a-f]+"$/);
  });

  it('matches weakly, in lists and for *, and never on malformed members', () => {
    expect(ifNoneMatchMatches('W/"a", "b"', '"b"')).toBe(true);
    expect(ifNoneMatchMatches('"a"', 'W/"a"')).toBe(true);
    expect(ifNoneMatchMatches('*', '"a"')).toBe(true);
    expect(ifNoneMatchMatches('a', '"a"')).toBe(false);
    expect(ifNoneMatchMatches(undefined, '"a"')).toBe(false);
  });
});
