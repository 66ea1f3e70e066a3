import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_SCOPE, SERVICE_SCOPE } from '../../functions/http/principal.ts';
import { createLocalJwtAuthorizer } from '../../local/jwt-authorizer.ts';
import { httpEvent, lambdaContext } from '../fakes/http-event.ts';
import { startLedgerApi, variantOf, type LedgerApi } from './engines.ts';

const OWNER = 'acct-owner';

/** Every account route, with a body that succeeds for an authorised caller. */
const ROUTES = [
  { method: 'POST', path: `/v1/accounts/${OWNER}/acceptances`, body: variantOf(1, 'kr', 'en'), ok: [200, 201] },
  { method: 'GET', path: `/v1/accounts/${OWNER}/acceptances`, ok: [200] },
  { method: 'GET', path: `/v1/accounts/${OWNER}/acceptances?noticeId=privacy&kind=acceptance`, ok: [200] },
  { method: 'GET', path: `/v1/accounts/${OWNER}/evidence`, ok: [200] },
  { method: 'GET', path: `/v1/accounts/${OWNER}/evidence?noticeId=privacy`, ok: [200] },
  { method: 'GET', path: `/v1/accounts/${OWNER}/notices/privacy/status`, ok: [200] },
  { method: 'PUT', path: `/v1/accounts/${OWNER}/contact`, body: { email: 'owner@example.org' }, ok: [204] },
  { method: 'DELETE', path: `/v1/accounts/${OWNER}/contact`, ok: [204] },
] as const;

type Expectation = 401 | 403 | 'ok';

describe('Account routes: the authorisation matrix through the local gateway and JWT authoriser', () => {
  let api: LedgerApi;
  let otherKeyDir: string;
  const tokens: Record<string, string | undefined> = {};

  beforeAll(async () => {
    api = await startLedgerApi();
    otherKeyDir = mkdtempSync(join(tmpdir(), 'foreign-keys-'));
    const foreign = await createLocalJwtAuthorizer({ keyDir: otherKeyDir });
    tokens['no token'] = undefined;
    tokens['bad signature'] = await foreign.sign({ sub: OWNER });
    tokens['expired'] = await api.authorizer.sign({ sub: OWNER, ttlSeconds: -60 });
    tokens['wrong audience'] = await api.authorizer.sign({ sub: OWNER, audience: 'someone-else' });
    tokens['other account'] = await api.authorizer.sign({ sub: 'acct-intruder' });
    tokens['own account'] = await api.authorizer.sign({ sub: OWNER });
    tokens['service'] = await api.authorizer.sign({ sub: 'billing', scope: SERVICE_SCOPE });
    tokens['admin'] = await api.authorizer.sign({ sub: 'ops', scope: ADMIN_SCOPE });
    tokens['garbage'] = 'not.a.jwt';
  });
  afterAll(async () => {
    await api?.stop();
    rmSync(otherKeyDir, { recursive: true, force: true });
  });

  const matrix: [string, Expectation][] = [
    ['no token', 401],
    ['garbage', 401],
    ['bad signature', 401],
    ['expired', 401],
    ['wrong audience', 401],
    ['other account', 403],
    ['own account', 'ok'],
    ['service', 'ok'],
    ['admin', 'ok'],
  ];

  for (const route of ROUTES) {
    it.each(matrix)(`${route.method} ${route.path.replace(OWNER, '{own}')}: %s → %s`, async (caller, expected) => {
      const response = await api.call(route.method, route.path, {
        ...(tokens[caller] ? { token: tokens[caller] } : {}),
        ...('body' in route ? { body: route.body } : {}),
      });
      if (expected === 'ok') {
        expect(route.ok as readonly number[]).toContain(response.status);
      } else {
        expect(response.status).toBe(expected);
        // 401 is API Gateway's own bare JSON refusal; 403 the Lambda's problem+json.
        expect(response.contentType).toBe(expected === 401 ? 'application/json' : 'application/problem+json');
      }
    });
  }

  it('lets an IAM-signed service principal act for any account (authoriser context `iam`)', async () => {
    const event = httpEvent({
      path: `/v1/accounts/${OWNER}/notices/privacy/status`,
      routeKey: 'GET /v1/accounts/{accountId}/notices/{noticeId}/status',
      pathParameters: { accountId: OWNER, noticeId: 'privacy' },
      authorizer: { iam: { userArn: 'arn:aws:iam::123456789012:role/billing' } },
    });
    const result = await api.handler(event, lambdaContext());
    expect(result.statusCode).toBe(200);
  });
});
