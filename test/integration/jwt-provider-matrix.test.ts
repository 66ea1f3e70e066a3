/**
 * The JWT matrix: the claim shapes of four identity providers' access tokens × the principals they
 * stand for × an account route and an admin route, through the local gateway (RS256 verification,
 * the route's authorization scopes enforced as API Gateway does, claims rendered as API Gateway
 * renders them) into the principal and authorisation code the Lambdas run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeAccount, authorizeAdmin } from '../../functions/core/authorization.ts';
import type { HttpHandler } from '../../functions/http/middleware.ts';
import { ADMIN_SCOPE, SERVICE_SCOPE, principalFromEvent } from '../../functions/http/principal.ts';
import { problemResponse, toProblem } from '../../functions/http/problem.ts';
import { startGateway, type Gateway } from '../../local/gateway.ts';
import { createLocalJwtAuthorizer, type LocalJwtAuthorizer } from '../../local/jwt-authorizer.ts';
import { httpEvent, lambdaContext } from '../fakes/http-event.ts';

const OWNER = 'acct-owner';

/** How each provider carries scopes and what else its access tokens hold (shapes from their docs). */
const PROVIDERS: Record<string, (scopes: readonly string[]) => Record<string, unknown>> = {
  // Cognito: space-separated `scope`, groups as an array, client id, token use.
  cognito: (scopes) => ({ ...(scopes.length ? { scope: scopes.join(' ') } : {}), 'cognito:groups': ['ops', 'eu'], client_id: 'abc123', token_use: 'access', auth_time: 1764000000 }),
  // Okta: `scp` as a JSON array, numeric `ver`, `uid`, `cid`.
  okta: (scopes) => ({ scp: [...scopes], ver: 1, uid: '00u1', cid: '0oa1' }),
  // Entra ID (v2 access token): `scp` space-separated string, app `roles` array, `oid`, `tid`.
  entra: (scopes) => ({ ...(scopes.length ? { scp: scopes.join(' ') } : {}), roles: ['Reader'], oid: '9f0c', tid: '72f9', ver: '2.0' }),
  // Auth0: space-separated `scope`, RBAC `permissions` array, a namespaced object claim, a boolean.
  auth0: (scopes) => ({ ...(scopes.length ? { scope: scopes.join(' ') } : {}), permissions: [...scopes], 'https://disclosure.dev/tenant': { id: 't1', tier: 'gold' }, gty: 'client-credentials', email_verified: true }),
};

interface Caller {
  readonly sub: string;
  readonly scopes: readonly string[];
}

const CALLERS: Record<string, Caller> = {
  'user (own account)': { sub: OWNER, scopes: [] },
  'user (other account)': { sub: 'acct-intruder', scopes: [] },
  service: { sub: 'billing', scopes: [SERVICE_SCOPE] },
  admin: { sub: 'ops', scopes: [ADMIN_SCOPE] },
  // The bug this matrix guards: a service token whose sub looks like an IAM ARN is still no admin.
  'service with an arn: sub': { sub: 'arn:aws:iam::123456789012:role/ops', scopes: [SERVICE_SCOPE] },
};

const ACCOUNT_ROUTE = `/v1/accounts/${OWNER}/notices/privacy/status`;
const ADMIN_ROUTE = '/v1/campaigns/privacy-v2';

/** Expected status per caller and route: 401/403 from the gateway or the Lambda, 200 allowed. */
const EXPECTED: Record<string, { account: number; admin: number }> = {
  'user (own account)': { account: 200, admin: 403 },
  'user (other account)': { account: 403, admin: 403 },
  service: { account: 200, admin: 403 },
  admin: { account: 200, admin: 200 },
  'service with an arn: sub': { account: 200, admin: 403 },
};

/** A Lambda that answers with the authorisation decision the real handlers make. */
const deciding = (decide: (event: Parameters<HttpHandler>[0]) => void): HttpHandler => async (event) => {
  try {
    decide(event);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(principalFromEvent(event)) };
  } catch (error) {
    return problemResponse(toProblem(error));
  }
};

describe('JWT matrix: providers × principals × routes through the local gateway', () => {
  let keyDir: string;
  let authorizer: LocalJwtAuthorizer;
  let gateway: Gateway;
  const tallies = { cases: 0, byStatus: new Map<number, number>() };

  beforeAll(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'jwt-matrix-'));
    authorizer = await createLocalJwtAuthorizer({ keyDir });
    gateway = await startGateway({
      handlers: {
        accounts: deciding((event) => authorizeAccount(principalFromEvent(event), event.pathParameters?.['accountId'] ?? '')),
        'campaigns-api': deciding((event) => authorizeAdmin(principalFromEvent(event))),
      },
      authorize: authorizer.authorizeRoute,
    });
  });
  afterAll(async () => {
    await gateway?.close();
    rmSync(keyDir, { recursive: true, force: true });
    console.info(`JWT matrix: ${tallies.cases} cases (${Object.keys(PROVIDERS).length} providers × ${Object.keys(CALLERS).length} principals × 2 routes), statuses ${JSON.stringify(Object.fromEntries(tallies.byStatus))}`);
  });

  const cases = Object.keys(PROVIDERS).flatMap((provider) => Object.keys(CALLERS).map((caller) => [provider, caller] as const));

  it.each(cases)('%s token, %s', async (provider, caller) => {
    const { sub, scopes } = CALLERS[caller]!;
    const token = await authorizer.sign({ sub, claims: PROVIDERS[provider]!(scopes) });
    for (const [route, path] of [['account', ACCOUNT_ROUTE], ['admin', ADMIN_ROUTE]] as const) {
      const response = await fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      const expected = EXPECTED[caller]![route];
      expect(response.status, `${route} route`).toBe(expected);
      tallies.cases += 1;
      tallies.byStatus.set(response.status, (tallies.byStatus.get(response.status) ?? 0) + 1);
      if (route === 'admin' && scopes.length > 0 && !scopes.includes(ADMIN_SCOPE)) {
        // The route's authorization scope is enforced by the gateway, as API Gateway would: its bare 403.
        expect(await response.json()).toEqual({ message: 'Forbidden' });
      }
      if (expected === 200 && route === 'account') {
        const principal = (await response.json()) as { kind: string };
        expect(principal.kind).toBe(caller === 'admin' ? 'admin' : scopes.includes(SERVICE_SCOPE) ? 'service' : 'user');
      }
    }
  });

  it('refuses the arn: sub inside the Lambda too, where no gateway checked the scope (a service token)', async () => {
    const token = await authorizer.sign({ sub: 'arn:aws:iam::123456789012:role/ops', scope: SERVICE_SCOPE });
    const context = await authorizer.authorize({ authorization: `Bearer ${token}` });
    const event = httpEvent({ method: 'POST', path: '/v1/campaigns', routeKey: 'POST /v1/campaigns', authorizer: context! });
    const principal = principalFromEvent(event);

    expect(principal).toEqual({ kind: 'service', via: 'jwt', id: 'arn:aws:iam::123456789012:role/ops' });
    expect(() => authorizeAdmin(principal)).toThrow(/administrator/);
    // Only the IAM authoriser's context makes the IAM principal that may start campaigns.
    const iam = principalFromEvent(httpEvent({ method: 'POST', path: '/v1/campaigns', routeKey: 'POST /v1/campaigns', authorizer: { iam: { userArn: 'arn:aws:iam::123456789012:role/ops' } } }));
    expect(() => authorizeAdmin(iam)).not.toThrow();
    const result = await deciding((e) => authorizeAdmin(principalFromEvent(e)))(event, lambdaContext());
    expect(typeof result === 'object' && result.statusCode).toBe(403);
  });

  it('hands the claims over as API Gateway renders them: strings, arrays "[a b]", objects map[k:v]', async () => {
    const token = await authorizer.sign({ sub: OWNER, claims: { ...PROVIDERS['auth0']!([SERVICE_SCOPE, 'read:x']), ...PROVIDERS['okta']!(['a', 'b']) } });
    const context = await authorizer.authorize({ authorization: `Bearer ${token}` });

    expect(context?.jwt.claims).toMatchObject({
      scp: '[a b]',
      permissions: `[${SERVICE_SCOPE} read:x]`,
      'https://disclosure.dev/tenant': 'map[id:t1 tier:gold]',
      email_verified: 'true',
      ver: '1',
    });
    // "[a b]" from `scp` is read as two scopes; `scope` as space-separated.
    expect(principalFromEvent(httpEvent({ path: ACCOUNT_ROUTE, authorizer: context! }))).toMatchObject({ kind: 'service' });
  });
});
