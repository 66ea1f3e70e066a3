/**
 * Origin verification (functions/http/origin-verify.ts): right, wrong and missing header, two
 * values during a rotation, IAM-authorised (service API) requests, off when unconfigured; and
 * the same check in the shared HTTP stack and on the notices function's warm (memo) path.
 */
import { describe, expect, it } from 'vitest';
import { compiledContent as content } from '../../../functions/content/artifact.ts';
import { fixedClock } from '../../../functions/core/clock.ts';
import { httpStack, type HttpResult } from '../../../functions/http/middleware.ts';
import { ORIGIN_VERIFY_HEADER, OriginVerifyConfigError, originVerifier } from '../../../functions/http/origin-verify.ts';
import { makeHandler as makeNoticesHandler } from '../../../functions/lambdas/notices.ts';
import { httpEvent, lambdaContext } from '../../fakes/http-event.ts';

const CURRENT = 'k3T9s0mEcUrr3ntV4lu3xxxxxxxxxxxxxxxxxxxxxxxxxxxx';
const PREVIOUS = 'pR3v10usV4lu3yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy';
const withHeader = (value?: string, extra: Parameters<typeof httpEvent>[0] = { path: '/v1/notices' }) =>
  httpEvent({ ...extra, headers: { ...extra.headers, ...(value === undefined ? {} : { [ORIGIN_VERIFY_HEADER]: value }) } });

const expectForbidden = (result: HttpResult | undefined): void => {
  expect(result?.statusCode).toBe(403);
  expect(result?.headers?.['Content-Type']).toBe('application/problem+json');
  const body = JSON.parse(String(result?.body)) as { status: number; type: string };
  expect(body).toMatchObject({ status: 403, type: 'https://disclosure.dev/problems/forbidden' });
  // Nothing in the answer gives a value away.
  expect(String(result?.body)).not.toContain(CURRENT);
};

describe('Function: originVerifier', () => {
  const verify = originVerifier(JSON.stringify({ current: CURRENT }))!;

  it('lets a request with the right header through', () => {
    expect(verify(withHeader(CURRENT))).toBeUndefined();
  });

  it('refuses a wrong header, a prefix of the right one, an empty one and a missing one with 403 problem+json', () => {
    expectForbidden(verify(withHeader('not-the-value')));
    expectForbidden(verify(withHeader(CURRENT.slice(0, -1))));
    expectForbidden(verify(withHeader(`${CURRENT}x`)));
    expectForbidden(verify(withHeader('')));
    expectForbidden(verify(withHeader(undefined)));
  });

  it('accepts every value of the secret during a rotation, and only those', () => {
    const rotating = originVerifier(JSON.stringify({ current: CURRENT, previous: PREVIOUS }))!;
    expect(rotating(withHeader(CURRENT))).toBeUndefined();
    expect(rotating(withHeader(PREVIOUS))).toBeUndefined();
    expectForbidden(rotating(withHeader(`${CURRENT}${PREVIOUS}`)));
    expectForbidden(rotating(withHeader('current')));
  });

  it('does not check requests the IAM authoriser admitted (the service API, which CloudFront does not front)', () => {
    expect(verify(withHeader(undefined, { path: '/v1/campaigns', authorizer: { iam: { userArn: 'arn:aws:iam::123456789012:role/svc' } } }))).toBeUndefined();
    // A JWT-authorised request came through the public API: it needs the header.
    expectForbidden(verify(withHeader(undefined, { path: '/v1/campaigns', authorizer: { jwt: { claims: { sub: 'arn:aws:iam::1:role/x' } } } })));
  });

  it('is off when no values are configured, and refuses a configuration with nothing to accept', () => {
    expect(originVerifier(undefined)).toBeUndefined();
    expect(originVerifier('')).toBeUndefined();
    expect(originVerifier('  ')).toBeUndefined();
    expect(() => originVerifier('plain-string')).toThrow(OriginVerifyConfigError);
    expect(() => originVerifier('[]')).toThrow(OriginVerifyConfigError);
    expect(() => originVerifier('{"current":""}')).toThrow(OriginVerifyConfigError);
  });
});

describe('Function: httpStack with an origin verifier', () => {
  const handler = async (): Promise<HttpResult> => ({ statusCode: 200, body: 'ok' });

  it('answers 403 before the handler runs, and the handler with the header', async () => {
    let calls = 0;
    const stack = httpStack(async () => { calls += 1; return handler(); }, { originVerifier: originVerifier(JSON.stringify({ current: CURRENT }))! });
    expectForbidden(await stack(withHeader(undefined), lambdaContext()));
    expect(calls).toBe(0);
    expect(await stack(withHeader(CURRENT), lambdaContext())).toEqual({ statusCode: 200, body: 'ok' });
    expect(calls).toBe(1);
  });

  it('runs every request through when none is configured', async () => {
    const stack = httpStack(handler, {});
    expect(await stack(withHeader(undefined), lambdaContext())).toEqual({ statusCode: 200, body: 'ok' });
  });
});

describe('Handler: notices with an origin verifier', () => {
  const event = (value?: string) => withHeader(value, { path: '/v1/notices', routeKey: 'GET /v1/notices', headers: { accept: 'application/json' } });

  it('refuses a request without the header even when the answer is memoised, and serves it with the header', async () => {
    const handler = makeNoticesHandler({ content, clock: fixedClock(new Date('2026-06-01T00:00:00Z')), originVerifier: originVerifier(JSON.stringify({ current: CURRENT }))! });
    const served = await handler(event(CURRENT), lambdaContext());
    expect(served.statusCode).toBe(200);
    // The same request again is answered from the memo: still refused without the header.
    expectForbidden(await handler(event(undefined), lambdaContext()));
    expectForbidden(await handler(event('wrong'), lambdaContext()));
    expect((await handler(event(CURRENT), lambdaContext())).statusCode).toBe(200);
  });

  it('serves without the header when no values are configured (the local platform)', async () => {
    const handler = makeNoticesHandler({ content, clock: fixedClock(new Date('2026-06-01T00:00:00Z')) });
    expect((await handler(event(undefined), lambdaContext())).statusCode).toBe(200);
  });
});
