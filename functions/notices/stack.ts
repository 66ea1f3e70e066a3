/**
 * The notices Lambda's full request path: the one router (`functions/http/router.ts`, a middy stack
 * with the problem+json boundary) over every route. It validates (zod), negotiates and resolves;
 * the Lambda loads this module on the first request its memo cannot answer, so none of it is
 * evaluated at import (`functions/lambdas/notices.ts`).
 */
import { httpError } from '../http/http-error.ts';
import type { HttpHandler } from '../http/middleware.ts';
import { httpRouter, type RouteHandler } from '../http/router.ts';
import { noticesLambda } from '../manifest.ts';
import { getDiff } from './get-diff.ts';
import { getNotice } from './get-notice.ts';
import { getOpenApi } from './get-openapi.ts';
import { listNotices } from './list-notices.ts';
import { listVersions } from './list-versions.ts';
import type { NoticesRoute, ServingContext } from './serving-context.ts';

/** Each route by its key in `functions/routes.ts`. */
const noticesRoutes: Readonly<Record<string, NoticesRoute>> = {
  'GET /v1/notices': listNotices,
  'GET /v1/notices/{noticeId}': getNotice,
  'GET /v1/notices/{noticeId}/versions': listVersions,
  'GET /v1/notices/{noticeId}/diff': getDiff,
  'GET /v1/openapi.json': getOpenApi,
};

/** The router over every route, serving from `context`. */
export const noticesStack = (context: ServingContext): HttpHandler =>
  httpRouter(
    noticesLambda,
    Object.fromEntries(Object.entries(noticesRoutes).map(([key, route]): [string, RouteHandler] => [key, { handler: async (event) => route(event, context) }])),
    {
      // Every route is synchronous over bytes in memory: nothing can run into the Lambda timeout, so
      // the stack skips middy's per-request early-timeout timer.
      earlyTimeout: false,
      notFound: () => httpError(404, 'no such route'),
      methodNotAllowed: () => httpError(405, 'only GET and HEAD are allowed here', { Allow: 'GET, HEAD' }),
    },
  );
