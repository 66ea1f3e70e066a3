/** What every notices route gets: the compiled content indexed once, the clock, and the memo. */
import type { CompiledContent, CompiledNotice } from '../content/types.ts';
import type { Clock } from '../core/clock.ts';
import { NotFoundError } from '../core/errors.ts';
import type { HttpEvent, HttpResult } from '../http/middleware.ts';
import { ifNoneMatchMatches } from './conditional.ts';
import { type MemoEntry, ResponseMemo } from './response-memo.ts';

export interface NoticesDeps {
  readonly content: CompiledContent;
  readonly clock: Clock;
}

export interface ServingContext {
  readonly content: CompiledContent;
  readonly clock: Clock;
  readonly notices: ReadonlyMap<string, CompiledNotice>;
  readonly memo: ResponseMemo;
}

/** A route: event in, result out, synchronous because every byte is already in memory. */
export type NoticesRoute = (event: HttpEvent, context: ServingContext) => HttpResult;

/** Index the content once per handler instance. */
export const createServingContext = (deps: NoticesDeps): ServingContext => ({
  content: deps.content,
  clock: deps.clock,
  notices: new Map(deps.content.notices.map((notice) => [notice.noticeId, notice])),
  memo: new ResponseMemo(),
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

/** The memoised response for this request: 304 when If-None-Match names it, else a copy of the 200. */
export const respondFrom = (entry: MemoEntry, event: HttpEvent): HttpResult => {
  const result = ifNoneMatchMatches(event.headers?.['if-none-match'], entry.etag) ? entry.notModified : entry.ok;
  // A shallow copy: whoever receives the result may add headers without touching the memo.
  return { ...result, headers: { ...result.headers } };
};

/** A 200 and its 304 sharing the validators and caching headers (RFC 9110 §15.4.5). */
export const memoEntry = (
  body: string,
  headers: Readonly<Record<string, string>>,
  etag: string,
  validUntil: number,
): MemoEntry => {
  const { 'Content-Type': _contentType, ...notModifiedHeaders } = headers;
  return {
    ok: { statusCode: 200, headers: { ...headers, ETag: etag }, body },
    notModified: { statusCode: 304, headers: { ...notModifiedHeaders, ETag: etag } },
    etag,
    validUntil,
  };
};
