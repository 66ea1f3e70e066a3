/**
 * The notices Lambda: the public, read-only API over the compiled content bundled into it.
 * No AWS SDK, no logger, no full zod: the bundle stays small and a warm request is a memo lookup.
 *
 * Warm path: a request whose finished response is already memoised is answered before the middy
 * stack, because the stack alone costs ~15 µs per call (middy 7 creates an AbortSignal per
 * request), against well under 1 µs for the lookup. Nothing on that path can fail; every miss,
 * every error and every unknown route goes through `httpStack` and its problem+json boundary.
 */
import { createError } from '@middy/util';
import { compiledContent } from '../content/artifact.ts';
import { systemClock } from '../core/clock.ts';
import { type HttpEvent, type HttpHandler, type HttpResult, httpStack } from '../http/middleware.ts';
import { getDiff } from '../notices/get-diff.ts';
import { getNotice, memoisedNotice } from '../notices/get-notice.ts';
import { getOpenApi, memoisedOpenApi } from '../notices/get-openapi.ts';
import { listNotices, memoisedNoticeList } from '../notices/list-notices.ts';
import { listVersions, memoisedVersions } from '../notices/list-versions.ts';
import { createServingContext, type MemoLookup, type NoticesDeps, type NoticesRoute } from '../notices/serving-context.ts';

export type { NoticesDeps } from '../notices/serving-context.ts';

/** Route keys as in `functions/routes.ts` (API Gateway sets `event.routeKey`). */
const routesByKey: ReadonlyMap<string, NoticesRoute> = new Map([
  ['GET /v1/notices', listNotices],
  ['GET /v1/notices/{noticeId}', getNotice],
  ['GET /v1/notices/{noticeId}/versions', listVersions],
  ['GET /v1/notices/{noticeId}/diff', getDiff],
  ['GET /v1/openapi.json', getOpenApi],
]);

const memoLookupsByKey: ReadonlyMap<string, MemoLookup> = new Map([
  ['GET /v1/notices', memoisedNoticeList],
  ['GET /v1/notices/{noticeId}', memoisedNotice],
  ['GET /v1/notices/{noticeId}/versions', memoisedVersions],
  ['GET /v1/openapi.json', memoisedOpenApi],
]);

// For a `$default` route (or a test event without routeKey): match the raw path instead.
const pathPatterns: readonly [RegExp, string][] = [
  [/^\/v1\/notices\/?$/, 'GET /v1/notices'],
  [/^\/v1\/openapi\.json$/, 'GET /v1/openapi.json'],
  [/^\/v1\/notices\/([^/]+)\/versions\/?$/, 'GET /v1/notices/{noticeId}/versions'],
  [/^\/v1\/notices\/([^/]+)\/diff\/?$/, 'GET /v1/notices/{noticeId}/diff'],
  [/^\/v1\/notices\/([^/]+)\/?$/, 'GET /v1/notices/{noticeId}'],
];

const decodeSegment = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

const routeByPath = (event: HttpEvent): [NoticesRoute, HttpEvent] => {
  const method = event.requestContext?.http?.method ?? 'GET';
  const path = event.rawPath ?? '';
  for (const [pattern, key] of pathPatterns) {
    const match = pattern.exec(path);
    if (!match) continue;
    if (method !== 'GET') throw createError(405, 'only GET is allowed here');
    const noticeId = match[1];
    const routed = noticeId === undefined ? event : { ...event, pathParameters: { ...event.pathParameters, noticeId: decodeSegment(noticeId) } };
    return [routesByKey.get(key)!, routed];
  }
  throw createError(404, 'no such route');
};

// Every route is synchronous over bytes in memory: nothing can run into the Lambda timeout, so the
// stack skips middy's per-request early-timeout timer.
const NOTICES_STACK_OPTIONS = { earlyTimeout: false } as const;

/** Build the handler over the given content and clock (tests and the local platform inject theirs). */
export const makeHandler = (deps: NoticesDeps): HttpHandler => {
  const context = createServingContext(deps);
  const { onMemoMiss } = deps;
  const stack = httpStack(async (event: HttpEvent): Promise<HttpResult> => {
    const route = routesByKey.get(event.routeKey);
    if (route) return route(event, context);
    const [byPath, routed] = routeByPath(event);
    return byPath(routed, context);
  }, NOTICES_STACK_OPTIONS);
  return async (event, lambdaContext) => {
    try {
      const hit = memoLookupsByKey.get(event.routeKey)?.(event, context);
      if (hit !== undefined) return hit;
    } catch {
      // A malformed event: let the stack answer it with a problem.
    }
    onMemoMiss?.(event.routeKey);
    return stack(event, lambdaContext);
  };
};

/** Production dependencies: the bundled artifact and the system clock. */
export const defaultDeps = (): NoticesDeps => ({ content: compiledContent, clock: systemClock });

export const handler = makeHandler(defaultDeps());
