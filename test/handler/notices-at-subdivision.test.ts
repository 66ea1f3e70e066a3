/**
 * `?at=` (the version in force at an instant, past or future) on the variant, list and versions
 * routes, and `?subdivision=` (ISO 3166-2) with the precedence of `country`.
 */
import { describe, expect, it } from 'vitest';
import { compiledContent as content } from '../../functions/content/artifact.ts';
import type { CompiledNotice } from '../../functions/core/content.ts';
import { fixedClock } from '../../functions/core/clock.ts';
import { makeHandler } from '../../functions/lambdas/notices.ts';
import { httpEvent, lambdaContext } from '../fakes/http-event.ts';

const notice = content.notices.find((candidate) => candidate.noticeId === 'privacy') as CompiledNotice;
const [first, second] = notice.versions;
const DAY = 86_400_000;
const startOf = (date: string): number => Date.parse(`${date}T00:00:00.000Z`);
const iso = (ms: number): string => new Date(ms).toISOString();
const whileFirstInForce = new Date(startOf(first!.effectiveDate) + 10 * DAY);
const afterSecond = new Date(startOf(second!.effectiveDate) + DAY);

const ROUTES: Record<string, string> = {
  '/v1/notices': 'GET /v1/notices',
  '/v1/notices/privacy': 'GET /v1/notices/{noticeId}',
  '/v1/notices/privacy/versions': 'GET /v1/notices/{noticeId}/versions',
  '/v1/notices/privacy/diff': 'GET /v1/notices/{noticeId}/diff',
};

const call = async (now: Date, path: string, query: Record<string, string> = {}, headers: Record<string, string> = {}) => {
  const handler = makeHandler({ content, clock: fixedClock(now) });
  const result = await handler(
    httpEvent({
      method: 'GET',
      path,
      routeKey: ROUTES[path]!,
      ...(path === '/v1/notices' ? {} : { pathParameters: { noticeId: 'privacy' } }),
      ...(Object.keys(query).length > 0 ? { query } : {}),
      headers,
      userAgent: 'vitest',
    }),
    lambdaContext(),
  );
  const body = (result.body ?? '') as string;
  return { status: result.statusCode!, headers: (result.headers ?? {}) as Record<string, string>, body };
};
const json = (response: { body: string }) => JSON.parse(response.body) as Record<string, unknown>;

const expectProblem = (response: { status: number; headers: Record<string, string>; body: string }, status: number, detail?: RegExp) => {
  expect(response.status).toBe(status);
  expect(response.headers['Content-Type']).toBe('application/problem+json');
  const problem = json(response);
  expect(problem).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
  if (detail) expect(problem['detail']).toMatch(detail);
};

describe('Handler: notices ?at=', () => {
  describe('GET /v1/notices/{noticeId}', () => {
    it('answers with the version in force at a past instant', async () => {
      // Prepare: version 2 is latest now; ask for a moment while version 1 was in force.
      const at = iso(startOf(second!.effectiveDate) - 1);

      // Act
      const response = await call(afterSecond, '/v1/notices/privacy', { at });

      // Assess
      expect(response.status).toBe(200);
      expect(json(response)['version']).toBe(first!.version);
      expect(response.headers['Cache-Control']).toBe('public, max-age=300');
    });

    it('answers with the version that will be in force at a future instant', async () => {
      const response = await call(whileFirstInForce, '/v1/notices/privacy', { at: `${second!.effectiveDate}T00:00:00Z` });
      expect(json(response)['version']).toBe(second!.version);
      // Without `at`, the same handler time still serves version 1.
      expect(json(await call(whileFirstInForce, '/v1/notices/privacy'))['version']).toBe(first!.version);
    });

    it('reads an offset and a bare date as the instants they name', async () => {
      // 00:30 on the effective date in Tokyo is still the day before in UTC: version 1.
      const tokyo = await call(whileFirstInForce, '/v1/notices/privacy', { at: `${second!.effectiveDate}T00:30:00+09:00` });
      expect(json(tokyo)['version']).toBe(first!.version);
      const date = await call(whileFirstInForce, '/v1/notices/privacy', { at: second!.effectiveDate });
      expect(json(date)['version']).toBe(second!.version);
    });

    it('answers 404 problem+json before the first version took effect', async () => {
      const response = await call(afterSecond, '/v1/notices/privacy', { at: iso(startOf(first!.effectiveDate) - 1) });
      expectProblem(response, 404, /in force/);
    });

    it('lets a version number win over at', async () => {
      const response = await call(afterSecond, '/v1/notices/privacy', { at: first!.effectiveDate, version: String(second!.version) });
      expect(json(response)['version']).toBe(second!.version);
    });

    it('keeps the answers for different instants apart in the warm handler', async () => {
      const handler = makeHandler({ content, clock: fixedClock(afterSecond) });
      const ask = async (query: Record<string, string> | undefined) =>
        JSON.parse(
          (await handler(httpEvent({ method: 'GET', path: '/v1/notices/privacy', routeKey: ROUTES['/v1/notices/privacy']!, pathParameters: { noticeId: 'privacy' }, ...(query ? { query } : {}), userAgent: 'vitest' }), lambdaContext())).body as string,
        ).version as number;
      expect(await ask(undefined)).toBe(second!.version);
      expect(await ask({ at: first!.effectiveDate })).toBe(first!.version);
      expect(await ask(undefined)).toBe(second!.version);
      expect(await ask({ at: first!.effectiveDate })).toBe(first!.version);
    });

    it.each(['yesterday', '2026-02-30', '2026-13-01', '2026-03-01T25:00:00Z', '2026-03-01T10:00:00', '2026-03-01T10:00:00+24:00', '1772323200000', '', '2026-03-01 10:00Z'])(
      'refuses at=%j with 400 problem+json',
      async (at) => {
        expectProblem(await call(afterSecond, '/v1/notices/privacy', { at }), 400, /query parameter: at/);
      },
    );
  });

  describe('GET /v1/notices', () => {
    it('lists the latest version as of at', async () => {
      const list = json(await call(afterSecond, '/v1/notices', { at: first!.effectiveDate })) as { notices: { latestVersion: number; upcoming: { version: number }[] }[] };
      expect(list.notices[0]?.latestVersion).toBe(first!.version);
      expect(list.notices[0]?.upcoming.map((entry) => entry.version)).toContain(second!.version);
      const before = json(await call(afterSecond, '/v1/notices', { at: '2000-01-01' })) as { notices: { latestVersion: number | null }[] };
      expect(before.notices[0]?.latestVersion).toBeNull();
    });

    it('refuses a malformed at with 400', async () => {
      expectProblem(await call(afterSecond, '/v1/notices', { at: 'soon' }), 400);
    });
  });

  describe('GET /v1/notices/{noticeId}/versions', () => {
    it('gives each version its status at that instant', async () => {
      const history = json(await call(whileFirstInForce, '/v1/notices/privacy/versions', { at: second!.effectiveDate })) as { latestVersion: number; versions: { status: string }[] };
      expect(history.latestVersion).toBe(second!.version);
      expect(history.versions.map((version) => version.status)).toEqual(['superseded', 'in-force']);
      const now = json(await call(whileFirstInForce, '/v1/notices/privacy/versions')) as { versions: { status: string }[] };
      expect(now.versions.map((version) => version.status)).toEqual(['in-force', 'upcoming']);
    });

    it('refuses a malformed at with 400', async () => {
      expectProblem(await call(afterSecond, '/v1/notices/privacy/versions', { at: '2026-03-01T12' }), 400);
    });
  });
});

describe('Handler: notices ?subdivision=', () => {
  it.each([
    [{ subdivision: 'CA-QC' }, 'ca'],
    [{ subdivision: 'ca-qc' }, 'ca'],
    [{ subdivision: 'ES-CN' }, 'eea'],
    [{ subdivision: 'ES-CN', country: 'ES' }, 'eea'],
    [{ subdivision: 'ES-CN', region: 'jp' }, 'jp'],
  ])('resolves %j to %s', async (query, region) => {
    const response = await call(afterSecond, '/v1/notices/privacy', query);
    expect(response.status).toBe(200);
    expect(response.headers['X-Notice-Region']).toBe(region);
  });

  it('wins over the geo headers, as country does', async () => {
    const response = await call(afterSecond, '/v1/notices/privacy', { subdivision: 'CA-QC' }, { 'cloudfront-viewer-country': 'JP' });
    expect(response.headers['X-Notice-Region']).toBe('ca');
  });

  it('works on the diff route too', async () => {
    const response = await call(afterSecond, '/v1/notices/privacy/diff', { from: '1', to: '2', subdivision: 'ES-CN' });
    expect(response.headers['X-Notice-Region']).toBe('eea');
  });

  it.each([
    [{ subdivision: 'QC' }, /query parameter: subdivision/],
    [{ subdivision: 'CA-QUEBEC' }, /query parameter: subdivision/],
    [{ subdivision: 'CA-QC', country: 'FR' }, /does not belong to country/],
  ])('refuses %j with 400 problem+json', async (query, detail) => {
    expectProblem(await call(afterSecond, '/v1/notices/privacy', query), 400, detail);
  });
});
