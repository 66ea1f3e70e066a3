/**
 * `GET /v1/notices/{noticeId}/diff?from=&to=&region=&lang=[&format=]`: section-level differences of
 * one variant, as JSON for services (the default) or, with `format=html` or an `Accept` that
 * prefers `text/html`, the diff page pre-rendered at build time in the reader's language.
 */
import { diffVersions } from '../content/diff.ts';
import { variantKey } from '../core/content.ts';
import { InvalidInputError, NotFoundError } from '../core/errors.ts';
import { DIFF_MEDIA_TYPES, negotiateAccept } from '../core/negotiation.ts';
import { selectVersion } from '../core/versions.ts';
import { htmlSecurityHeaders } from '../http/html-security.ts';
import type { HttpEvent, HttpResult } from '../http/middleware.ts';
import { parseQuery } from '../http/parse.ts';
import { DiffQuerySchema } from '../http/schemas/notices.ts';
import { IMMUTABLE_CACHE_CONTROL } from './cache-policy.ts';
import { etagOfBody } from './conditional.ts';
import { JSON_CONTENT_TYPE } from './list-notices.ts';
import { memoEntry, noticeFromPath, respondFrom, type ServingContext } from './serving-context.ts';
import { readerVariant } from './reader-variant.ts';

const DIFF_VARY = 'Accept, Accept-Language, CloudFront-Viewer-Country, CloudFront-Viewer-Country-Region, X-Notice-Region';
const HTML_CONTENT_TYPE = 'text/html; charset=utf-8';

/** HTML only when `Accept` prefers it to JSON (a browser); anything else, malformed or absent, keeps the JSON services read. */
export const diffFormatFromAccept = (accept: string | undefined): 'json' | 'html' => {
  // The one negotiation (functions/core/negotiation.ts), which the CloudFront Function normalises `Accept` with too.
  return negotiateAccept(accept, DIFF_MEDIA_TYPES) === 'text/html' ? 'html' : 'json';
};

/** The pre-rendered page from `from` to `to`, with the same refusals as the JSON diff. */
const diffPage = (input: { notice: ReturnType<typeof noticeFromPath>; from: number; to: number; region: string; language: string }): string => {
  const { notice, from, to, region, language } = input;
  if (from > to) throw new InvalidInputError('from must not be after to', [{ path: 'from', message: `version ${from} is after version ${to}` }]);
  const newer = notice.versions.find((candidate) => candidate.version === to);
  const page = newer?.variants[variantKey(region, language)]?.diffPages[String(from)];
  if (page === undefined) throw new NotFoundError(`notice ${notice.noticeId} has no ${language} diff from version ${from} to ${to} for region ${region}`);
  return page;
};

/** The route: both versions are pinned by number, so the answer is immutable. */
export const getDiff = (event: HttpEvent, context: ServingContext): HttpResult => {
  const headers = event.headers ?? {};
  const notice = noticeFromPath(event, context);
  const query = parseQuery(DiffQuerySchema, event.queryStringParameters);
  const format = query.format ?? diffFormatFromAccept(headers['accept']);
  const now = context.clock.now();
  const older = selectVersion(notice, { version: query.from, now });
  const newer = selectVersion(notice, { version: query.to, now });
  const languages = newer.languages.filter((language) => older.languages.includes(language));
  const { region, language } = readerVariant(event, context, notice, query, languages);
  const key = `diff:${notice.noticeId}/${older.version}/${newer.version}/${region}/${language}/${format}`;
  const cached = context.memo.get(key, () => now.getTime());
  if (cached) return respondFrom(cached, event);
  const body =
    format === 'html'
      ? diffPage({ notice, from: older.version, to: newer.version, region, language })
      : JSON.stringify(diffVersions(notice, older.version, newer.version, region, language));
  const responseHeaders = {
    'Content-Type': format === 'html' ? HTML_CONTENT_TYPE : JSON_CONTENT_TYPE,
    'Content-Language': language,
    'Cache-Control': IMMUTABLE_CACHE_CONTROL,
    Vary: DIFF_VARY,
    'X-Notice-Region': region,
    ...(format === 'html' ? htmlSecurityHeaders(context.content.documentSecurityPolicy) : {}),
  };
  return respondFrom(context.memo.set(key, memoEntry(body, responseHeaders, etagOfBody(body), Infinity)), event);
};
