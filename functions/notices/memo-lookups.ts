/**
 * The warm path of every notices route: the memo lookups, and the memo keys the routes store
 * under. A lookup reads only the raw event and the memo, so this module imports nothing that
 * validates or negotiates (no zod, no middy): the Lambda's import carries it and nothing else of
 * the routes, which load on the first request the memo cannot answer (`functions/lambdas/notices.ts`).
 */
import type { HttpEvent, HttpResult } from '../http/middleware.ts';
import type { InputMemo } from './input-memo.ts';
import type { MemoEntry } from './response-memo.ts';
import { nowMs, respondFrom, type MemoLookup, type ServingContext } from './serving-context.ts';

const NOTICE_LIST_KEY = 'GET /v1/notices';
export const OPENAPI_KEY = 'GET /v1/openapi.json';

/** The list's memo key: one entry per `at` as sent (the memo is bounded; a malformed `at` is refused before anything is kept). */
export const noticeListKey = (event: HttpEvent): string => {
  const at = event.queryStringParameters?.['at'];
  return at === undefined ? NOTICE_LIST_KEY : `${NOTICE_LIST_KEY}?at=${at}`;
};

/** A finished response memoised by the raw inputs that selected it, while it is still valid. */
const byInputs = (memo: InputMemo<MemoEntry>, event: HttpEvent, context: ServingContext): HttpResult | undefined => {
  const entry = memo.get(event);
  if (entry === undefined) return undefined;
  if (entry.validUntil !== Infinity && context.clock.now().getTime() >= entry.validUntil) return undefined;
  return respondFrom(entry, event);
};

/** `GET /v1/notices/{noticeId}`: by the raw inputs that selected the variant; a hit skips parsing, validation and negotiation. */
export const memoisedNotice: MemoLookup = (event, context) => byInputs(context.variantInputs, event, context);

/** `GET /v1/notices/{noticeId}/versions`: by the raw inputs that selected the representation (JSON, or the page of a region and language). */
export const memoisedVersions: MemoLookup = (event, context) => byInputs(context.versionsInputs, event, context);

/** `GET /v1/notices`. */
export const memoisedNoticeList: MemoLookup = (event, context) => {
  const cached = context.memo.get(noticeListKey(event), nowMs(context));
  return cached === undefined ? undefined : respondFrom(cached, event);
};

/** `GET /v1/openapi.json`. */
export const memoisedOpenApi: MemoLookup = (event, context) => {
  const cached = context.memo.get(OPENAPI_KEY, () => 0);
  return cached === undefined ? undefined : respondFrom(cached, event);
};
