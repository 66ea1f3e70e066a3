/**
 * Generated bad input over the campaign routes, through the real handler and middy stack with
 * in-memory ports: zero 5xx, every error problem+json, no stack trace.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../functions/lambdas/campaigns-api.ts';
import { renderCampaignEmail } from '../../functions/campaigns/email.ts';
import { compiledContent } from '../../functions/content/artifact.ts';
import { fixedClock } from '../../functions/core/clock.ts';
import type { HttpEvent } from '../../functions/http/middleware.ts';
import { InMemoryCampaignStore } from '../fakes/campaign-store.ts';
import { httpEvent, lambdaContext, type TestAuthorizer } from '../fakes/http-event.ts';

const store = new InMemoryCampaignStore();
let readinessCalls = 0;

const handler = makeHandler({
  store,
  audience: { queryAudience: async () => ({ members: [{ accountId: 'a1', region: 'eea', language: 'en', acceptedVersion: 1 }] }) },
  plannerQueue: { send: async () => {} },
  sendQueue: { send: async () => {} },
  content: compiledContent,
  renderEmail: renderCampaignEmail,
  publicBaseUrl: 'https://disclosure.example',
  clock: fixedClock('2026-11-29T12:00:00.000Z'),
  retry: { campaigns: store, recipients: { retryCandidates: async () => ({ items: [] }), requeueFailed: async () => false } },
  // Alternately ready and not: a refusal is a 409 problem, never a 5xx.
  readiness: async () => ({ ready: (readinessCalls++ % 3) !== 2, checks: [{ check: 'dkim', ok: readinessCalls % 3 !== 0, detail: 'DKIM PENDING' }] }),
});

const admin = { jwt: { claims: { sub: 'ops', scope: 'disclosure/admin' }, scopes: null } };
const user = { jwt: { claims: { sub: 'u1' }, scopes: null } };

const event = (method: string, path: string, body: string | undefined, headers: Record<string, string>, authorizer: TestAuthorizer | undefined): HttpEvent =>
  httpEvent({
    method,
    path,
    routeKey: `${method} ${path}`,
    headers,
    ...(body === undefined ? {} : { body }),
    ...(authorizer ? { authorizer } : {}),
    userAgent: 'fuzz',
  });

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.constantFrom('', ' ', '%', '%zz', '../', '\u0000', '<script>', '{{choiceUrl}}', 'privacy-v2', 'privacy-v99', 'x'.repeat(5000)),
);
const jsonValue = fc.jsonValue({ maxDepth: 3 });
const bodyArb = fc.oneof(
  fc.constantFrom(
    JSON.stringify({ noticeId: 'privacy', version: 2, dryRun: true }),
    JSON.stringify({ noticeId: 'privacy', version: 2, dryRun: false }),
    JSON.stringify({ noticeId: 'privacy', version: 1, dryRun: true }),
    JSON.stringify({ noticeId: 'privacy', version: 2, dryRun: true, deadline: '2027-01-15T00:00:00Z', informational: true }),
  ),
  hostileString,
  jsonValue.map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        noticeId: fc.oneof(hostileString, fc.constantFrom('privacy', 'cookies')),
        version: fc.oneof(fc.integer({ min: -5, max: 10 }), fc.double(), hostileString, fc.constant(null)),
        dryRun: fc.oneof(fc.boolean(), hostileString, fc.integer()),
        deadline: fc.oneof(hostileString, fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.constant('2027-01-15T00:00:00Z')),
        informational: fc.oneof(fc.boolean(), hostileString),
        extra: jsonValue,
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
);
const requestArb = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
  path: fc.oneof(
    fc.constant('/v1/campaigns'),
    hostileString.map((id) => `/v1/campaigns/${encodeURIComponent(id)}`),
    hostileString.map((id) => `/v1/campaigns/${id}`),
    fc.constant('/v1/campaigns/privacy-v2'),
    fc.constantFrom('/v1/campaigns/privacy-v2/pause', '/v1/campaigns/privacy-v2/resume', '/v1/campaigns/privacy-v9/pause', '/v1/campaigns/privacy-v2/retry-failed'),
    hostileString.map((id) => `/v1/campaigns/${encodeURIComponent(id)}/${['pause', 'resume', 'retry-failed'][id.length % 3]}`),
    hostileString.map((q) => `/v1/campaigns?limit=${encodeURIComponent(q)}`),
    hostileString.map((q) => `/v1/campaigns?cursor=${encodeURIComponent(q)}&limit=2`),
  ),
  body: fc.option(bodyArb, { nil: undefined }),
  contentType: fc.constantFrom('application/json', 'application/json', 'text/plain', 'application/json; charset=utf-8', undefined),
  authorizer: fc.constantFrom(admin, admin, admin, user, undefined, { iam: { userArn: 'arn:aws:iam::1:role/x' } }),
});

describe('Fuzz: campaign routes', () => {
  it('answers 3,000 generated requests without a 5xx, errors as problem+json without stack traces', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requestArb, async (request) => {
        const headers: Record<string, string> = request.contentType ? { 'content-type': request.contentType } : {};
        const result = await handler(event(request.method, request.path, request.body, headers, request.authorizer), lambdaContext());
        const status = result.statusCode ?? 0;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        expect(status).toBeLessThan(500);
        const body = String(result.body ?? '');
        expect(body).not.toMatch(/\bat .+\.(ts|js):\d+/);
        if (status >= 400) {
          expect(result.headers?.['Content-Type']).toBe('application/problem+json');
          const problem = JSON.parse(body);
          expect(problem).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
        }
      }),
      { numRuns: 3000, seed: 4242 },
    );
    // The generator reaches the happy paths too, not only refusals.
    expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
  });
});
