import { campaignsApiLambda } from '../../../functions/manifest.ts';
import { describe, expect, it } from 'vitest';
import { ForbiddenError, NotFoundError } from '../../../functions/core/errors.ts';
import type { HttpHandler } from '../../../functions/http/middleware.ts';
import { jsonBody } from '../../../functions/http/json-body.ts';
import { httpRouter, type HttpRouterOptions, type RouteHandler } from '../../../functions/http/router.ts';
import { httpEvent, lambdaContext } from '../../fakes/http-event.ts';

const echo: HttpHandler = async (event) => ({ statusCode: 200, body: JSON.stringify({ params: event.pathParameters ?? null, body: event.body ?? null }) });
// The campaigns API's routes from functions/routes.ts, each echoing what the router handed it.
const campaignsApi = (overrides: Record<string, RouteHandler> = {}, options: HttpRouterOptions = {}) =>
  httpRouter(
    campaignsApiLambda,
    {
      'POST /v1/campaigns': { handler: echo, body: jsonBody },
      'GET /v1/campaigns': { handler: echo },
      'GET /v1/campaigns/{campaignId}': { handler: echo },
      'POST /v1/campaigns/{campaignId}/pause': { handler: echo },
      'POST /v1/campaigns/{campaignId}/resume': { handler: echo },
      'POST /v1/campaigns/{campaignId}/retry-failed': { handler: echo },
      ...overrides,
    },
    { onUnexpectedError: () => {}, ...options },
  );
const context = lambdaContext();
const bodyOf = (result: { body?: string }) => JSON.parse(result.body ?? 'null') as Record<string, unknown>;

describe('Function: httpRouter', () => {
  describe('Building the table', () => {
    it('refuses a route of functions/routes.ts without a handler, and a handler without a route', () => {
      // Act / Assess
      expect(() => httpRouter(campaignsApiLambda, { 'POST /v1/campaigns': { handler: echo } })).toThrow(/without a handler \[[^\]]*GET \/v1\/campaigns\/\{campaignId\}[,\]]/);
      expect(() => campaignsApi({ 'DELETE /v1/campaigns': { handler: echo } })).toThrow(/handlers without a route \[DELETE \/v1\/campaigns\]/);
    });
  });

  describe('Matching', () => {
    it('matches `{param}` paths and decodes the captured segment, keeping parameters the gateway gave', async () => {
      // Prepare
      const handler = campaignsApi();

      // Act
      const decoded = await handler(httpEvent({ path: '/v1/campaigns/privacy%2Dv2' }), context);
      const given = await handler(httpEvent({ path: '/v1/campaigns/raw', pathParameters: { campaignId: 'given' } }), context);
      const malformed = await handler(httpEvent({ path: '/v1/campaigns/%E0%A4%A' }), context);

      // Assess
      expect(bodyOf(decoded)['params']).toEqual({ campaignId: 'privacy-v2' });
      expect(bodyOf(given)['params']).toEqual({ campaignId: 'given' });
      expect(bodyOf(malformed)['params']).toEqual({ campaignId: '%E0%A4%A' });
    });

    it('trusts a route key of its own table over the path, as API Gateway matched it already', async () => {
      // Prepare
      const handler = campaignsApi();

      // Act
      const result = await handler(httpEvent({ path: '/elsewhere', routeKey: 'GET /v1/campaigns/{campaignId}', pathParameters: { campaignId: 'c1' } }), context);

      // Assess
      expect(result.statusCode).toBe(200);
      expect(bodyOf(result)['params']).toEqual({ campaignId: 'c1' });
    });

    it('answers 404 for an unknown path and, when asked to, 405 for a known path under another method', async () => {
      // Prepare
      const plain = campaignsApi();
      const strict = campaignsApi({}, { notFound: () => new NotFoundError('nothing here'), methodNotAllowed: () => Object.assign(new Error('no'), { statusCode: 405 }) });

      // Act
      const unknown = await plain(httpEvent({ path: '/v1/elsewhere' }), context);
      const wrongMethodPlain = await plain(httpEvent({ method: 'DELETE', path: '/v1/campaigns/c1' }), context);
      const wrongMethodStrict = await strict(httpEvent({ method: 'DELETE', path: '/v1/campaigns/c1' }), context);
      const unknownStrict = await strict(httpEvent({ path: '/v1/elsewhere' }), context);

      // Assess
      expect([unknown.statusCode, wrongMethodPlain.statusCode, wrongMethodStrict.statusCode, unknownStrict.statusCode]).toEqual([404, 404, 405, 404]);
      expect(bodyOf(unknown)).toMatchObject({ detail: 'Route does not exist' });
      expect(bodyOf(unknownStrict)).toMatchObject({ detail: 'nothing here' });
      expect(unknown.headers?.['Content-Type']).toBe('application/problem+json');
    });

    it('answers an event without method or path with a 404, never a 500', async () => {
      // Prepare
      const handler = campaignsApi();
      const event = httpEvent({ path: '' });

      // Act
      const result = await handler(event, context);

      // Assess
      expect(result.statusCode).toBe(404);
    });
  });

  describe('Hooks', () => {
    it('authorises before parsing the body, so a caller without rights never learns the input rules', async () => {
      // Prepare
      const parsed: unknown[] = [];
      const handler = campaignsApi({
        'POST /v1/campaigns': {
          handler: async (event) => {
            parsed.push(event.body);
            return { statusCode: 200 };
          },
          body: jsonBody,
          authorize: (event) => {
            if (event.headers['x-role'] !== 'admin') throw new ForbiddenError('admins only');
          },
        },
      });

      // Act
      const refused = await handler(httpEvent({ method: 'POST', path: '/v1/campaigns', headers: { 'content-type': 'text/plain' }, body: 'not json' }), context);
      const unsupported = await handler(httpEvent({ method: 'POST', path: '/v1/campaigns', headers: { 'x-role': 'admin', 'content-type': 'text/plain' }, body: 'x' }), context);
      const accepted = await handler(httpEvent({ method: 'POST', path: '/v1/campaigns', headers: { 'x-role': 'admin', 'content-type': 'application/json' }, body: '{"a":1}' }), context);

      // Assess
      expect([refused.statusCode, unsupported.statusCode, accepted.statusCode]).toEqual([403, 415, 200]);
      expect(parsed).toEqual([{ a: 1 }]);
    });

    it('runs the table-wide hook before matching, unknown paths included', async () => {
      // Prepare
      const handler = campaignsApi({}, { authorize: () => { throw new ForbiddenError('nobody'); } });

      // Act
      const result = await handler(httpEvent({ path: '/v1/elsewhere' }), context);

      // Assess
      expect(result.statusCode).toBe(403);
    });

    it('lets errorResponse answer in another representation, and falls back to problem+json when it fails', async () => {
      // Prepare
      const html = campaignsApi({}, { errorResponse: async (_error, problem) => ({ statusCode: problem.status, headers: { 'Content-Type': 'text/html' }, body: '<p>no</p>' }) });
      const failing = campaignsApi({}, { errorResponse: async () => { throw new Error('page lookup failed'); } });

      // Act
      const page = await html(httpEvent({ path: '/v1/elsewhere' }), context);
      const fallback = await failing(httpEvent({ path: '/v1/elsewhere' }), context);

      // Assess
      expect(page).toEqual({ statusCode: 404, headers: { 'Content-Type': 'text/html' }, body: '<p>no</p>' });
      expect(fallback.statusCode).toBe(500);
      expect(fallback.headers?.['Content-Type']).toBe('application/problem+json');
      expect(fallback.body).not.toContain('page lookup failed');
    });
  });
});
