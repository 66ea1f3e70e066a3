/**
 * Every admin route (campaign start, dry run, list, progress, pause, resume, and whatever the
 * manifest adds) × every kind of caller, through `npm start`'s gateway and JWT authoriser: only an
 * admin token reaches the Lambda. The routes come from the manifest, so a new admin route is in
 * the matrix without a line here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_SCOPE, SERVICE_SCOPE } from '../../functions/http/principal.ts';
import { routes } from '../../functions/routes.ts';
import { createLocalJwtAuthorizer } from '../../local/jwt-authorizer.ts';
import { startPlatform, type Platform } from '../../local/platform.ts';

const CAMPAIGN = 'privacy-v2';
const ADMIN_ROUTES = routes.filter((route) => route.auth === 'admin');

/** A request an admin may make on the route: the sample campaign, a dry run for the start. */
const requestFor = (route: (typeof ADMIN_ROUTES)[number]): { path: string; body?: unknown } => {
  const path = route.path.replace('{campaignId}', CAMPAIGN);
  if (route.method === 'POST' && route.path === '/v1/campaigns') return { path, body: { noticeId: 'privacy', version: 2, dryRun: true } };
  return route.method === 'POST' ? { path, body: {} } : { path };
};

type Expectation = 401 | 403 | 'allowed';

const CALLERS: [string, Expectation][] = [
  ['no token', 401],
  ['garbage', 401],
  ['bad signature', 401],
  ['expired', 401],
  ['wrong audience', 401],
  ['user', 403],
  ['service', 403],
  // A service token whose subject looks like an IAM ARN is still a service, never admin.
  ['service with an arn: subject', 403],
  ['user claiming admin in a custom claim', 403],
  ['admin', 'allowed'],
  ['admin in scp (Okta/Entra shape)', 'allowed'],
];

describe('Admin routes: the authorisation matrix through the local gateway', () => {
  let platform: Platform;
  let foreignKeys: string;
  const tokens: Record<string, string | undefined> = {};

  beforeAll(async () => {
    platform = await startPlatform({ port: 0, sesPort: 0, quiet: true });
    foreignKeys = mkdtempSync(join(tmpdir(), 'foreign-keys-'));
    const foreign = await createLocalJwtAuthorizer({ keyDir: foreignKeys });
    tokens['no token'] = undefined;
    tokens['garbage'] = 'not.a.jwt';
    tokens['bad signature'] = await foreign.sign({ sub: 'ops', scope: ADMIN_SCOPE });
    tokens['expired'] = await platform.sign({ sub: 'ops', scope: ADMIN_SCOPE, ttlSeconds: -60 });
    tokens['wrong audience'] = await platform.sign({ sub: 'ops', scope: ADMIN_SCOPE, audience: 'someone-else' });
    tokens['user'] = await platform.sign({ sub: 'acct-1' });
    tokens['service'] = await platform.sign({ sub: 'billing', scope: SERVICE_SCOPE });
    tokens['service with an arn: subject'] = await platform.sign({ sub: 'arn:aws:iam::123456789012:role/ops', scope: SERVICE_SCOPE });
    tokens['user claiming admin in a custom claim'] = await platform.sign({ sub: 'acct-1', claims: { role: 'admin', 'custom:scope': ADMIN_SCOPE } });
    tokens['admin'] = await platform.sign({ sub: 'ops', scope: ADMIN_SCOPE });
    tokens['admin in scp (Okta/Entra shape)'] = await platform.sign({ sub: 'ops', claims: { scp: [ADMIN_SCOPE] } });
    // The campaign exists, so progress, pause and resume answer for an admin.
    const start = await fetch(new URL('/v1/campaigns', platform.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens['admin']}`, 'content-type': 'application/json' },
      body: JSON.stringify({ noticeId: 'privacy', version: 2, dryRun: false }),
    });
    expect(start.status).toBe(202);
  });
  afterAll(async () => {
    await platform?.stop();
    rmSync(foreignKeys, { recursive: true, force: true });
  });

  it('covers every admin route of the manifest', () => {
    expect(ADMIN_ROUTES.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining(['POST /v1/campaigns', 'GET /v1/campaigns', 'GET /v1/campaigns/{campaignId}', 'POST /v1/campaigns/{campaignId}/pause', 'POST /v1/campaigns/{campaignId}/resume']),
    );
  });

  for (const route of ADMIN_ROUTES) {
    it.each(CALLERS)(`${route.method} ${route.path}: %s → %s`, async (caller, expected) => {
      const { path, body } = requestFor(route);
      const token = tokens[caller];
      const response = await fetch(new URL(path, platform.url), {
        method: route.method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      if (expected === 'allowed') {
        // Past the gateway and the Lambda's admin check: a success, or the route's own answer about the campaign's state.
        expect(response.status, text).toBeLessThan(500);
        expect([401, 403]).not.toContain(response.status);
      } else {
        expect(response.status, text).toBe(expected);
      }
      if (route.method !== 'HEAD' && expected !== 'allowed') expect(text).not.toContain(CAMPAIGN);
    });
  }
});
