/** What every notices route gets: the compiled content indexed once, the clock, and the memo. */
import type { CompiledContent, CompiledNotice } from '../core/content.ts';
import type { Clock } from '../core/clock.ts';
import { NotFoundError } from '../core/errors.ts';
import type { HttpEvent, HttpResult } from '../http/middleware.ts';
import { ifNoneMatchMatches } from './conditional.ts';
import { InputMemo, type InputSelection } from './input-memo.ts';
import { type MemoEntry, ResponseMemo } from './response-memo.ts';

export interface NoticesDeps {
  readonly content: CompiledContent;
  readonly clock: Clock;
  /** Called with the route key whenever a request misses the memo and goes through the full stack (tests and benchmarks count them). */
  readonly onMemoMiss?: (routeKey: string) => void;
}

export interface ServingContext {
  readonly content: CompiledContent;
  readonly clock: Clock;
  readonly notices: ReadonlyMap<string, CompiledNotice>;
  /** Finished responses by string key (per notice/version/region/language/format, list, versions …). */
  readonly memo: ResponseMemo;
  /** Finished variant responses by the raw request inputs that selected them. */
  readonly variantInputs: InputMemo<MemoEntry>;
  /** Finished version-history responses (JSON, or a page) by the raw request inputs that selected them. */
  readonly versionsInputs: InputMemo<MemoEntry>;
}

/** A route: event in, result out, synchronous because every byte is already in memory. */
export type NoticesRoute = (event: HttpEvent, context: ServingContext) => HttpResult;

/** A route's memo lookup: the finished response when one is memoised, else undefined. Never throws on a well-formed event. */
export type MemoLookup = (event: HttpEvent, context: ServingContext) => HttpResult | undefined;

/** `() => now in ms`, read only when an entry's validity is finite. */
export const nowMs = (context: ServingContext) => (): number => context.clock.now().getTime();

/** The raw inputs that select a variant of `GET /v1/notices/{noticeId}`: the keys of its input memo. */
export const VARIANT_INPUTS: InputSelection = {
  pathParameter: 'noticeId',
  query: ['version', 'at', 'region', 'country', 'subdivision', 'lang', 'format'],
  headers: ['accept', 'accept-language', 'cloudfront-viewer-country', 'cloudfront-viewer-country-region', 'x-notice-region'],
};

/** The raw inputs that select a representation of `GET /v1/notices/{noticeId}/versions`: those of a variant but `version`. */
export const VERSIONS_INPUTS: InputSelection = {
  ...VARIANT_INPUTS,
  query: VARIANT_INPUTS.query.filter((name) => name !== 'version'),
};

/** Index the content once per handler instance. */
export const createServingContext = (deps: NoticesDeps): ServingContext => ({
  content: deps.content,
  clock: deps.clock,
  notices: new Map(deps.content.notices.map((notice) => [notice.noticeId, notice])),
  memo: new ResponseMemo(),
  variantInputs: new InputMemo<MemoEntry>(VARIANT_INPUTS),
  versionsInputs: new InputMemo<MemoEntry>(VERSIONS_INPUTS),
});

const PRINTABLE_ID = /^[a-z0-9-]{1,64}$/;

/** The notice named by the `noticeId` path parameter, or `NotFoundError`. */
export const noticeFromPath = (event: HttpEvent, context: ServingContext): CompiledNotice => {
  const noticeId = event.pathParameters?.['noticeId'] ?? '';
  const notice = context.notices.get(noticeId);
  if (notice) return notice;
  // Echo the id only when it is short and harmless.
  throw new NotFoundError(PRINTABLE_ID.test(noticeId) ? `no notice named ${noticeId}` : 'no such notice');
};

/** The memoised response for this request: 304 when If-None-Match names it, else the 200. */
export const respondFrom = (entry: MemoEntry, event: HttpEvent): HttpResult =>
  ifNoneMatchMatches(event.headers?.['if-none-match'], entry.etag) ? entry.notModified : entry.ok;

/**
 * A 200 and its 304 sharing the validators and caching headers (RFC 9110 §15.4.5). Both are frozen:
 * they are handed to every caller as they are, so nobody may change them in place.
 */
export const memoEntry = (
  body: string,
  headers: Readonly<Record<string, string>>,
  etag: string,
  validUntil: number,
): MemoEntry => {
  const { 'Content-Type': _contentType, ...notModifiedHeaders } = headers;
  return {
    ok: Object.freeze({ statusCode: 200, headers: Object.freeze({ ...headers, ETag: etag }), body }),
    notModified: Object.freeze({ statusCode: 304, headers: Object.freeze({ ...notModifiedHeaders, ETag: etag }) }),
    etag,
    validUntil,
  };
};
