/**
 * The notices Lambda: the public, read-only API over the compiled content, read from the files
 * shipped beside the bundle (`functions/content/serving-files.ts`): no content is bundled into its code.
 * No AWS SDK, no logger, no full zod: the bundle stays small and a warm request is a memo lookup.
 *
 * Import carries only the warm path: the content index, the memo and its lookups
 * (`functions/notices/memo-lookups.ts`). The rest, the router's middy stack, the zod schemas and the
 * routes that resolve a request (`functions/notices/stack.ts`), ships as its own file beside the
 * bundle and is loaded on the first request the memo cannot answer (`functions/notices/stack-file.ts`),
 * which a cold start's first request always is: the import costs little more than an empty
 * bundle's, and the first response pays for that one load.
 *
 * Warm path: a request whose finished response is already memoised is answered before the middy
 * stack, because the stack alone costs ~15 µs per call (middy 7 creates an AbortSignal per
 * request), against well under 1 µs for the lookup. Nothing on that path can fail; every miss,
 * every error and every unknown route goes through the router's one stack and its problem+json boundary.
 */
import { loadServedContent } from '../content/serving-files.ts';
import { systemClock } from '../core/clock.ts';
import type { HttpHandler } from '../http/middleware.ts';
import { getKeyOf, headResponse } from '../http/responses.ts';
import { memoisedNotice, memoisedNoticeList, memoisedOpenApi, memoisedVersions } from '../notices/memo-lookups.ts';
import { createServingContext, type MemoLookup, type NoticesDeps } from '../notices/serving-context.ts';
import { loadNoticesStack } from '../notices/stack-file.ts';
import { originVerifier, type OriginVerifier } from '../http/origin-verify.ts';

/** The content and clock, and the origin check (`ORIGIN_VERIFY_VALUES`; absent: off). */
export interface NoticesHandlerDeps extends NoticesDeps {
  readonly originVerifier?: OriginVerifier;
}

/** The memo lookups of the warm path, by the GET route key API Gateway sets (HEAD keys map to it; a `$default` event takes the router). */
const memoLookupsByKey: ReadonlyMap<string, MemoLookup> = new Map([
  ['GET /v1/notices', memoisedNoticeList],
  ['GET /v1/notices/{noticeId}', memoisedNotice],
  ['GET /v1/notices/{noticeId}/versions', memoisedVersions],
  ['GET /v1/openapi.json', memoisedOpenApi],
]);

/** Build the handler over the given content and clock (tests and the local platform inject theirs). */
export const makeHandler = (deps: NoticesHandlerDeps): HttpHandler => {
  const context = createServingContext(deps);
  const { onMemoMiss, originVerifier: verifyOrigin } = deps;
  // Loaded and built on the first request the memo cannot answer, not at import.
  let stack: Promise<HttpHandler> | undefined;
  const routed = (): Promise<HttpHandler> =>
    (stack ??= loadNoticesStack().then(
      ({ noticesStack }) => noticesStack(context),
      (error: unknown) => {
        // Not kept: the next miss tries again rather than failing for the life of the container.
        stack = undefined;
        throw error;
      },
    ));
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
    return (await routed())(event, lambdaContext);
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
