/**
 * The notices Lambda: the public, read-only API over the compiled content, read from the files
 * shipped beside the bundle (`functions/content/serving-files.ts`): no content is bundled into its code.
 * No AWS SDK, no logger, no full zod: the bundle stays small and a warm request is a memo lookup.
 *
 * Warm path: a request whose finished response is already memoised is answered before the middy
 * stack, because the stack alone costs ~15 µs per call (middy 7 creates an AbortSignal per
 * request), against well under 1 µs for the lookup. Nothing on that path can fail; every miss,
 * every error and every unknown route goes through the router's one stack and its problem+json boundary.
 */
import { createError } from '@middy/util';
import { loadServedContent } from '../content/serving-files.ts';
import { systemClock } from '../core/clock.ts';
import type { HttpHandler } from '../http/middleware.ts';
import { getKeyOf, headResponse } from '../http/responses.ts';
import { httpRouter, type RouteHandler } from '../http/router.ts';
import { getDiff } from '../notices/get-diff.ts';
import { getNotice, memoisedNotice } from '../notices/get-notice.ts';
import { getOpenApi, memoisedOpenApi } from '../notices/get-openapi.ts';
import { listNotices, memoisedNoticeList } from '../notices/list-notices.ts';
import { listVersions, memoisedVersions } from '../notices/list-versions.ts';
import { createServingContext, type MemoLookup, type NoticesDeps, type NoticesRoute, type ServingContext } from '../notices/serving-context.ts';
import { noticesLambda } from '../manifest.ts';
import { originVerifier, type OriginVerifier } from '../http/origin-verify.ts';

/** The content and clock, and the origin check (`ORIGIN_VERIFY_VALUES`; absent: off). */
export interface NoticesHandlerDeps extends NoticesDeps {
  readonly originVerifier?: OriginVerifier;
}

/** Each route by its key in `functions/routes.ts`. */
const noticesRoutes: Readonly<Record<string, NoticesRoute>> = {
  'GET /v1/notices': listNotices,
  'GET /v1/notices/{noticeId}': getNotice,
  'GET /v1/notices/{noticeId}/versions': listVersions,
  'GET /v1/notices/{noticeId}/diff': getDiff,
  'GET /v1/openapi.json': getOpenApi,
};

/** The memo lookups of the warm path, by the GET route key API Gateway sets (HEAD keys map to it; a `$default` event takes the router). */
const memoLookupsByKey: ReadonlyMap<string, MemoLookup> = new Map([
  ['GET /v1/notices', memoisedNoticeList],
  ['GET /v1/notices/{noticeId}', memoisedNotice],
  ['GET /v1/notices/{noticeId}/versions', memoisedVersions],
  ['GET /v1/openapi.json', memoisedOpenApi],
]);

const servedOver = (context: ServingContext): Record<string, RouteHandler> =>
  Object.fromEntries(Object.entries(noticesRoutes).map(([key, route]) => [key, { handler: async (event) => route(event, context) }]));

/** Build the handler over the given content and clock (tests and the local platform inject theirs). */
export const makeHandler = (deps: NoticesHandlerDeps): HttpHandler => {
  const context = createServingContext(deps);
  const { onMemoMiss, originVerifier: verifyOrigin } = deps;
  // Built on the first request the memo cannot answer, not at import: a cold start pays only for
  // what the warm path needs.
  let stack: HttpHandler | undefined;
  const routed = (): HttpHandler =>
    (stack ??= httpRouter(noticesLambda, servedOver(context), {
      // Every route is synchronous over bytes in memory: nothing can run into the Lambda timeout, so
      // the stack skips middy's per-request early-timeout timer.
      earlyTimeout: false,
      notFound: () => createError(404, 'no such route'),
      methodNotAllowed: () => Object.assign(createError(405, 'only GET and HEAD are allowed here'), { headers: { Allow: 'GET, HEAD' } }),
    }));
  return async (event, lambdaContext) => {
    // Before the memo: a cached answer is still an answer the execute-api URL must not give.
    const refused = verifyOrigin?.(event);
    if (refused) return refused;
    try {
      const hit = memoLookupsByKey.get(getKeyOf(event.routeKey))?.(event, context);
      if (hit !== undefined) return event.requestContext.http.method === 'HEAD' ? headResponse(hit) : hit;
    } catch {
      // A malformed event: let the stack answer it with a problem.
    }
    onMemoMiss?.(event.routeKey);
    return routed()(event, lambdaContext);
  };
};

/** Production dependencies: the content files shipped beside the bundle (read on first use), the system clock, the origin check. */
export const defaultDeps = (): NoticesHandlerDeps => ({
  content: loadServedContent(),
  clock: systemClock,
  // Its row's one (optional) variable, read directly: `lambdaEnvironment` would bring the Powertools
  // env utilities and the invoke store (4.4 KB minified, and their import) into the one bundle without them.
  originVerifier: originVerifier(process.env['ORIGIN_VERIFY_VALUES']),
});

export const handler = makeHandler(defaultDeps());
